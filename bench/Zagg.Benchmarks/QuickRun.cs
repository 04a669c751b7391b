using System.Diagnostics;
using Zagg.Grid;

namespace Zagg.Benchmarks;

/// <summary>A few timed repetitions, for a figure in seconds rather than minutes.</summary>
internal static class QuickRun
{
    public static void Run()
    {
        if (Environment.GetCommandLineArgs().Contains("--render"))
        {
            var (values, grid) = RenderBenchmarks.Continent();
            var raster = new float[grid.Width * grid.Height];
            double bestRender = double.MaxValue, bestCpu = double.MaxValue;
            var process = Process.GetCurrentProcess();
            for (int rep = 0; rep < 6; rep++)
            {
                process.Refresh();
                var cpu = process.TotalProcessorTime;
                var sw = Stopwatch.StartNew();
                Zagg.Maps.Rasterizer.Rasterize(grid, values, LatitudeConvention.Authalic, raster);
                bestRender = Math.Min(bestRender, sw.Elapsed.TotalSeconds);
                process.Refresh();
                bestCpu = Math.Min(bestCpu, (process.TotalProcessorTime - cpu).TotalSeconds);
            }
            // CPU time as well as wall time: on a shared machine the wall time says more about the neighbours.
            Console.WriteLine($"rasterize {grid.Width}×{grid.Height} px of EPSG:3031 from {values.Count / 1e6:F1} M order-12 cells: {bestRender:F3} s wall, {bestCpu:F3} s CPU (best of 6, {Environment.ProcessorCount} cores)");
            return;
        }
        var (lat, lon, output) = PointSet.Make(LocateBenchmarks.Points);
        foreach (var convention in new[] { LatitudeConvention.Authalic, LatitudeConvention.GeodeticSpherical })
        {
            for (int i = 0; i < 5; i++) GeoGrid.LocateMorton(lat, lon, 18, convention, output);
            double best = double.MaxValue;
            for (int rep = 0; rep < 20; rep++)
            {
                var sw = Stopwatch.StartNew();
                GeoGrid.LocateMorton(lat, lon, 18, convention, output);
                best = Math.Min(best, sw.Elapsed.TotalSeconds);
            }
            Console.WriteLine($"{convention.ToName(),-20} lat/lon → order-18 morton: {lat.Length / best / 1e6:F1} M points/s (best of 20, one core)");
        }

        var (chunks, filters, decoded) = ChunkSet.Make();
        double bestDecode = double.MaxValue;
        for (int rep = 0; rep < 20; rep++)
        {
            var sw = Stopwatch.StartNew();
            foreach (var (stored, length) in chunks)
                Zagg.Hdf5.Filters.FilterPipeline.Decode(filters, 0, stored, length, decoded, 8, "bench");
            bestDecode = Math.Min(bestDecode, sw.Elapsed.TotalSeconds);
        }
        long bytes = (long)chunks.Length * decoded.Length;
        long storedBytes = chunks.Sum(c => (long)c.Item2);
        double bestInflate = double.MaxValue;
        for (int rep = 0; rep < 20; rep++)
        {
            var sw = Stopwatch.StartNew();
            foreach (var (stored, length) in chunks)
            {
                using var z = new System.IO.Compression.ZLibStream(new MemoryStream(stored, 0, length), System.IO.Compression.CompressionMode.Decompress);
                int total = 0, n;
                while ((n = z.Read(decoded, total, decoded.Length - total)) > 0) total += n;
            }
            bestInflate = Math.Min(bestInflate, sw.Elapsed.TotalSeconds);
        }
        Console.WriteLine($"zlib inflate alone (the bound):           {bytes / bestInflate / 1e6:F0} MB/s of output");
        Console.WriteLine($"shuffle+gzip(6) float64 chunks → decoded: {bytes / bestDecode / 1e6:F0} MB/s of output (ratio {(double)bytes / storedBytes:F2}, best of 20, one core)");
    }
}
