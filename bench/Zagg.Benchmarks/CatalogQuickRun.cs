using System.Diagnostics;

namespace Zagg.Benchmarks;

/// <summary>The catalog benchmarks once each (after a warm-up), for a figure in seconds: <c>-- --catalog-quick</c>.</summary>
internal static class CatalogQuickRun
{
    public static void Run()
    {
        var b = new CatalogBenchmarks { Global = false };
        var sw = Stopwatch.StartNew();
        b.Setup();
        Console.WriteLine($"setup (footprints, basins file): {sw.Elapsed.TotalSeconds:F1} s");
        try
        {
            Time("2,000 footprints × Antarctica, order 6, all cores", () => b.Antarctic2000());
            Time("27 basins, 1.2 M vertices, read + cover order 6", () => b.Basins27());
            // On a loaded machine the 500,000 take long: a tenth of them, one core, scaled by the reader.
            var tenth = Footprints.Make(50_000, antarctic: false, seed: 2);
            var all = Zagg.Grid.Geometry.CellRanges.All(CatalogBenchmarks.ParentOrder);
            Time("50,000 footprints (a tenth of the 500,000), globe, order 6, one core",
                () => Zagg.Pipeline.Catalogs.CatalogMapping.Map(tenth, all, CatalogBenchmarks.ParentOrder, maxDegreeOfParallelism: 1).Count);
        }
        finally { b.Cleanup(); }
    }

    private static void Time(string what, Func<long> run)
    {
        run(); // warm-up
        double best = double.MaxValue, bestCpu = double.MaxValue;
        long result = 0;
        var process = Process.GetCurrentProcess();
        for (int i = 0; i < 2; i++)
        {
            process.Refresh();
            var cpu = process.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            result = run();
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
            process.Refresh();
            bestCpu = Math.Min(bestCpu, (process.TotalProcessorTime - cpu).TotalSeconds);
        }
        // On a shared machine the wall time counts other processes' turns; the CPU time is this run's own work.
        Console.WriteLine($"{what}: wall {best:F3} s, CPU {bestCpu:F3} s (best of 2; result {result}; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]})");
    }
}
