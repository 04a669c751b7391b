using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Zagg.Pipeline;

/// <summary>
/// The pipeline's spans and instruments. Hosts that want them listen to <see cref="Name"/>
/// (Zagg.ServiceDefaults does); without a listener they cost a null check.
/// </summary>
public static class PipelineTelemetry
{
    /// <summary>The ActivitySource and Meter name.</summary>
    public const string Name = "Zagg.Pipeline";

    public static readonly ActivitySource Source = new(Name, typeof(PipelineTelemetry).Assembly.GetName().Version?.ToString());
    public static readonly Meter Meter = new(Name);

    /// <summary>Cells finished, tagged outcome=aggregated|failed. A backend's rate of it is cells/s.</summary>
    public static readonly Counter<long> Cells = Meter.CreateCounter<long>("zagg.cells", "{cell}", "Parent cells finished");

    /// <summary>Observations kept (after the quality filter). Its rate is observations/s.</summary>
    public static readonly Counter<long> Observations = Meter.CreateCounter<long>("zagg.observations", "{observation}", "Observations aggregated");

    public static readonly Counter<long> BytesRead = Meter.CreateCounter<long>("zagg.bytes_read", "By", "Granule bytes fetched (metadata and chunks)");

    /// <summary>From a message's sending to its consumption.</summary>
    public static readonly Histogram<double> QueueLatency = Meter.CreateHistogram<double>("zagg.queue.latency", "s", "Time a message waited in its queue");
}
