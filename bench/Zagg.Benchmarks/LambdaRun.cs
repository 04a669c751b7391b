using System.Diagnostics;
using System.Globalization;
using Amazon.SQS.Model;
using Zagg.Contracts;
using Zagg.Messaging;
using Zagg.Messaging.Sqs;
using Zagg.Pipeline.Catalogs;
using Zagg.Pipeline.Config;
using Zagg.Runs;
using Zagg.TestSupport;
using Zagg.TestSupport.Lambda;

namespace Zagg.Benchmarks;

/// <summary>
/// The Lambda binary's figures, on loopback: a published <c>bootstrap</c> (optionally under qemu-aarch64) started by the
/// fake Lambda service, fed by fauxqs one cell per invocation (the demo catalog's cells, cycled): cold start (process
/// start → first <c>/next</c>), per-cell wall time (between results, after the first), and peak resident memory
/// (VmHWM; under qemu it includes the emulator's own).
/// Command: <c>dotnet run -c Release --project bench/Zagg.Benchmarks -- --lambda BOOTSTRAP [--qemu] [CELLS]</c>.
/// </summary>
internal static class LambdaRun
{
    public static async Task RunAsync(string bootstrap, bool qemu, int cells, string demo)
    {
        string dir = Directory.CreateTempSubdirectory("zagg-lambda-bench").FullName;
        try
        {
            var granules = Directory.GetFiles(demo, "*.h5").Order().Select(Path.GetFullPath).ToList();
            var catalog = await GranuleCatalog.FromFilesAsync(granules, 6, ConfigLoader.Load("atl06"));
            string catalogPath = Path.Combine(dir, "catalog.json");
            catalog.Save(catalogPath);
            var request = new RunRequested
            {
                RunId = Guid.NewGuid(),
                Spec = new RunSpec { Config = ConfigReference.BuiltIn("atl06"), Catalog = catalogPath, Store = Path.Combine(dir, "out.zarr"), RequestedAt = DateTimeOffset.UtcNow },
            };
            var (template, _) = await RunPlanner.WriteTemplateAsync(await RunPlanner.CheckCatalogAsync(request));
            var planned = (await RunPlanner.DispatchAsync(template)).Cells;

            var fauxqs = new FauxqsServer();
            await fauxqs.InitializeAsync();
            try
            {
                using var sqs = fauxqs.Client();
                var names = new SqsQueueNames("bench" + Guid.NewGuid().ToString("N")[..8]);
                string worker = (await sqs.CreateQueueAsync(names.Of(Queues.Worker))).QueueUrl;
                string consolidation = (await sqs.CreateQueueAsync(names.Of(Queues.Consolidation))).QueueUrl;
                await using var fake = await FakeLambdaRuntime.StartAsync(new SqsEventSource(sqs, worker, 1));
                fake.Timeout = TimeSpan.FromMinutes(10);
                var env = fauxqs.Environment.ToDictionary(kv => kv.Key, kv => (string?)kv.Value);
                env["ZAGG_SQS_PREFIX"] = names.Prefix;
                if (qemu) fake.StartFunction(QemuArm64.Qemu, QemuArm64.Arguments(bootstrap), env);
                else fake.StartFunction(bootstrap, [], env);
                for (int i = 0; i < cells; i++)
                    await sqs.SendMessageAsync(worker, SqsEnvelope.Wrap(planned[i % planned.Count] with { RunId = Guid.NewGuid() }).ToJson());
                var times = new List<long>();
                var results = new List<string>();
                while (times.Count < cells)
                {
                    foreach (var m in (await sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = consolidation, MaxNumberOfMessages = 10, WaitTimeSeconds = 1 })).Messages ?? [])
                    {
                        times.Add(Stopwatch.GetTimestamp());
                        results.Add(SqsEnvelope.Parse(m.Body).Open() is CellAggregated a
                            ? $"cell {a.CatalogIndex}: {a.ChildCellsWithData} child cells, {a.Observations} observations"
                            : $"not aggregated: {m.Body}");
                        await sqs.DeleteMessageAsync(consolidation, m.ReceiptHandle);
                    }
                }
                long peak = 0;
                foreach (string line in File.ReadLines($"/proc/{fake.Process!.Id}/status"))
                    if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) peak = long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
                double perCell = times.Count > 1 ? Stopwatch.GetElapsedTime(times[0], times[^1]).TotalMilliseconds / (times.Count - 1) : double.NaN;
                Console.WriteLine($"bootstrap {bootstrap}{(qemu ? " (arm64 under qemu-aarch64-static: emulated)" : "")}");
                Console.WriteLine($"cold start (process start -> first /next): {fake.ColdStart?.TotalMilliseconds:F0} ms");
                Console.WriteLine($"cells {cells}, per-cell wall time (after the first): {perCell:F0} ms");
                Console.WriteLine($"peak resident memory (VmHWM): {peak / 1024.0:F1} MiB");
                // The results themselves (each cell's child cells and observations), to compare two builds' output.
                foreach (string r in results.Order(StringComparer.Ordinal).Distinct()) Console.WriteLine(r);
            }
            finally { await fauxqs.DisposeAsync(); }
        }
        finally { Directory.Delete(dir, true); }
    }
}
