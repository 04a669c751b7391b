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
using Zagg.Messaging.InProcess;
using Zagg.Messaging.Sqs;
using Zagg.Runs;
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
    /// process hosts (every one on the in-process transport; the coordinating ones plus worker processes on RabbitMQ; none
    /// with <see cref="OrchestrationOptions.SubmitOnly"/>, where the services run elsewhere, under the Aspire AppHost for
    /// one), publishes RunRequested under the run's root span ("zagg run", whose context the transport carries to every
    /// service) and waits.
    /// </summary>
    /// <exception cref="OrchestrationException">No broker answers, --submit without RabbitMQ, or every worker process exited.</exception>
    /// <param name="prepared">The services <see cref="StartInMemory"/> started for this run (in-memory transport), or null to start them here.</param>
    public static async Task<RunCompleted> RunAsync(RunRequested request, OrchestrationOptions options, RunMonitor monitor, TextWriter log, CancellationToken ct = default,
        LocalServices? prepared = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (prepared is not null && (!ReferenceEquals(prepared.Monitor, monitor) || monitor.RunId != request.RunId || options.Messaging.IsDistributed || options.SubmitOnly))
            throw new ArgumentException("the services were started for another run or transport", nameof(prepared));
        var messaging = options.Messaging;
        bool submit = options.SubmitOnly;
        if (submit && !messaging.IsDistributed) throw new OrchestrationException("--submit hands the run to services that listen on a broker: it needs --transport rabbitmq or sqs");
        // Asked before the bus starts: a bus that cannot reach its broker keeps trying, and its threads keep the process up.
        await using var broker = await EnsureBrokerAsync(options, log, ct).ConfigureAwait(false);

        PhaseProbe.Mark("main-to-orchestrator");
        // SQS: the run's events come to a queue of this run's own (created now, deleted at the end), named in every message of the run.
        string? follow = messaging.IsSqs ? await CreateFollowQueueAsync(messaging, request.RunId, ct).ConfigureAwait(false) : null;
        WorkerProcesses? workers = null;
        // The worker of an in-memory run lives in this process: it starts locating the run's granules (the first cells'
        // first) now, on the thread pool, while the bus starts and the first messages travel (a hint: the cells still come
        // through the bus).
        await using var ahead = prepared?.LocateAhead(request, messaging.WorkerConcurrency, ct);
        using var app = prepared is not null ? await prepared.TakeAsync().ConfigureAwait(false) : Build(request.RunId, options, monitor, follow);
        if (prepared is null)
        {
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
            else if (!messaging.IsDistributed) app.Services.GetRequiredService<InProcessQueues>().Publish(started, InProcessQueues.FollowQueue(request.RunId));
            else await app.Services.GetRequiredService<IBus>().Publish(started, ct).ConfigureAwait(false);
            PhaseProbe.Mark("first-publish");
            var completed = await monitor.Completion.WaitAsync(ct).ConfigureAwait(false);
            RunTimeline.Mark("RunCompleted seen by zagg run");
            PhaseProbe.Mark("run");
            run?.SetTag("zagg.cells", completed.Cells).SetTag("zagg.errors", completed.Errors);
            return completed;
        }
        finally
        {
            if (workers is not null) await workers.DisposeAsync().ConfigureAwait(false);
            // The hint ends (at most the granule it is locating) before the worker's caches close with the host.
            if (ahead is not null) await ahead.DisposeAsync().ConfigureAwait(false);
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            PhaseProbe.Mark("host-stop");
            await DeleteFollowQueueAsync(messaging, follow).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Starts, on a thread-pool thread, the services of an in-memory run (every one in this process) for the run that
    /// <paramref name="monitor"/> follows, while the caller reads its config and catalog: pass
    /// the result to <see cref="RunAsync"/>, or dispose it when the run is refused before it starts.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="options"/> name a broker (RabbitMQ or SQS): their hosts start in <see cref="RunAsync"/>.</exception>
    public static LocalServices StartInMemory(OrchestrationOptions options, RunMonitor monitor)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Messaging.IsDistributed || options.SubmitOnly) throw new ArgumentException("only the in-memory transport's services start ahead of the run", nameof(options));
        ArgumentNullException.ThrowIfNull(monitor);
        var built = new TaskCompletionSource<IServiceProvider>(TaskCreationOptions.RunContinuationsAsynchronously);
        var host = Task.Run(async () =>
        {
            IHost app;
            try { app = Build(monitor.RunId, options, monitor, follow: null); }
            catch (Exception e)
            {
                built.TrySetException(e);
                throw;
            }
            built.TrySetResult(app.Services);
            try { await app.StartAsync().ConfigureAwait(false); }
            catch
            {
                app.Dispose();
                throw;
            }
            PhaseProbe.Mark("host-start");
            return app;
        });
        return new LocalServices(monitor, host, built.Task);
    }

    /// <summary>The host of the services this process runs (none with <see cref="OrchestrationOptions.SubmitOnly"/>) and the run's observer.</summary>
    private static IHost Build(Guid runId, OrchestrationOptions options, RunMonitor monitor, string? follow)
    {
        var messaging = options.Messaging;
        bool submit = options.SubmitOnly;
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = ServiceName, ContentRootPath = AppContext.BaseDirectory });
        PhaseProbe.Mark("host-builder");
        builder.AddZaggServiceDefaults(ServiceName, options.Traces);
        PhaseProbe.Mark("service-defaults");
        // The services log warnings and errors only: the run's progress is the command's own output.
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // MassTransit logs a faulted message with its stack trace, the in-process transport each failed delivery; the run
        // reports the failures itself, by name.
        builder.Logging.AddFilter("MassTransit", LogLevel.Critical);
        builder.Logging.AddFilter(typeof(InProcessReceiver).FullName, LogLevel.Error);
        // A host that cannot start (no broker) is reported once, as one line, below: not also as the host's stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        // The consolidation service logs each failed cell and a stopped run; this command prints both itself (the failed
        // cells by name at the end, a stopped run as its one error line), so here they would be said twice.
        builder.Logging.AddFilter(typeof(Zagg.Consolidation.RunTracker).FullName, LogLevel.None);
        builder.Services.AddSingleton(monitor);
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
        else if (!messaging.IsDistributed)
            builder.Services.AddZaggInProcess(messaging, x =>
            {
                x.AddCatalogHandlers();
                x.AddTemplateHandlers();
                x.AddDispatcherHandlers();
                x.AddConsolidationHandlers();
                x.AddWorkerHandlers();
                RunFollower.Register(x, InProcessQueues.FollowQueue(runId));
            });
        else builder.Services.AddZaggBus(messaging, x =>
        {
            if (!submit)
            {
                x.AddCatalogService();
                x.AddTemplateService();
                x.AddDispatcherService();
                x.AddConsolidationService();
            }
            x.AddConsumer<RunObserver>().Endpoint(e =>
            {
                e.Temporary = true;
                e.InstanceId = runId.ToString("N");
            });
        });
        PhaseProbe.Mark("add-bus");
        var app = builder.Build();
        PhaseProbe.Mark("host-build");
        return app;
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

/// <summary>
/// The in-memory services <see cref="LocalOrchestrator.StartInMemory"/> starts ahead of a run: handed to
/// <see cref="LocalOrchestrator.RunAsync"/>, which stops them at the end; disposed (stopped) when the run never starts.
/// </summary>
public sealed class LocalServices : IAsyncDisposable
{
    private readonly Task<IHost> _host;
    private readonly Task<IServiceProvider> _built;
    private int _taken;

    internal LocalServices(RunMonitor monitor, Task<IHost> host, Task<IServiceProvider> built)
    {
        Monitor = monitor;
        _host = host;
        _built = built;
    }

    /// <summary>The monitor of the run whose observer the services carry (its <see cref="RunMonitor.RunId"/>).</summary>
    public RunMonitor Monitor { get; }

    /// <summary>The started host, for the run that now owns it (and stops it).</summary>
    internal Task<IHost> TakeAsync()
    {
        if (Interlocked.Exchange(ref _taken, 1) != 0) throw new InvalidOperationException("these services were handed to a run already");
        return _host;
    }

    /// <summary>
    /// Starts, on the thread pool, the in-process worker's hint for <paramref name="request"/>
    /// (<see cref="WorkerService.LocateAheadAsync"/>): as soon as the services are built (not started), the run's plan —
    /// its catalog read as the dispatcher reads it (parsed once per process), its cells selected by the same
    /// <see cref="RunPlanner.Select"/>, largest first — and its local granules opened and located, the first
    /// <paramref name="cellsAtOnce"/> cells' first, then the others' in dispatch order. Nothing is awaited here; no wrong input the hint meets reaches the run (a run whose catalog is built by
    /// its query, or whose plan cannot be made, gets no hint; the cells report every error themselves).
    /// </summary>
    /// <returns>The hint: disposing it stops it before its next granule and waits for the granule it is locating.</returns>
    internal LocatingAhead LocateAhead(RunRequested request, int cellsAtOnce, CancellationToken ct)
    {
        var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var token = stop.Token;
        var work = Task.Run(async () =>
        {
            try
            {
                if (request.Spec.Query is not null) return -1;
                // Services that could not be built: the run's own step (TakeAsync) reports that, not the hint.
                await ((Task)_built).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                if (!_built.IsCompletedSuccessfully) return -1;
                var services = _built.Result;
                var config = ConfigReferences.Load(request.Spec.Config);
                var catalog = await RunPlanner.LoadCatalogAsync(request.Spec.Catalog, token).ConfigureAwait(false);
                var plan = RunPlanner.Select(catalog, request.Spec.Selection, config);
                var cells = new IReadOnlyList<string>[plan.Count];
                for (int i = 0; i < cells.Length; i++) cells[i] = plan[i].Granules;
                RunTimeline.Mark("locating ahead");
                int located = await WorkerService.LocateAheadAsync(services, request.RunId, request.Spec.Config, catalog.ParentOrder, cells, cellsAtOnce, token).ConfigureAwait(false);
                RunTimeline.Mark($"located ahead: {located} granules");
                return located;
            }
            catch (Exception e) when (e is Zagg.Pipeline.Config.ConfigException or Zagg.Pipeline.Catalogs.CatalogException or OperationCanceledException)
            {
                // A wrong config or catalog, or Ctrl-C: the run's own steps meet and report it (a granule's error the
                // aggregator leaves to its cell); anything else is a fault of the hint's and surfaces when it is disposed.
                RunTimeline.Mark($"locating ahead stopped: {e.GetType().Name}");
                return -1;
            }
        }, CancellationToken.None);
        return new LocatingAhead(stop, work);
    }

    /// <summary>Stops and disposes the services unless a run took them (a run refused before it started).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _taken, 1) != 0) return;
        IHost host;
        try { host = await _host.ConfigureAwait(false); }
        catch (Exception) { return; } // never started: nothing to stop (the run was refused anyway)
        using (host) await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
    }
}

/// <summary>The in-process worker's hint of a run (<see cref="LocalServices.LocateAhead"/>), stopped when disposed.</summary>
internal sealed class LocatingAhead(CancellationTokenSource stop, Task<int> work) : IAsyncDisposable
{
    /// <summary>The hint's work: the granules it located, or −1 when it made no plan (a query run, services not built) or met a wrong config or catalog.</summary>
    public Task<int> Work => work;

    private int _stopped;

    /// <summary>Stops the hint before its next granule and waits for the granule it is locating (once; again, it waits only).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            await work.ConfigureAwait(false);
            return;
        }
        await stop.CancelAsync().ConfigureAwait(false);
        await work.ConfigureAwait(false);
        stop.Dispose();
    }
}

/// <summary>The run could not be orchestrated (no broker, no workers): shown to the user as is.</summary>
public sealed class OrchestrationException(string message) : Exception(message);
