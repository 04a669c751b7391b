using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Logs;
using OpenTelemetry.Trace;
using Zagg.ServiceDefaults.Telemetry;

namespace Zagg.ServiceDefaults.Hosting;

/// <summary>The one call every Zagg host makes.</summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>
    /// Structured logs (single-line console, or JSON when ZAGG_LOG_FORMAT=json; OTLP when
    /// OTEL_EXPORTER_OTLP_ENDPOINT is set), OpenTelemetry traces and metrics, health checks.
    /// </summary>
    public static IHostApplicationBuilder AddZaggServiceDefaults(this IHostApplicationBuilder builder, string serviceName, Action<TracerProviderBuilder>? traces = null)
    {
        builder.Logging.ClearProviders();
        if (Environment.GetEnvironmentVariable("ZAGG_LOG_FORMAT") == "json") builder.Logging.AddJsonConsole(o => o.IncludeScopes = true);
        else builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        if (ZaggTelemetry.OtlpConfigured)
            builder.Logging.AddOpenTelemetry(o =>
            {
                o.SetResourceBuilder(ZaggTelemetry.Resource(serviceName));
                o.IncludeFormattedMessage = true;
                o.AddOtlpExporter();
            });
        builder.Services.AddSingleton(_ => ZaggTelemetry.Start(serviceName, traces));
        builder.Services.AddHostedService<TelemetryStarter>();
        builder.Services.AddHealthChecks();
        return builder;
    }

    /// <summary>Creates the providers as the host starts (not at the first resolve), and disposes them with it.</summary>
    private sealed class TelemetryStarter(ZaggTelemetry telemetry) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            GC.KeepAlive(telemetry);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>Serves /health (the bus and the process) on 127.0.0.1.</summary>
    public static WebApplication MapZaggHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health", new HealthCheckOptions());
        return app;
    }
}
