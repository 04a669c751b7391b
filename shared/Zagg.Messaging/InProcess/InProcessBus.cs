using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Zagg.Messaging.Sqs;

namespace Zagg.Messaging.InProcess;

/// <summary>
/// The in-process transport (<c>--transport memory</c>: every service in one process, no broker): the services' handlers
/// (<see cref="ISqsHandler{T}"/>, registered by their <c>AddXxxHandlers</c>, as on SQS) over queues in memory, with SQS's
/// routing (<see cref="SqsMessageTypes"/>), envelopes (<see cref="SqsEnvelope"/>: each message serialized and read back,
/// as it would cross a queue) and failure rules (<see cref="InProcessReceiver"/>). It replaces MassTransit's in-memory
/// transport for zagg run: that bus's start-up and per-message pipeline were about 0.4 s of a one-cell run's 0.55 s
/// (bench/e2e/README.md, "The run's fixed cost is the message-driven machinery").
/// </summary>
public static class InProcessBus
{
    /// <summary>
    /// Adds the in-process transport and the handlers <paramref name="handlers"/> registers (for example
    /// <c>x =&gt; x.AddWorkerHandlers()</c>); the receive loops start and stop with the host.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="options">The transport's settings (retries, the worker's concurrency); registered as a singleton.</param>
    /// <param name="handlers">Registers the handlers.</param>
    /// <exception cref="ArgumentException"><paramref name="options"/> name a broker (RabbitMQ or SQS).</exception>
    public static IServiceCollection AddZaggInProcess(this IServiceCollection services, MessagingOptions options, Action<SqsHandlerRegistry> handlers)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handlers);
        if (options.IsDistributed) throw new ArgumentException("the in-process transport is --transport memory", nameof(options));
        services.AddSingleton(options);
        var registry = new SqsHandlerRegistry(services, options);
        handlers(registry);
        services.AddSingleton(registry);
        services.AddSingleton<InProcessQueues>();
        services.AddHostedService<InProcessReceiver>();
        return services;
    }
}

/// <summary>A message on an in-process queue: its envelope, and how many times it has been delivered (1 the first time).</summary>
internal sealed record InProcessDelivery(SqsEnvelope Envelope, int ReceiveCount);

/// <summary>
/// The in-process transport's queues, by name: a service's queue (<see cref="Queues"/>) or a run's follow queue. A
/// publish goes where SQS's would (<see cref="SqsMessageTypes"/>): to the queue of the service that consumes the type,
/// and to the run's follow queue for the events zagg run shows, when that queue is open.
/// </summary>
public sealed class InProcessQueues
{
    private readonly Dictionary<string, Channel<InProcessDelivery>> _queues = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly List<SqsEnvelope> _deadLetters = [];

    /// <summary>A follow queue's name for a run (a key in this process, not an SQS queue).</summary>
    public static string FollowQueue(Guid runId) => $"zagg-run-{runId:N}";

    /// <summary>Messages given up on (a permanent failure, the last attempt, or an unreadable message), oldest first: what SQS would hold in a dead-letter queue.</summary>
    public IReadOnlyList<SqsEnvelope> DeadLetters
    {
        get { lock (_gate) return [.. _deadLetters]; }
    }

    /// <summary>Publishes <paramref name="messages"/>, each wrapped with <paramref name="cause"/>'s follow queue.</summary>
    /// <param name="messages">Contracts or faults (types <see cref="SqsMessageTypes"/> knows).</param>
    /// <param name="cause">The message being handled (its follow queue is carried on), or null.</param>
    /// <exception cref="ArgumentException">A message's type is not one the transport carries.</exception>
    public void Publish(IReadOnlyList<object> messages, SqsEnvelope? cause)
    {
        ArgumentNullException.ThrowIfNull(messages);
        foreach (object message in messages)
        {
            var type = SqsMessageTypes.Of(message.GetType());
            var envelope = SqsEnvelope.Wrap(message, cause);
            if (type.Queue is not null) Enqueue(type.Queue, new InProcessDelivery(envelope, 1), create: true);
            // A follower that is gone (its run ended) misses nothing it still needs.
            if (type.Followed && envelope.FollowQueue is { } follow) Enqueue(follow, new InProcessDelivery(envelope, 1), create: false);
        }
    }

    /// <summary>Publishes one message from outside a handler (zagg run starting a run), its events followed on <paramref name="followQueue"/>.</summary>
    /// <param name="message">A contract.</param>
    /// <param name="followQueue">The follow queue (<see cref="FollowQueue"/>), or null.</param>
    public void Publish(object message, string? followQueue) =>
        Publish([message], SqsEnvelope.Following(followQueue));

    /// <summary>The queue <paramref name="name"/>, made when missing (a receiver opens its queues before any message).</summary>
    internal ChannelReader<InProcessDelivery> Open(string name)
    {
        lock (_gate) return Queue(name).Reader;
    }

    /// <summary>Puts a delivery (back) on its queue.</summary>
    internal void Enqueue(string name, InProcessDelivery delivery, bool create)
    {
        Channel<InProcessDelivery>? queue;
        lock (_gate) queue = create ? Queue(name) : _queues.GetValueOrDefault(name);
        queue?.Writer.TryWrite(delivery);
    }

    internal void DeadLetter(SqsEnvelope envelope)
    {
        lock (_gate) _deadLetters.Add(envelope);
    }

    private Channel<InProcessDelivery> Queue(string name)
    {
        if (!_queues.TryGetValue(name, out var queue))
            _queues[name] = queue = Channel.CreateUnbounded<InProcessDelivery>(new UnboundedChannelOptions { SingleReader = true });
        return queue;
    }
}
