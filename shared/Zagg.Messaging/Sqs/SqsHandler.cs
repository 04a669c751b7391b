namespace Zagg.Messaging.Sqs;

/// <summary>
/// Handles one message type received from SQS: the SQS counterpart of a MassTransit consumer, as thin — it calls the
/// same run-library method the consumer calls and publishes its result through <see cref="SqsHandlerContext.Publish"/>.
/// A handler catches nothing: a failure is retried by SQS redelivery, or faulted (<see cref="SqsReceiver"/>).
/// </summary>
/// <typeparam name="T">The message type (a contract, or an <see cref="SqsFault{T}"/>).</typeparam>
public interface ISqsHandler<in T> where T : class
{
    Task HandleAsync(T message, SqsHandlerContext context);
}

/// <summary>What a handler knows of its message, and where it publishes: the publishes are sent after it returns.</summary>
public sealed class SqsHandlerContext
{
    private readonly List<object> _outbox = [];

    /// <summary>The context of one received message (<see cref="SqsReceiver"/> makes it; so can another receive loop, a Lambda's).</summary>
    /// <param name="envelope">The message's envelope.</param>
    /// <param name="receiveCount">SQS's ApproximateReceiveCount (1 the first time).</param>
    /// <param name="ct">Cancels the handler.</param>
    public SqsHandlerContext(SqsEnvelope envelope, int receiveCount, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        Envelope = envelope;
        ReceiveCount = receiveCount;
        CancellationToken = ct;
    }

    /// <summary>The message's envelope (its id, run, trace context).</summary>
    public SqsEnvelope Envelope { get; }

    /// <summary>How many times SQS has delivered the message, this one included (1 the first time).</summary>
    public int ReceiveCount { get; }

    /// <summary>The message was delivered before (a handler failed or its process died holding it).</summary>
    public bool Redelivered => ReceiveCount > 1;

    /// <summary>When the message was sent (UTC).</summary>
    public DateTime SentTime => Envelope.SentTime;

    public CancellationToken CancellationToken { get; }

    /// <summary>
    /// Publishes <paramref name="message"/> after the handler returns (to the queue of the service that consumes its
    /// type, and to the run's follow queue for the events zagg run shows; <see cref="SqsMessageTypes"/>). The received
    /// message is deleted only once every publish is sent, so a failure before then publishes nothing.
    /// </summary>
    /// <exception cref="ArgumentException">The transport does not carry the message's type.</exception>
    public void Publish(object message)
    {
        ArgumentNullException.ThrowIfNull(message);
        SqsMessageTypes.Of(message.GetType());
        _outbox.Add(message);
    }

    /// <summary>What the handler published, in order: to send (<see cref="SqsSender.PublishAsync(IReadOnlyList{object}, SqsEnvelope?, CancellationToken)"/>) once it returned.</summary>
    public IReadOnlyList<object> Outbox => _outbox;
}
