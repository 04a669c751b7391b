using Zagg.TestSupport;
using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Xunit;
using Zagg.Cli.Running;

namespace Zagg.Cli.Tests;

[CollectionDefinition("telemetry", DisableParallelization = true)]
public sealed class TelemetryCollection;

/// <summary>One trace per run, across every service: spans collected by an in-memory exporter on the real OpenTelemetry SDK.</summary>
[Collection("telemetry")]
public class TraceTests
{
    [Fact]
    public async Task A_runs_spans_share_one_trace_id_across_services()
    {
        string dir = Directory.CreateTempSubdirectory("zagg-trace").FullName;
        try
        {
            var request = DemoRequest.Create(dir);
            var spans = new List<Activity>();
            var options = new OrchestrationOptions { Traces = b => b.AddProcessor(new SimpleActivityExportProcessor(new ListExporter(spans))) };
            var completed = await LocalOrchestrator.RunAsync(request, options, new RunMonitor(request.RunId), TextWriter.Null);
            Assert.True(completed.Succeeded, completed.Error);

            List<Activity> all;
            lock (spans) all = [.. spans];
            var root = Assert.Single(all, a => a.DisplayName == "zagg run");
            string names = string.Join(", ", all.Select(a => $"{a.Source.Name}:{a.DisplayName}").Distinct());
            Assert.All(all, a => Assert.True(a.TraceId == root.TraceId, $"{a.DisplayName} has trace {a.TraceId}, the run {root.TraceId}"));
            foreach (string hop in new[] { "RunRequested", "CatalogReady", "TemplateReady", "AggregateCell", "CellAggregated", "CellsDispatched", "RunCompleted" })
                Assert.True(all.Any(a => a.Source.Name == "Zagg.Messaging.InProcess" && a.Kind == ActivityKind.Consumer && a.GetTagItem("zagg.message_type") as string == hop), $"no in-process consumer span for {hop}: {names}");
            Assert.Equal(7, all.Count(a => a.DisplayName == "zagg.cell.aggregate"));
            Assert.Contains(all, a => a.DisplayName == "zagg.granule.read");
            Assert.Equal(7, all.Count(a => a.DisplayName == "zagg.chunk.write"));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task A_run_records_cells_observations_bytes_read_and_queue_latency()
    {
        string dir = Directory.CreateTempSubdirectory("zagg-metrics").FullName;
        try
        {
            var request = DemoRequest.Create(dir);
            var totals = new System.Collections.Concurrent.ConcurrentDictionary<string, double>();
            var counts = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
            using var listener = new System.Diagnostics.Metrics.MeterListener();
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == Zagg.Pipeline.PipelineTelemetry.Name) l.EnableMeasurementEvents(instrument);
            };
            void Record(string name, double value)
            {
                totals.AddOrUpdate(name, value, (_, t) => t + value);
                counts.AddOrUpdate(name, 1, (_, n) => n + 1);
            }
            listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => Record(instrument.Name, value));
            listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => Record(instrument.Name, value));
            listener.Start();
            var completed = await LocalOrchestrator.RunAsync(request, new OrchestrationOptions(), new RunMonitor(request.RunId), TextWriter.Null);
            Assert.True(completed.Succeeded, completed.Error);
            Assert.Equal(7, totals["zagg.cells"]);
            Assert.Equal(58789, totals["zagg.observations"]);
            long granuleBytes = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "demo"), "*.h5").Sum(f => new FileInfo(f).Length);
            // Neighbouring cells read some of the same chunks again, so more than the files hold, but not without bound.
            Assert.InRange(totals["zagg.bytes_read"], granuleBytes / 4, granuleBytes * 8);
            Assert.Equal(7, counts["zagg.queue.latency"]);
        }
        finally { Directory.Delete(dir, true); }
    }
}
