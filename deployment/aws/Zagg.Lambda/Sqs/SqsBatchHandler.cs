using System.Text.Json;
using Zagg.Lambda.Runtime;

namespace Zagg.Lambda.Sqs;

/// <summary>
/// An SQS event → its records, one at a time, through an <see cref="ISqsRecordHandler"/> → a partial batch response
/// naming the records that failed (AWS Lambda Developer Guide, "Handling errors for an SQS event source in Lambda",
/// reporting batch item failures). One record's failure never fails its neighbours. Records run one after another:
/// a cell's aggregation already uses the cores a Lambda has, and one cell at a time bounds memory. When the deadline
/// comes mid-batch, the records not yet handled are reported failed (they come back, not lost).
/// </summary>
public sealed class SqsBatchHandler(ISqsRecordHandler records, TextWriter log) : ILambdaHandler
{
    /// <exception cref="JsonException">The event is not an SQS event (the whole invocation fails: nothing is deleted).</exception>
    public async Task<byte[]> HandleAsync(LambdaInvocation invocation, CancellationToken ct)
    {
        var e = JsonSerializer.Deserialize(invocation.Event, RuntimeJsonContext.Default.SqsEvent)
            ?? throw new JsonException("the event is null, not an SQS event");
        List<SqsBatchItemFailure> failures = [];
        foreach (var record in e.Records)
        {
            if (ct.IsCancellationRequested)
            {
                failures.Add(new SqsBatchItemFailure(record.MessageId));
                continue;
            }
            try
            {
                await records.HandleAsync(record, ct).ConfigureAwait(false);
            }
            catch (Exception x)
            {
                log.WriteLine($"zagg-lambda: {invocation.RequestId}: message {record.MessageId} (receive {record.ReceiveCount}) failed: {LambdaError.From(x).ErrorMessage}");
                failures.Add(new SqsBatchItemFailure(record.MessageId));
            }
        }
        log.WriteLine($"zagg-lambda: {invocation.RequestId}: {e.Records.Count} message(s), {failures.Count} failed");
        return JsonSerializer.SerializeToUtf8Bytes(new SqsBatchResponse { BatchItemFailures = failures }, RuntimeJsonContext.Default.SqsBatchResponse);
    }
}
