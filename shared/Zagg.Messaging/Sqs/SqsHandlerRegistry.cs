using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Zagg.Messaging.Sqs;

/// <summary>
/// The SQS handlers a host runs, by queue: what a service's <c>AddXxxHandlers</c> fills (the counterpart of its
/// <c>AddXxxService</c> for MassTransit). Each handler is a singleton from the host's services.
/// </summary>
public sealed class SqsHandlerRegistry
{
    private readonly IServiceCollection _services;
    private readonly Dictionary<string, SqsEndpoint> _endpoints = new(StringComparer.Ordinal);
    private readonly List<string> _owned = [];

    internal SqsHandlerRegistry(IServiceCollection services, MessagingOptions options)
    {
        _services = services;
        Options = options;
    }

    /// <summary>The transport's settings (a worker's concurrency, for one).</summary>
    public MessagingOptions Options { get; }

    /// <summary>The host's services, for what the handlers need.</summary>
    public IServiceCollection Services => _services;

    internal IReadOnlyCollection<SqsEndpoint> Endpoints => _endpoints.Values;

    /// <summary>Service queues this host owns without handling them (see <see cref="Owns"/>).</summary>
    internal IReadOnlyList<string> OwnedQueues => _owned;

    /// <summary>
    /// Declares a service queue this host creates and configures though its handlers run elsewhere: zagg run's for the
    /// worker processes it starts. A host owns the queues it handles already; every other queue it only looks up.
    /// </summary>
    /// <param name="queue">The service queue (one of <see cref="Queues"/>); the deployment prefix is added.</param>
    public SqsHandlerRegistry Owns(string queue)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        if (!_owned.Contains(queue)) _owned.Add(queue);
        return this;
    }

    /// <summary>Handles <typeparamref name="T"/> from a service's queue.</summary>
    /// <param name="queue">The service queue (one of <see cref="Queues"/>); the deployment prefix is added.</param>
    /// <param name="isPermanent">True for a failure that retrying cannot mend (faulted at once, to the DLQ).</param>
    /// <param name="concurrency">Messages of this queue handled at once; null for the core count.</param>
    public SqsHandlerRegistry Handle<T, THandler>(string queue, Func<Exception, bool> isPermanent, int? concurrency = null)
        where T : class where THandler : class, ISqsHandler<T> =>
        Add<T, THandler>(queue, follow: false, isPermanent, concurrency);

    /// <summary>Handles <typeparamref name="T"/> from a run's follow queue (a full queue name, <see cref="SqsQueueNames.Follow"/>).</summary>
    public SqsHandlerRegistry Follow<T, THandler>(string followQueue) where T : class where THandler : class, ISqsHandler<T> =>
        Add<T, THandler>(followQueue, follow: true, static _ => false, 1);

    private SqsHandlerRegistry Add<T, THandler>(string queue, bool follow, Func<Exception, bool> isPermanent, int? concurrency)
        where T : class where THandler : class, ISqsHandler<T>
    {
        ArgumentNullException.ThrowIfNull(isPermanent);
        var type = SqsMessageTypes.Of(typeof(T));
        _services.TryAddSingleton<THandler>();
        if (!_endpoints.TryGetValue(queue, out var endpoint))
            _endpoints[queue] = endpoint = new SqsEndpoint(queue, follow, Math.Max(1, concurrency ?? Environment.ProcessorCount));
        bool faultCarried = false;
        foreach (var t in SqsMessageTypes.Types) faultCarried |= t.ClrType == typeof(SqsFault<T>);
        endpoint.Bindings[type.Urn] = new SqsBinding(
            type,
            (services, message, context) => services.GetRequiredService<THandler>().HandleAsync((T)message, context),
            faultCarried ? (message, id, error, attempt) => SqsFault<T>.Create((T)message, id, error, attempt) : null,
            isPermanent);
        return this;
    }
}

/// <summary>One queue a host receives from, and the handler of each message type on it.</summary>
internal sealed record SqsEndpoint(string Queue, bool IsFollow, int Concurrency)
{
    public Dictionary<string, SqsBinding> Bindings { get; } = new(StringComparer.Ordinal);
}

/// <summary>A message type's handler on an endpoint, the fault it publishes when it gives up, and what is permanent.</summary>
internal sealed record SqsBinding(
    SqsMessageType Type,
    Func<IServiceProvider, object, SqsHandlerContext, Task> Handle,
    Func<object, Guid, Exception, int, object>? Fault,
    Func<Exception, bool> IsPermanent);
