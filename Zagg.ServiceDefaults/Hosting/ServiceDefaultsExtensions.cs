using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Zagg.ServiceDefaults.Hosting;

/// <summary>
/// Aspire's service defaults, the one call every Zagg host makes (the services, the zagg command's
/// in-process run, the AppHost's resources): logs, OpenTelemetry, health checks, HttpClient resilience.
/// </summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>
    /// The ActivitySource and Meter names every host listens to: Zagg's own (matched by the wildcard
    /// "Zagg.*": Zagg.Pipeline, Zagg.Cli, …, without referencing them) and MassTransit's.
    /// </summary>
    public static readonly string[] Sources = ["Zagg.*", "MassTransit"];

    /// <summary>The readiness probe's path: every health check, the bus's included.</summary>
    public const string HealthPath = "/health";

    /// <summary>The liveness probe's path: the checks tagged <see cref="LiveTag"/>.</summary>
    public const string AlivePath = "/alive";

    /// <summary>The health check tag of the liveness probe (<c>/alive</c>): the process answers.</summary>
    public const string LiveTag = "live";

    /// <summary>
    /// Adds the service defaults to <paramref name="builder"/>:
    /// <list type="bullet">
    /// <item>logs: one line per entry on the console, or JSON when <c>ZAGG_LOG_FORMAT=json</c>; also to OpenTelemetry
    /// (with formatted messages and scopes) when telemetry is on;</item>
    /// <item>OpenTelemetry through its hosting extensions, for the resource <paramref name="serviceName"/> (namespace "zagg",
    /// this build's version, instance host:pid): traces of <see cref="Sources"/>, HttpClient and ASP.NET Core; metrics of
    /// the same meters plus the runtime's; exported by OTLP. On only when something takes it: <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>
    /// is set (<see cref="OtlpConfigured"/>; Aspire sets it) or <paramref name="traces"/> is given. Otherwise no provider is
    /// built: nothing would read what they collect, and building them is a tenth of a one-cell zagg run's CPU;</item>
    /// <item>health checks: "self" (tagged <see cref="LiveTag"/>) — a host adds its own (the bus adds one);</item>
    /// <item>the standard resilience handler (retries, timeouts, circuit breaker) on every HttpClient made by the factory.</item>
    /// </list>
    /// </summary>
    /// <param name="builder">The host being built.</param>
    /// <param name="serviceName">The service's name in telemetry (for example "Zagg.Worker").</param>
    /// <param name="traces">More tracing configuration, for example a test's in-memory exporter (turns telemetry on); null for none.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="serviceName"/> is empty.</exception>
    public static IHostApplicationBuilder AddZaggServiceDefaults(this IHostApplicationBuilder builder, string serviceName, Action<TracerProviderBuilder>? traces = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceName);
        // Telemetry only where something takes it: an OTLP collector, or a caller's own tracing (a test's exporter). Building
        // the providers and their instrumentation costs a short run (zagg run of one cell) about a tenth of its CPU.
        bool telemetry = traces is not null || OtlpConfigured;
        builder.ConfigureZaggLogging(telemetry);
        if (telemetry) builder.ConfigureOpenTelemetry(serviceName, traces);
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        builder.Services.ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler());
        return builder;
    }

    private static void ConfigureZaggLogging(this IHostApplicationBuilder builder, bool telemetry)
    {
        builder.Logging.ClearProviders();
        if (Environment.GetEnvironmentVariable("ZAGG_LOG_FORMAT") == "json") builder.Logging.AddJsonConsole(o => o.IncludeScopes = true);
        else builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        if (telemetry) builder.Logging.AddOpenTelemetry(o =>
        {
            o.IncludeFormattedMessage = true;
            o.IncludeScopes = true;
        });
    }

    private static void ConfigureOpenTelemetry(this IHostApplicationBuilder builder, string serviceName, Action<TracerProviderBuilder>? traces)
    {
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(serviceName, serviceNamespace: ServiceIdentity.Product, serviceVersion: ServiceIdentity.Version,
                serviceInstanceId: $"{Environment.MachineName}:{Environment.ProcessId}"))
            .WithTracing(t =>
            {
                // The health probes (Aspire polls them every few seconds) are not worth a trace each.
                t.AddSource(Sources).AddHttpClientInstrumentation()
                    .AddAspNetCoreInstrumentation(o => o.Filter = c => !c.Request.Path.StartsWithSegments(HealthPath) && !c.Request.Path.StartsWithSegments(AlivePath));
                traces?.Invoke(t);
            })
            .WithMetrics(m => m.AddMeter(Sources).AddHttpClientInstrumentation().AddAspNetCoreInstrumentation().AddRuntimeInstrumentation());
        // Aspire injects the endpoint (and its headers, protocol) into each resource's environment. The exporter reads them
        // from the host's configuration, which a host built with CreateEmptyApplicationBuilder (zagg run) does not fill from
        // the environment: hand it the OTEL_* variables themselves (a value the configuration already has wins).
        if (OtlpConfigured)
        {
            var otel = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
                if (e.Key is string key && key.StartsWith("OTEL_", StringComparison.Ordinal) && builder.Configuration[key] is null) otel[key] = e.Value as string;
            builder.Configuration.AddInMemoryCollection(otel);
            telemetry.UseOtlpExporter();
        }
    }

    /// <summary>True when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> names a collector (Aspire's dashboard, Jaeger, …).</summary>
    public static bool OtlpConfigured => !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"));

    /// <summary>
    /// Serves the health checks: <c>/health</c> (ready: every check, the bus's included) and <c>/alive</c> (live: the
    /// checks tagged <see cref="LiveTag"/>). Bind the app to loopback (the services do: http://127.0.0.1:PORT).
    /// </summary>
    /// <param name="app">The built web application.</param>
    /// <returns><paramref name="app"/>.</returns>
    public static WebApplication MapZaggHealth(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapHealthChecks(HealthPath);
        app.MapHealthChecks(AlivePath, new HealthCheckOptions { Predicate = r => r.Tags.Contains(LiveTag) });
        return app;
    }
}
