using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Zagg.Contracts;
using Zagg.Messaging.Sqs;

namespace Zagg.Messaging.InProcess;

/// <summary>
/// Runs a host's handlers (<see cref="SqsHandlerRegistry"/>) over the in-process queues (<see cref="InProcessQueues"/>),
/// with the rules of <see cref="SqsReceiver"/>: per queue, as many messages at once as the endpoint's concurrency, in the
/// order they were published; a handler's publishes sent after it returns. A failure is tried again after the backoff,
/// and on the last delivery, or at once for a permanent failure, the fault is published and the message kept among the
/// dead letters (<see cref="FailedDelivery"/>, the SQS transport's rule). A follower's failure is only logged, and the
/// run's events it does not handle pass it by. When the host stops, the handlers at work are cancelled (the process is
/// ending: a cell left unfinished is the next run's, through the run ledger) and given 10 s to return.
/// </summary>
public sealed partial class InProcessReceiver(
    SqsHandlerRegistry registry, InProcessQueues queues, IServiceProvider services, ILogger<InProcessReceiver> log) : IHostedService
{
    /// <summary>The spans of the handled messages (continuing the publisher's trace).</summary>
    public static readonly ActivitySource Source = new("Zagg.Messaging.InProcess");

    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];
    private readonly Lock _gate = new();
    private readonly HashSet<Task> _inFlight = [];
    private MessagingOptions Options => registry.Options;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var endpoint in registry.Endpoints)
        {
            var queue = queues.Open(endpoint.Queue);
            _loops.Add(Task.Run(() => ReceiveLoopAsync(endpoint, queue, _stopping.Token), CancellationToken.None));
        }
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_loops).ConfigureAwait(false);
        Task[] inFlight;
        lock (_gate) inFlight = [.. _inFlight];
        await Task.WhenAll(inFlight).WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task ReceiveLoopAsync(SqsEndpoint endpoint, System.Threading.Channels.ChannelReader<InProcessDelivery> queue, CancellationToken stopping)
    {
        using var slots = new SemaphoreSlim(endpoint.Concurrency);
        try
        {
            while (true)
            {
                await slots.WaitAsync(stopping).ConfigureAwait(false);
                // Cancelled here, the loop ends: the slot taken is not needed back.
                var delivery = await queue.ReadAsync(stopping).ConfigureAwait(false);
                var task = Task.Run(async () =>
                {
                    try { await ProcessAsync(endpoint, delivery, stopping).ConfigureAwait(false); }
                    finally { slots.Release(); }
                }, CancellationToken.None);
                lock (_gate) _inFlight.Add(task);
                _ = task.ContinueWith(t => { lock (_gate) _inFlight.Remove(t); }, TaskScheduler.Default);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested) { }
        // Let the handlers in flight return before their semaphore goes.
        Task[] running;
        lock (_gate) running = [.. _inFlight];
        await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task ProcessAsync(SqsEndpoint endpoint, InProcessDelivery delivery, CancellationToken stopping)
    {
        var envelope = delivery.Envelope;
        var binding = endpoint.Bindings.GetValueOrDefault(envelope.MessageType);
        if (binding is null)
        {
            // A follower takes the run's events it handles; the others pass it by. A service queue handles every type routed to it.
            if (endpoint.IsFollow) return;
            LogUnreadable(endpoint.Queue, $"message {envelope.MessageId}: queue {endpoint.Queue} does not handle {envelope.MessageType}");
            queues.DeadLetter(envelope);
            return;
        }
        object message;
        try { message = envelope.Read(); }
        catch (SqsEnvelopeException e)
        {
            LogUnreadable(endpoint.Queue, e.Message);
            if (!endpoint.IsFollow) queues.DeadLetter(envelope);
            return;
        }

        ActivityContext.TryParse(envelope.TraceParent, envelope.TraceState, out var parent);
        using var activity = Source.StartActivity($"{endpoint.Queue} process", ActivityKind.Consumer, parent);
        activity?.SetTag("messaging.system", "zagg_in_process").SetTag("messaging.destination.name", endpoint.Queue)
            .SetTag("messaging.message.id", envelope.MessageId.ToString()).SetTag("zagg.run_id", envelope.CorrelationId?.ToString())
            .SetTag("zagg.message_type", binding.Type.Name).SetTag("zagg.delivery", delivery.ReceiveCount);
        if (RunTimeline.Enabled) RunTimeline.Mark($"consume {RunTimeline.Describe(message)} start (sent {(DateTime.UtcNow - envelope.SentTime).TotalMilliseconds:F0} ms ago)");
        var context = new SqsHandlerContext(envelope, delivery.ReceiveCount, stopping);
        try
        {
            if (ContractVersion.Of(message) is int version) ContractVersion.Check(version, binding.Type.Name);
            await binding.Handle(services, message, context).ConfigureAwait(false);
            queues.Publish(context.Outbox, envelope);
            if (RunTimeline.Enabled) RunTimeline.Mark($"consume {RunTimeline.Describe(message)} end");
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The host stops (the run ended or was cancelled): the message is not failed, it is left undone.
            activity?.SetStatus(ActivityStatusCode.Error, "cancelled: the host stopped");
        }
        catch (Exception e)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            if (RunTimeline.Enabled) RunTimeline.Mark($"consume {RunTimeline.Describe(message)} fault");
            Fail(endpoint, binding, delivery, message, e, stopping);
        }
    }

    private void Fail(SqsEndpoint endpoint, SqsBinding binding, InProcessDelivery delivery, object message, Exception error, CancellationToken stopping)
    {
        var envelope = delivery.Envelope;
        LogFailed(endpoint.Queue, binding.Type.Name, envelope.MessageId, delivery.ReceiveCount, error.Message);
        // A follower's failure is its own (logged above); the message is not kept.
        if (endpoint.IsFollow) return;
        if (FailedDelivery.IsPermanent(binding, error) || FailedDelivery.IsLast(Options, delivery.ReceiveCount))
        {
            // Kept before the fault goes out: whoever handles the fault finds the message among the dead letters.
            queues.DeadLetter(envelope);
            if (binding.Fault is not null) queues.Publish([binding.Fault(message, envelope.MessageId, error, delivery.ReceiveCount)], envelope);
            return;
        }
        _ = RedeliverAsync(endpoint.Queue, delivery with { ReceiveCount = delivery.ReceiveCount + 1 }, FailedDelivery.Backoff(Options, delivery.ReceiveCount), stopping);
    }

    /// <summary>Puts the message back on its queue after <paramref name="delay"/> (dropped when the host stops first).</summary>
    private async Task RedeliverAsync(string queue, InProcessDelivery delivery, TimeSpan delay, CancellationToken stopping)
    {
        try { await Task.Delay(delay, stopping).ConfigureAwait(false); }
        catch (OperationCanceledException) { return; }
        queues.Enqueue(queue, delivery, create: true);
    }

    [LoggerMessage(LogLevel.Error, "{Queue}: an unreadable message: {Reason}")]
    private partial void LogUnreadable(string queue, string reason);

    [LoggerMessage(LogLevel.Warning, "{Queue}: {Type} {MessageId} failed on delivery {Delivery}: {Reason}")]
    private partial void LogFailed(string queue, string type, Guid messageId, int delivery, string reason);
}
