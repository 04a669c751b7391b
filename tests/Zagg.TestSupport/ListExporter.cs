using System.Diagnostics;
using OpenTelemetry;

namespace Zagg.TestSupport;

/// <summary>
/// An exporter that keeps every finished span in <paramref name="spans"/>, under a lock on that list (read it under the
/// same lock). Use it with a <c>SimpleActivityExportProcessor</c> so each span arrives as it ends.
/// </summary>
public sealed class ListExporter(List<Activity> spans) : BaseExporter<Activity>
{
    public override ExportResult Export(in Batch<Activity> batch)
    {
        lock (spans)
            foreach (var a in batch) spans.Add(a);
        return ExportResult.Success;
    }
}
