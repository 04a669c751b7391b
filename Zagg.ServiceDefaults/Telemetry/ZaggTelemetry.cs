using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Zagg.Pipeline;

namespace Zagg.ServiceDefaults.Telemetry;

/// <summary>
/// The OpenTelemetry providers of one host, built directly with the SDK (no hosting extensions):
/// traces from MassTransit, HttpClient and the pipeline's own spans; metrics from the pipeline,
/// MassTransit and HttpClient. Exported by OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set (the
/// standalone Aspire dashboard and Jaeger take it); tests add their own exporter. Disposing
/// flushes and stops them.
/// </summary>
public sealed class ZaggTelemetry : IDisposable
{
    /// <summary>The AppHost's own spans ("zagg run", the root of a run's trace).</summary>
    public static readonly ActivitySource RunSource = new("Zagg.Cli");

    public static readonly string[] Sources = [PipelineTelemetry.Name, RunSource.Name, "MassTransit", "System.Net.Http"];
    public static readonly string[] Meters = [PipelineTelemetry.Name, "MassTransit", "System.Net.Http"];

    public TracerProvider? Tracing { get; }
    public MeterProvider? Metrics { get; }

    private ZaggTelemetry(TracerProvider? tracing, MeterProvider? metrics)
    {
        Tracing = tracing;
        Metrics = metrics;
    }

    /// <summary>True when OTEL_EXPORTER_OTLP_ENDPOINT names a collector.</summary>
    public static bool OtlpConfigured => !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"));

    public static ResourceBuilder Resource(string serviceName) => ResourceBuilder.CreateDefault()
        .AddService(serviceName, serviceNamespace: ServiceIdentity.Product, serviceVersion: ServiceIdentity.Version, serviceInstanceId: $"{Environment.MachineName}:{Environment.ProcessId}");

    /// <summary>
    /// Starts the providers for <paramref name="serviceName"/>. With no OTLP endpoint and no
    /// extra configuration nothing listens, and the spans cost nothing.
    /// </summary>
    public static ZaggTelemetry Start(string serviceName, Action<TracerProviderBuilder>? traces = null, Action<MeterProviderBuilder>? metrics = null)
    {
        bool otlp = OtlpConfigured;
        TracerProvider? tracing = null;
        MeterProvider? meters = null;
        if (otlp || traces is not null)
        {
            var b = Sdk.CreateTracerProviderBuilder().SetResourceBuilder(Resource(serviceName)).AddSource(Sources);
            if (otlp) b.AddOtlpExporter();
            traces?.Invoke(b);
            tracing = b.Build();
        }
        if (otlp || metrics is not null)
        {
            var b = Sdk.CreateMeterProviderBuilder().SetResourceBuilder(Resource(serviceName)).AddMeter(Meters);
            if (otlp) b.AddOtlpExporter();
            metrics?.Invoke(b);
            meters = b.Build();
        }
        return new ZaggTelemetry(tracing, meters);
    }

    public void Dispose()
    {
        Tracing?.Dispose();
        Metrics?.Dispose();
    }
}
