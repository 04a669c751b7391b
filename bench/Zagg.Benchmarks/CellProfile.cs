using System.Diagnostics;
using Zagg.Grid;
using Zagg.Pipeline.Aggregation;
using Zagg.Pipeline.Catalogs;
using Zagg.Pipeline.Config;

namespace Zagg.Benchmarks;

/// <summary>
/// Aggregates every cell of a catalog in this process, one after another (largest first, as the dispatcher
/// orders them), with one <see cref="CellAggregator"/> as a worker keeps for a run; prints each cell's time
/// and the engine's throughput without process start, the bus or the store.
/// <c>dotnet run -c Release --project bench/Zagg.Benchmarks -- --cells CATALOG [CONFIG=atl06]</c>
/// </summary>
internal static class CellProfile
{
    public static async Task RunAsync(string catalogPath, string configName)
    {
        var config = ConfigLoader.Load(configName);
        var catalog = GranuleCatalog.Load(catalogPath);
        var cells = catalog.Cells.OrderByDescending(c => c.Granules.Count).ToList();
        await using var aggregator = new CellAggregator(config, catalog.ParentOrder);
        var total = Stopwatch.StartNew();
        long observations = 0;
        foreach (var (morton, granules) in cells)
        {
            var watch = Stopwatch.StartNew();
            var result = await aggregator.AggregateAsync(Morton.ToNested(morton, out _), granules);
            observations += result.Result.TotalObs;
            Console.WriteLine($"cell {morton,12}: {granules.Count,3} granules, {result.Result.TotalObs,9:N0} obs, {watch.Elapsed.TotalSeconds,6:F3} s");
        }
        double s = total.Elapsed.TotalSeconds;
        Console.WriteLine($"{cells.Count} cells, {observations:N0} obs in {s:F2} s: {observations / s / 1e6:F2} M obs/s on one thread; " +
            $"GC heap peak {GC.GetGCMemoryInfo().HeapSizeBytes >> 20} MB, process peak working set {Process.GetCurrentProcess().PeakWorkingSet64 >> 20} MB");
    }
}
