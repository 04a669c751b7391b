using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Lifecycle;
using Microsoft.Extensions.DependencyInjection;
using Zagg.AppHost.Broker;

namespace Zagg.AppHost;

/// <summary>
/// The application model: the broker, the five services (<c>services/Zagg.*</c>, the worker as N replicas) and the run
/// itself (the zagg command, which only submits the run and follows it); or, without a broker, the run alone with every
/// service in its process on the in-memory transport.
/// </summary>
internal static class ZaggModel
{
    /// <summary>The run resource's name.</summary>
    public const string Run = "run";

    /// <summary>The environment variable that gives a service its broker URL (services/ServiceHost reads it).</summary>
    public const string BrokerVariable = "ZAGG_RABBITMQ";

    /// <summary>Adds the resources; returns the broker chosen and a line for the start banner.</summary>
    public static (BrokerKind Broker, string Banner) Add(IDistributedApplicationBuilder builder, AppHostOptions options)
    {
        var kind = BrokerChoice.Choose(options.Transport, out string? why);
        var run = builder.AddProject<Projects.Zagg_Cli>(Run).WithArgs([.. RunArguments(options, submit: kind != BrokerKind.InMemory)]);
        WithoutOrphanTelemetry(run);
        AddViewer(builder, options);
        if (kind == BrokerKind.InMemory)
        {
            string note = options.Workers != 2 ? $"; --workers {options.Workers} does not apply" : "";
            return (kind, $"no broker ({why}): all five services run in one process, the run resource, on the in-memory transport{note}");
        }

        IResourceBuilder<IResource>? broker = null;
        Action<EnvironmentCallbackContext> brokerUrl;
        string banner;
        if (kind == BrokerKind.Sqs)
        {
            // No broker resource: the services and the run reach SQS where the AppHost does (the endpoint or the region,
            // passed on by name; credentials stay the processes' own default chain, never shown in the dashboard).
            brokerUrl = c =>
            {
                c.EnvironmentVariables["ZAGG_TRANSPORT"] = "sqs";
                c.EnvironmentVariables["ZAGG_SQS_PREFIX"] = options.SqsPrefix!;
                foreach (string name in new[] { "AWS_ENDPOINT_URL_SQS", "AWS_REGION", "AWS_DEFAULT_REGION" })
                    if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } value) c.EnvironmentVariables[name] = value;
            };
            var sqs = Zagg.Messaging.MessagingOptions.Parse("sqs", null, options.SqsPrefix);
            banner = $"messages: {sqs.BrokerForDisplay}";
            return AddServices(builder, options, run, broker, brokerUrl, banner, kind);
        }

        var folder = RunFolder.Create();
        // Disposed with the AppHost's services (after its resources stopped): resolved once so the container owns it.
        builder.Services.AddSingleton(_ => folder);
        builder.Eventing.Subscribe<BeforeStartEvent>((e, _) =>
        {
            e.Services.GetRequiredService<RunFolder>();
            return Task.CompletedTask;
        });
        if (kind == BrokerKind.Container)
        {
            var rabbit = builder.AddRabbitMQ("rabbitmq");
            broker = rabbit;
            brokerUrl = c => c.EnvironmentVariables[BrokerVariable] = rabbit.Resource.ConnectionStringExpression;
            banner = "broker: RabbitMQ in a container";
        }
        else
        {
            var (server, url) = DebianRabbitMq.Add(builder, folder.Path);
            broker = server;
            brokerUrl = c => c.EnvironmentVariables[BrokerVariable] = url.ToString();
            banner = $"broker: Debian's rabbitmq-server on 127.0.0.1:{url.Port} (no container runtime answers)";
        }
        return AddServices(builder, options, run, broker, brokerUrl, banner, kind);
    }

    /// <summary>The five services (the worker as replicas), each told its transport by <paramref name="brokerUrl"/>; the run waits for them.</summary>
    private static (BrokerKind, string) AddServices(IDistributedApplicationBuilder builder, AppHostOptions options, IResourceBuilder<ProjectResource> run,
        IResourceBuilder<IResource>? broker, Action<EnvironmentCallbackContext> brokerUrl, string banner, BrokerKind kind)
    {
        IResourceBuilder<ProjectResource> Service<T>(string name, bool health = true) where T : IProjectMetadata, new()
        {
            var service = builder.AddProject<T>(name).WithEnvironment(brokerUrl);
            if (broker is not null) service.WaitFor(broker);
            WithoutOrphanTelemetry(service);
            if (health)
            {
                // /health reports the bus: healthy once its queues are bound, so no message published to them is lost.
                int port = FreePort.Next();
                service.WithArgs("--health-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    .WithHttpEndpoint(port: port, name: "health", isProxied: false)
                    .WithHttpHealthCheck("/health", endpointName: "health");
            }
            return service;
        }

        var catalog = Service<Projects.Zagg_Catalog>("catalog");
        var template = Service<Projects.Zagg_Template>("template");
        var dispatcher = Service<Projects.Zagg_Dispatcher>("dispatcher");
        var consolidation = Service<Projects.Zagg_Consolidation>("consolidation");
        // No health port for the replicas (one port each would have to be known in advance): the dispatcher sends the
        // cells to their queue, which holds them until the replicas read.
        var worker = Service<Projects.Zagg_Worker>("worker", health: false).WithReplicas(options.Workers);
        run.WithEnvironment(brokerUrl).WaitFor(catalog).WaitFor(template).WaitFor(dispatcher).WaitFor(consolidation).WaitFor(worker);
        return (kind, $"{banner}; {options.Workers} worker replica(s)");
    }

    /// <summary>The viewer resource's name.</summary>
    public const string Viewer = "viewer";

    /// <summary>
    /// <c>zagg view</c> of the run's store as a resource, its page's URL shown in the dashboard: it waits for the
    /// run to write the store's template, then draws each parent cell as its chunk lands. Only when the store is
    /// known here (the demo's, or --store); a store named only by the config is the run's to resolve.
    /// </summary>
    private static void AddViewer(IDistributedApplicationBuilder builder, AppHostOptions options)
    {
        string? store = options.IsDemo ? Path.Combine(options.DemoFolder, "atl06.zarr") : options.Store;
        if (store is null) return;
        int port = FreePort.Next();
        var viewer = builder.AddProject<Projects.Zagg_Cli>(Viewer)
            .WithArgs("view", store, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--wait")
            .WithHttpEndpoint(port: port, name: "http", isProxied: false);
        WithoutOrphanTelemetry(viewer);
    }

    /// <summary>The zagg command line of the run resource (paths already absolute; the broker comes by environment).</summary>
    internal static IEnumerable<string> RunArguments(AppHostOptions options, bool submit)
    {
        if (options.IsDemo)
        {
            yield return "demo";
            yield return "--out";
            yield return options.DemoFolder;
        }
        else
        {
            yield return "run";
            yield return "--catalog";
            yield return options.Catalog!;
            if (options.Config is not null)
            {
                yield return "--config";
                yield return options.Config;
            }
            if (options.Store is not null)
            {
                yield return "--store";
                yield return options.Store;
            }
            if (submit)
            {
                yield return "--transport";
                yield return options.Transport == "sqs" ? "sqs" : "rabbitmq";
                if (options.Transport == "sqs")
                {
                    yield return "--sqs-prefix";
                    yield return options.SqsPrefix!;
                }
            }
        }
        if (submit) yield return "--submit";
    }

    /// <summary>
    /// Without a dashboard Aspire still gives each project an OTLP endpoint where nothing listens, and every process
    /// then stalls ~15 s at exit flushing to it: drop the OTEL_EXPORTER_OTLP_* variables when there is no dashboard.
    /// </summary>
    private static void WithoutOrphanTelemetry(IResourceBuilder<ProjectResource> project) => project.WithEnvironment(c =>
    {
        var model = c.ExecutionContext.Services.GetRequiredService<DistributedApplicationModel>();
        if (model.Resources.Any(r => r.Name == "aspire-dashboard")) return;
        foreach (string key in c.EnvironmentVariables.Keys.Where(k => k.StartsWith("OTEL_EXPORTER_OTLP_", StringComparison.Ordinal)).ToList())
            c.EnvironmentVariables.Remove(key);
    });
}
