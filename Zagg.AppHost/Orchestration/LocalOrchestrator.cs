using System.Diagnostics;
using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Trace;
using Zagg.Catalog;
using Zagg.Consolidation;
using Zagg.Contracts;
using Zagg.Dispatcher;
using Zagg.ServiceDefaults.Hosting;
using Zagg.ServiceDefaults.Messaging;
using Zagg.ServiceDefaults.Telemetry;
using Zagg.Template;
using Zagg.Worker;

namespace Zagg.AppHost.Orchestration;

/// <summary>How zagg run runs: the transport, the worker processes, the dashboard.</summary>
public sealed record OrchestrationOptions
{
    public MessagingOptions Messaging { get; init; } = new();

    /// <summary>Worker processes to start with the RabbitMQ transport (in-memory runs the worker in this process).</summary>
    public int WorkerProcesses { get; init; } = 2;

    public bool StartBroker { get; init; }

    /// <summary>Serve the dashboard on 127.0.0.1 at this port (0: any free port); null: no dashboard.</summary>
    public int? DashboardPort { get; init; }

    /// <summary>Tests add an exporter here.</summary>
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

    public static async Task<RunCompleted> RunAsync(RunRequested request, OrchestrationOptions options, RunMonitor monitor, TextWriter log, Action<string>? dashboardReady = null, CancellationToken ct = default)
    {
        var messaging = options.Messaging;
        await using var broker = await EnsureBrokerAsync(options, log, ct).ConfigureAwait(false);

        // Kestrel only for the dashboard: a run without one starts a plain host (faster, no port).
        IHostApplicationBuilder builder = options.DashboardPort is null
            ? Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = ServiceName, ContentRootPath = AppContext.BaseDirectory })
            : WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = ServiceName, Args = ["--hostBuilder:reloadConfigOnChange=false"], ContentRootPath = AppContext.BaseDirectory });
        builder.AddZaggServiceDefaults(ServiceName, options.Traces);
        // The services log warnings and errors only: the run's progress is the AppHost's own output.
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("MassTransit", LogLevel.Error);
        builder.Services.AddSingleton(monitor);
        builder.Services.AddZaggBus(messaging, x =>
        {
            x.AddCatalogService();
            x.AddTemplateService();
            x.AddDispatcherService();
            x.AddConsolidationService();
            if (!messaging.IsRabbitMq) x.AddWorkerService();
            x.AddConsumer<RunObserver>().Endpoint(e =>
            {
                e.Temporary = true;
                e.InstanceId = request.RunId.ToString("N");
            });
        });
        await using var depths = new QueueDepths(messaging);
        WorkerProcesses? workers = null;
        IHost app;
        WebApplication? web = null;
        if (builder is WebApplicationBuilder webBuilder)
        {
            webBuilder.WebHost.UseUrls($"http://127.0.0.1:{options.DashboardPort}");
            app = web = webBuilder.Build();
            Dashboard.Map(web, token => StateAsync(request, options, monitor, workers, depths, token));
        }
        else app = ((HostApplicationBuilder)builder).Build();
        using var disposeHost = app;

        try
        {
            await app.StartAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException && messaging.IsRabbitMq)
        {
            throw new OrchestrationException($"cannot reach the broker at {messaging.BrokerForDisplay}: {e.Message} (start one, or pass --start-broker)");
        }
        try
        {
            if (web is not null) dashboardReady?.Invoke(web.Urls.First());
            if (messaging.IsRabbitMq)
            {
                workers = WorkerProcesses.Start(options.WorkerProcesses, messaging, log);
                _ = workers.AllExited.ContinueWith(_ => monitor.Abort(new OrchestrationException(
                    "every worker process exited before the run completed (their output is above)")), TaskScheduler.Default);
            }
            using (var run = ZaggTelemetry.AppHostSource.StartActivity("zagg run", ActivityKind.Producer))
            {
                run?.SetTag("zagg.run_id", request.RunId.ToString()).SetTag("zagg.store", request.Spec.Store).SetTag("zagg.transport", messaging.Transport);
                var bus = app.Services.GetRequiredService<IBus>();
                // The run starts now: its duration leaves out starting a broker, the host and the workers.
                await bus.Publish(request with { Spec = request.Spec with { RequestedAt = DateTimeOffset.UtcNow } }, ct).ConfigureAwait(false);
                var completed = await monitor.Completion.WaitAsync(ct).ConfigureAwait(false);
                run?.SetTag("zagg.cells", completed.Cells).SetTag("zagg.errors", completed.Errors);
                return completed;
            }
        }
        finally
        {
            if (workers is not null) await workers.DisposeAsync().ConfigureAwait(false);
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static async Task<LocalBroker?> EnsureBrokerAsync(OrchestrationOptions options, TextWriter log, CancellationToken ct)
    {
        var messaging = options.Messaging;
        if (!messaging.IsRabbitMq) return null;
        string host = messaging.RabbitMq.Host;
        int port = messaging.RabbitMq.IsDefaultPort || messaging.RabbitMq.Port <= 0 ? 5672 : messaging.RabbitMq.Port;
        if (await LocalBroker.AnswersAsync(host, port, ct).ConfigureAwait(false)) return null;
        if (!options.StartBroker)
            throw new OrchestrationException($"no broker answers at {messaging.BrokerForDisplay} (start RabbitMQ, or pass --start-broker to start Debian's rabbitmq-server)");
        if (host is not ("127.0.0.1" or "localhost"))
            throw new OrchestrationException($"--start-broker starts a broker on this machine's loopback only, not at {host}");
        try { return await LocalBroker.StartAsync(port, log, ct).ConfigureAwait(false); }
        catch (InvalidOperationException e) { throw new OrchestrationException(e.Message); }
    }

    private static async Task<JsonObject> StateAsync(RunRequested request, OrchestrationOptions options, RunMonitor monitor, WorkerProcesses? workers, QueueDepths depths, CancellationToken ct)
    {
        bool rabbit = options.Messaging.IsRabbitMq;
        double elapsed = monitor.Clock.Elapsed.TotalSeconds;
        var completion = monitor.Completion;
        string where = rabbit ? $"zagg (pid {Environment.ProcessId}), {options.Messaging.BrokerForDisplay}" : $"zagg (pid {Environment.ProcessId}), in memory";
        var services = new JsonArray();
        foreach (string name in new[] { CatalogService.Name, TemplateService.Name, DispatcherService.Name, ConsolidationService.Name })
            services.Add(new JsonObject { ["name"] = name, ["where"] = where });
        if (!rabbit) services.Add(new JsonObject { ["name"] = WorkerService.Name, ["where"] = where });
        var workerRows = new JsonArray();
        var seen = new HashSet<string>();
        if (workers is not null)
            foreach (var w in workers.Workers.Values.OrderBy(w => w.Number))
            {
                string key = monitor.Workers.Keys.FirstOrDefault(k => k.EndsWith($":{w.ProcessId}", StringComparison.Ordinal)) ?? $"worker {w.Number}";
                seen.Add(key);
                workerRows.Add(new JsonObject
                {
                    ["name"] = $"worker {w.Number}", ["pid"] = w.ProcessId, ["cells"] = monitor.Workers.GetValueOrDefault(key),
                    ["state"] = w.ExitCode is int code ? $"exited ({code})" : "running",
                });
            }
        foreach (var (name, cells) in monitor.Workers)
            if (seen.Add(name)) workerRows.Add(new JsonObject { ["name"] = name, ["cells"] = cells, ["state"] = rabbit ? "seen" : "in process" });
        var queues = new JsonArray();
        if (rabbit)
            foreach (var (name, depth) in await depths.ReadAsync(ct).ConfigureAwait(false)) queues.Add(new JsonObject { ["name"] = name, ["depth"] = depth });
        else
            queues.Add(new JsonObject { ["name"] = Queues.Worker + " (cells not yet finished)", ["depth"] = Math.Max(0, monitor.Planned - monitor.Done - monitor.Failed) });
        var failures = new JsonArray();
        foreach (var f in monitor.Failures) failures.Add(new JsonObject { ["cell"] = f.ParentMorton, ["attempts"] = f.Attempts, ["error"] = f.Error });
        return new JsonObject
        {
            ["run"] = new JsonObject
            {
                ["id"] = request.RunId.ToString(),
                ["store"] = request.Spec.Store,
                ["transport"] = rabbit ? "rabbitmq" : "in-memory",
                ["planned"] = monitor.Planned,
                ["done"] = monitor.Done,
                ["failed"] = monitor.Failed,
                ["observations"] = monitor.Observations,
                ["elapsed_s"] = elapsed,
                ["obs_per_second"] = elapsed > 0 ? monitor.Observations / elapsed : 0,
                ["completed"] = completion.IsCompletedSuccessfully ? (completion.Result.Error ?? completion.Result.Summary) : null,
            },
            ["services"] = services,
            ["workers"] = workerRows,
            ["queues"] = queues,
            ["failures"] = failures,
        };
    }
}

/// <summary>The run could not be orchestrated (no broker, no workers): shown to the user as is.</summary>
public sealed class OrchestrationException(string message) : Exception(message);
