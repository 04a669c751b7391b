using System.Diagnostics;
using System.Globalization;
using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Zagg.Contracts;

namespace Zagg.Messaging.Sqs;

/// <summary>
/// Runs a host's SQS handlers (<see cref="SqsHandlerRegistry"/>): at start, creates and configures the queues the host
/// owns — those it handles and those it declares (<see cref="SqsHandlerRegistry.Owns"/>) — or, against a deployed stack
/// (<see cref="MessagingOptions.SqsStackQueues"/>), looks up every service queue and creates or alters none; the start
/// fails, in one line, when SQS does not answer or a stack's queue is missing. Then, per queue, long-polled receives of as many messages as
/// there are free handler slots; each message's visibility renewed while its handler works; the handler's publishes
/// sent after it returns and the message deleted only after they were sent. A failure is left to SQS: the message comes
/// back after a backoff; on its last receive (<see cref="MessagingOptions.SqsMaxReceiveCount"/>) the fault is
/// published and SQS moves the message to the dead-letter queue. A permanent failure is faulted and moved there at once.
/// </summary>
public sealed partial class SqsReceiver(
    SqsHandlerRegistry registry, SqsQueueDirectory queues, SqsSender sender, IServiceProvider services, ILogger<SqsReceiver> log) : IHostedService
{
    /// <summary>The spans of the handled messages (continuing the sender's trace).</summary>
    public static readonly ActivitySource Source = new("Zagg.Messaging.Sqs");

    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];
    private readonly Lock _gate = new();
    private readonly HashSet<Task> _inFlight = [];
    private MessagingOptions Options => registry.Options;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var endpoints = new List<(SqsEndpoint, string)>();
        try
        {
            if (Options.SqsStackQueues)
            {
                // A deployed stack's queues: every one must be there; none is created or altered (their visibility is the Lambda's).
                foreach (string queue in SqsQueueNames.Services)
                    _ = await RequireAsync(queues.Names.Of(queue), stack: true, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                foreach (string queue in registry.OwnedQueues)
                    await queues.EnsureAsync(queues.Names.Of(queue), cancellationToken).ConfigureAwait(false);
            }
            foreach (var endpoint in registry.Endpoints)
            {
                string url = endpoint.IsFollow ? await RequireAsync(endpoint.Queue, stack: false, cancellationToken).ConfigureAwait(false)
                    : Options.SqsStackQueues ? await RequireAsync(queues.Names.Of(endpoint.Queue), stack: true, cancellationToken).ConfigureAwait(false)
                    : await queues.EnsureAsync(queues.Names.Of(endpoint.Queue), cancellationToken).ConfigureAwait(false);
                endpoints.Add((endpoint, url));
            }
        }
        catch (Exception e) when (e is Amazon.Runtime.AmazonServiceException or HttpRequestException or Amazon.Runtime.AmazonClientException)
        {
            throw new SqsUnavailableException($"{Options.BrokerForDisplay}: {Zagg.Cloud.S3Errors.OneLine(e)}");
        }
        foreach (var (endpoint, url) in endpoints)
            _loops.Add(Task.Run(() => ReceiveLoopAsync(endpoint, url, _stopping.Token), CancellationToken.None));
    }

    /// <summary>The URL of a queue that must exist already (a follow queue, or a deployed stack's).</summary>
    /// <exception cref="SqsUnavailableException">It does not: the message names the queue and, for a stack, its prefix.</exception>
    private async Task<string> RequireAsync(string name, bool stack, CancellationToken ct)
    {
        if (await queues.FindAsync(name, ct).ConfigureAwait(false) is { } url) return url;
        string prefix = queues.Names.Prefix;
        throw new SqsUnavailableException(stack
            ? $"{Options.BrokerForDisplay}: queue {name} does not exist: no stack is deployed with prefix {prefix} there (deployment/aws/deploy.sh deploy --prefix {prefix}, in the same region)"
            : $"{Options.BrokerForDisplay}: queue {name} does not exist");
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_loops).ConfigureAwait(false);
        Task[] inFlight;
        lock (_gate) inFlight = [.. _inFlight];
        // A handler that does not finish in time keeps its message invisible until its timeout: another receiver takes it then.
        await Task.WhenAll(inFlight).WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task ReceiveLoopAsync(SqsEndpoint endpoint, string url, CancellationToken stopping)
    {
        using var slots = new SemaphoreSlim(endpoint.Concurrency);
        int visibility = Seconds(Options.SqsVisibilityTimeout);
        while (!stopping.IsCancellationRequested)
        {
            int free = 0;
            try
            {
                await slots.WaitAsync(stopping).ConfigureAwait(false);
                free = 1;
                while (free < SqsSender.BatchSize && slots.Wait(0)) free++;
                var response = await queues.Client.ReceiveMessageAsync(new ReceiveMessageRequest(url)
                {
                    MaxNumberOfMessages = free,
                    WaitTimeSeconds = Seconds(Options.SqsWaitTime),
                    VisibilityTimeout = visibility,
                    MessageSystemAttributeNames = ["ApproximateReceiveCount"],
                    MessageAttributeNames = ["All"],
                }, stopping).ConfigureAwait(false);
                var messages = response.Messages ?? [];
                if (free > messages.Count) slots.Release(free - messages.Count);
                free = 0;
                foreach (var message in messages)
                {
                    var task = Task.Run(async () =>
                    {
                        try { await ProcessAsync(endpoint, url, message).ConfigureAwait(false); }
                        finally { slots.Release(); }
                    }, CancellationToken.None);
                    lock (_gate) _inFlight.Add(task);
                    _ = task.ContinueWith(t => { lock (_gate) _inFlight.Remove(t); }, TaskScheduler.Default);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            // What a receive meets from SQS or the network; anything else is a bug and stops the loop rather than spin on it.
            catch (Exception e) when (e is Amazon.Runtime.AmazonClientException or HttpRequestException or IOException or TimeoutException
                or OperationCanceledException)
            {
                if (free > 0) slots.Release(free);
                LogReceiveFailed(endpoint.Queue, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
        // Let the handlers in flight finish before their semaphore goes.
        Task[] running;
        lock (_gate) running = [.. _inFlight];
        await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task ProcessAsync(SqsEndpoint endpoint, string url, Message received)
    {
        // Handlers finish their message even while the host stops (it waits for them); a process that is killed leaves it to SQS.
        var ct = CancellationToken.None;
        int receiveCount = received.Attributes?.TryGetValue("ApproximateReceiveCount", out string? n) == true
            && int.TryParse(n, NumberStyles.Integer, CultureInfo.InvariantCulture, out int count) ? Math.Max(1, count) : 1;
        SqsEnvelope envelope;
        SqsBinding binding;
        object message;
        try
        {
            envelope = SqsEnvelope.Parse(received.Body ?? "");
            binding = endpoint.Bindings.GetValueOrDefault(envelope.MessageType)
                ?? throw new SqsEnvelopeException($"message {envelope.MessageId}: queue {endpoint.Queue} does not handle {envelope.MessageType}");
            message = envelope.Read();
        }
        catch (SqsEnvelopeException e)
        {
            LogUnreadable(endpoint.Queue, e.Message);
            await DeadLetterAsync(endpoint, url, received, ct).ConfigureAwait(false);
            return;
        }

        ActivityContext.TryParse(envelope.TraceParent, envelope.TraceState, out var parent);
        using var activity = Source.StartActivity($"{endpoint.Queue} process", ActivityKind.Consumer, parent);
        activity?.SetTag("messaging.system", "aws_sqs").SetTag("messaging.destination.name", endpoint.Queue)
            .SetTag("messaging.message.id", envelope.MessageId.ToString()).SetTag("zagg.run_id", envelope.CorrelationId?.ToString())
            .SetTag("messaging.sqs.receive_count", receiveCount);
        var context = new SqsHandlerContext(envelope, receiveCount, ct);
        using var heartbeatStop = new CancellationTokenSource();
        var heartbeat = HeartbeatAsync(url, received.ReceiptHandle, heartbeatStop.Token);
        try
        {
            if (ContractVersion.Of(message) is int version) ContractVersion.Check(version, binding.Type.Name);
            await binding.Handle(services, message, context).ConfigureAwait(false);
            await sender.PublishAsync(context.Outbox, envelope, ct).ConfigureAwait(false);
            await heartbeatStop.CancelAsync().ConfigureAwait(false);
            await heartbeat.ConfigureAwait(false);
            await queues.Client.DeleteMessageAsync(url, received.ReceiptHandle, ct).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await heartbeatStop.CancelAsync().ConfigureAwait(false);
            await heartbeat.ConfigureAwait(false);
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            try { await FailAsync(endpoint, binding, url, received, envelope, message, receiveCount, e, ct).ConfigureAwait(false); }
            catch (Exception again) { LogFailFailed(endpoint.Queue, envelope.MessageId, again.Message); }
        }
    }

    private async Task FailAsync(SqsEndpoint endpoint, SqsBinding binding, string url, Message received, SqsEnvelope envelope, object message,
        int receiveCount, Exception error, CancellationToken ct)
    {
        if (endpoint.IsFollow)
        {
            // A follower's queue has no DLQ: its failure is its own (logged); the message is not kept.
            LogFailed(endpoint.Queue, binding.Type.Name, envelope.MessageId, receiveCount, error.Message);
            await queues.Client.DeleteMessageAsync(url, received.ReceiptHandle, ct).ConfigureAwait(false);
            return;
        }
        bool permanent = FailedDelivery.IsPermanent(binding, error);
        bool last = FailedDelivery.IsLast(Options, receiveCount);
        LogFailed(endpoint.Queue, binding.Type.Name, envelope.MessageId, receiveCount, error.Message);
        if ((permanent || last) && binding.Fault is not null)
            await sender.PublishAsync([binding.Fault(message, envelope.MessageId, error, receiveCount)], envelope, ct).ConfigureAwait(false);
        if (permanent)
            await DeadLetterAsync(endpoint, url, received, ct).ConfigureAwait(false);
        else
        {
            // Back to the queue after the backoff; after the last receive, SQS's redrive moves it to the DLQ on the next one.
            int delay = last ? 0 : Seconds(FailedDelivery.Backoff(Options, receiveCount));
            await queues.Client.ChangeMessageVisibilityAsync(url, received.ReceiptHandle, delay, ct).ConfigureAwait(false);
        }
    }

    private async Task DeadLetterAsync(SqsEndpoint endpoint, string url, Message received, CancellationToken ct)
    {
        if (!endpoint.IsFollow)
        {
            string name = SqsQueueNames.DeadLetter(queues.Names.Of(endpoint.Queue));
            string dlq = await queues.FindAsync(name, ct).ConfigureAwait(false) ?? throw new SqsSendException($"queue {name} does not exist");
            await sender.SendRawAsync(dlq, received.Body ?? "", ct).ConfigureAwait(false);
        }
        await queues.Client.DeleteMessageAsync(url, received.ReceiptHandle, ct).ConfigureAwait(false);
    }

    private async Task HeartbeatAsync(string url, string receiptHandle, CancellationToken stop)
    {
        var visibility = Options.SqsVisibilityTimeout;
        using var timer = new PeriodicTimer(visibility / 3);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                try { await queues.Client.ChangeMessageVisibilityAsync(url, receiptHandle, Seconds(visibility), stop).ConfigureAwait(false); }
                catch (Exception e) when (e is not OperationCanceledException) { LogHeartbeatFailed(e.Message); }
            }
        }
        catch (OperationCanceledException) { }
    }

    private static int Seconds(TimeSpan t) => (int)Math.Ceiling(t.TotalSeconds);

    [LoggerMessage(LogLevel.Warning, "SQS receive from {Queue} failed: {Reason}")]
    private partial void LogReceiveFailed(string queue, string reason);

    [LoggerMessage(LogLevel.Error, "{Queue}: an unreadable message goes to the dead-letter queue: {Reason}")]
    private partial void LogUnreadable(string queue, string reason);

    [LoggerMessage(LogLevel.Warning, "{Queue}: {Type} {MessageId} failed on receive {Receive}: {Reason}")]
    private partial void LogFailed(string queue, string type, Guid messageId, int receive, string reason);

    [LoggerMessage(LogLevel.Error, "{Queue}: message {MessageId} failed and could not be faulted (SQS will deliver it again): {Reason}")]
    private partial void LogFailFailed(string queue, Guid messageId, string reason);

    [LoggerMessage(LogLevel.Warning, "SQS visibility heartbeat failed: {Reason}")]
    private partial void LogHeartbeatFailed(string reason);
}

/// <summary>SQS did not answer when a host started (the message says where and why, in one line).</summary>
public sealed class SqsUnavailableException(string message) : Exception(message);
