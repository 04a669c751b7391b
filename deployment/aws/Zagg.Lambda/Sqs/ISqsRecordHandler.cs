namespace Zagg.Lambda.Sqs;

/// <summary>Handles one message of an SQS batch; <see cref="SqsBatchHandler"/> calls it once per record.</summary>
public interface ISqsRecordHandler
{
    /// <summary>Handles the message; returning acknowledges it (the event source deletes it).</summary>
    /// <exception cref="Exception">Any exception keeps the message on its queue (a batch item failure): redelivered
    /// after the visibility timeout, to the dead-letter queue after the redrive policy's maxReceiveCount.</exception>
    Task HandleAsync(SqsMessage message, CancellationToken ct);
}
