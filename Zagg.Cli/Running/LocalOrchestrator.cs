using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Trace;
using Zagg.Catalog;
using Zagg.Consolidation;
using Zagg.Contracts;
using Zagg.Dispatcher;
using Zagg.Messaging;
using Zagg.Messaging.Sqs;
using Zagg.ServiceDefaults.Hosting;
using Zagg.Template;
using Zagg.Worker;

namespace Zagg.Cli.Running;

/// <summary>How zagg run runs: the transport and the worker processes.</summary>
public sealed record OrchestrationOptions
{
    public MessagingOptions Messaging { get; init; } = new();

    /// <summary>Worker processes to start with the RabbitMQ or SQS transport (in-memory runs the worker in this process).</summary>
    public int WorkerProcesses { get; init; } = 2;

    public bool StartBroker { get; init; }

    /// <summary>
    /// Submit only: publish RunRequested to the broker and follow the run, starting no service (they run elsewhere,
    /// under the Aspire AppHost for one). Needs the RabbitMQ or SQS transport.
    /// </summary>
    public bool SubmitOnly { get; init; }

    /// <summary>More tracing configuration, for example a test's in-memory exporter (the spans of every service of the run).</summary>
    public Action<TracerProviderBuilder>? Traces { get; init; }
}

/// <summary>
/// The local orchestrator (what Aspire's AppHost would do): starts the services — all in this
/// process with the in-memory transport, or the coordinating ones here and N worker processes
/// against RabbitMQ — publishes RunRequested under one "zagg run" span, follows the run's
/// messages, and returns the RunCompleted.
/// </summary>
public static class LocalOrchestrator
{
    public const string ServiceName = "zagg";

    /// <summary>The command's own spans ("zagg run", the root of a run's trace); "Zagg.*" makes the service defaults listen.</summary>
    public static readonly ActivitySource RunSource = new("Zagg.Cli");

    /// <summary>
    /// Runs <paramref name="request"/> to its RunCompleted: starts a broker if asked, the bus with the services this
    /// process hosts (every one on the in-memory transport; the coordinating ones plus worker processes on RabbitMQ; none
    /// with <see cref="OrchestrationOptions.SubmitOnly"/>, where the services run elsewhere, under the Aspire AppHost for
    /// one), publishes RunRequested under the run's root span ("zagg run", whose context MassTransit carries to every
    /// service) and waits.
    /// </summary>
    /// <exception cref="OrchestrationException">No broker answers, --submit without RabbitMQ, or every worker process exited.</exception>
    public static async Task<RunCompleted> RunAsync(RunRequested request, OrchestrationOptions options, RunMonitor monitor, TextWriter log, CancellationToken ct = default)
    {
        var messaging = options.Messaging;
        bool submit = options.SubmitOnly;
        if (submit && !messaging.IsDistributed) throw new OrchestrationException("--submit hands the run to services that listen on a broker: it needs --transport rabbitmq or sqs");
        // Asked before the bus starts: a bus that cannot reach its broker keeps trying, and its threads keep the process up.
        await using var broker = await EnsureBrokerAsync(options, log, ct).ConfigureAwait(false);

        PhaseProbe.Mark("main-to-orchestrator");
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = ServiceName, ContentRootPath = AppContext.BaseDirectory });
        PhaseProbe.Mark("host-builder");
        builder.AddZaggServiceDefaults(ServiceName, options.Traces);
        PhaseProbe.Mark("service-defaults");
        // The services log warnings and errors only: the run's progress is the command's own output.
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // MassTransit logs a faulted message with its stack trace; the run reports the failure itself, by name.
        builder.Logging.AddFilter("MassTransit", LogLevel.Critical);
        // A host that cannot start (no broker) is reported once, as one line, below: not also as the host's stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        // The consolidation service logs each failed cell and a stopped run; this command prints both itself (the failed
        // cells by name at the end, a stopped run as its one error line), so here they would be said twice.
        builder.Logging.AddFilter(typeof(Zagg.Consolidation.RunTracker).FullName, LogLevel.None);
        builder.Services.AddSingleton(monitor);
        // SQS: the run's events come to a queue of this run's own (created now, deleted at the end), named in every message of the run.
        string? follow = messaging.IsSqs ? await CreateFollowQueueAsync(messaging, request.RunId, ct).ConfigureAwait(false) : null;
        if (follow is not null)
            builder.Services.AddZaggSqs(messaging, x =>
            {
                if (!submit)
                {
                    x.AddCatalogHandlers();
                    x.AddTemplateHandlers();
                    x.AddDispatcherHandlers();
                    x.AddConsolidationHandlers();
                    // The worker processes this command starts are its services too: it creates their queue before they start.
                    if (options.WorkerProcesses > 0 && !messaging.SqsStackQueues) x.Owns(Queues.Worker);
                }
                RunFollower.Register(x, follow);
            });
        else builder.Services.AddZaggBus(messaging, x =>
        {
            if (!submit)
            {
                x.AddCatalogService();
                x.AddTemplateService();
                x.AddDispatcherService();
                x.AddConsolidationService();
                if (!messaging.IsRabbitMq) x.AddWorkerService();
            }
            x.AddConsumer<RunObserver>().Endpoint(e =>
            {
                e.Temporary = true;
                e.InstanceId = request.RunId.ToString("N");
            });
        });
        WorkerProcesses? workers = null;
        PhaseProbe.Mark("add-bus");
        using var app = builder.Build();
        PhaseProbe.Mark("host-build");
        try
        {
            await app.StartAsync(ct).ConfigureAwait(false);
            PhaseProbe.Mark("host-start");
        }
        catch (SqsUnavailableException e)
        {
            await DeleteFollowQueueAsync(messaging, follow).ConfigureAwait(false);
            throw new OrchestrationException(AsTyped(messaging, e.Message));
        }
        catch (Exception e) when (e is not OperationCanceledException && messaging.IsRabbitMq)
        {
            throw new OrchestrationException($"cannot reach the broker at {messaging.BrokerForDisplay}: {e.Message}{(submit ? "" : " (start one, or pass --start-broker)")}");
        }
        try
        {
            if (messaging.IsDistributed && !submit && options.WorkerProcesses > 0)
            {
                workers = WorkerProcesses.Start(options.WorkerProcesses, messaging, log);
                _ = workers.AllExited.ContinueWith(_ => monitor.Abort(new OrchestrationException(
                    "every worker process exited before the run completed (their output is above)")), TaskScheduler.Default);
            }
            using var run = RunSource.StartActivity("zagg run", ActivityKind.Producer);
            run?.SetTag("zagg.run_id", request.RunId.ToString()).SetTag("zagg.store", request.Spec.Store).SetTag("zagg.transport", messaging.Transport);
            // The run starts now: its duration leaves out starting a broker, the host and the workers.
            monitor.Started();
            var started = request with { Spec = request.Spec with { RequestedAt = DateTimeOffset.UtcNow } };
            if (follow is not null)
            {
                try { await app.Services.GetRequiredService<SqsSender>().PublishAsync(started, follow, ct).ConfigureAwait(false); }
                catch (SqsSendException e)
                {
                    throw new OrchestrationException(AsTyped(messaging, $"{messaging.BrokerForDisplay}: {e.Message}{(submit ? " (--submit hands the run to services already started)" : "")}"));
                }
            }
            else await app.Services.GetRequiredService<IBus>().Publish(started, ct).ConfigureAwait(false);
            PhaseProbe.Mark("first-publish");
            var completed = await monitor.Completion.WaitAsync(ct).ConfigureAwait(false);
            PhaseProbe.Mark("run");
            run?.SetTag("zagg.cells", completed.Cells).SetTag("zagg.errors", completed.Errors);
            return completed;
        }
        finally
        {
            if (workers is not null) await workers.DisposeAsync().ConfigureAwait(false);
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            PhaseProbe.Mark("host-stop");
            await DeleteFollowQueueAsync(messaging, follow).ConfigureAwait(false);
        }
    }

    /// <summary>Creates the run's follow queue (<see cref="SqsQueueNames.Follow"/>); SQS that does not answer is one line.</summary>
    private static async Task<string> CreateFollowQueueAsync(MessagingOptions messaging, Guid runId, CancellationToken ct)
    {
        var names = new SqsQueueNames(messaging.SqsPrefix!);
        using var client = SqsBus.CreateClient(messaging);
        try
        {
            await new SqsQueueDirectory(client, names, messaging.SqsMaxReceiveCount, messaging.SqsVisibilityTimeout).CreateFollowQueueAsync(names.Follow(runId), ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is Amazon.Runtime.AmazonServiceException or Amazon.Runtime.AmazonClientException or HttpRequestException)
        {
            throw new OrchestrationException(AsTyped(messaging, $"{messaging.BrokerForDisplay}: {Zagg.Cloud.S3Errors.OneLine(e)}"));
        }
        return names.Follow(runId);
    }

    /// <summary>An SQS error as the user asked for SQS: a run on a deployed stack says "--backend aws: " first.</summary>
    private static string AsTyped(MessagingOptions messaging, string message) => messaging.SqsStackQueues ? "--backend aws: " + message : message;

    private static async Task DeleteFollowQueueAsync(MessagingOptions messaging, string? follow)
    {
        if (follow is null) return;
        using var client = SqsBus.CreateClient(messaging);
        try { await new SqsQueueDirectory(client, new SqsQueueNames(messaging.SqsPrefix!), 1, TimeSpan.FromSeconds(30)).DeleteAsync(follow, CancellationToken.None).ConfigureAwait(false); }
        catch (Exception e) when (e is Amazon.Runtime.AmazonServiceException or Amazon.Runtime.AmazonClientException or HttpRequestException) { }
    }

    private static async Task<LocalBroker?> EnsureBrokerAsync(OrchestrationOptions options, TextWriter log, CancellationToken ct)
    {
        var messaging = options.Messaging;
        if (!messaging.IsRabbitMq) return null;
        string host = messaging.RabbitMq.Host;
        int port = messaging.RabbitMq.IsDefaultPort || messaging.RabbitMq.Port <= 0 ? 5672 : messaging.RabbitMq.Port;
        if (await LocalBroker.AnswersAsync(host, port, ct).ConfigureAwait(false)) return null;
        if (options.SubmitOnly)
            throw new OrchestrationException($"no broker answers at {messaging.BrokerForDisplay} (--submit hands the run to services listening on it: start them and it, e.g. with the Aspire AppHost)");
        if (!options.StartBroker)
            throw new OrchestrationException($"no broker answers at {messaging.BrokerForDisplay} (start RabbitMQ, or pass --start-broker to start Debian's rabbitmq-server)");
        if (host is not ("127.0.0.1" or "localhost"))
            throw new OrchestrationException($"--start-broker starts a broker on this machine's loopback only, not at {host}");
        try { return await LocalBroker.StartAsync(port, log, ct).ConfigureAwait(false); }
        catch (InvalidOperationException e) { throw new OrchestrationException(e.Message); }
    }
}

/// <summary>The run could not be orchestrated (no broker, no workers): shown to the user as is.</summary>
public sealed class OrchestrationException(string message) : Exception(message);
