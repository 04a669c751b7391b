using System.Diagnostics;
using Zagg.Grid;
using Zagg.Grid.Geometry;
using Zagg.Pipeline.Catalogs;

namespace Zagg.Benchmarks;

/// <summary>Where a footprint's time goes (<c>-- --catalog-profile</c>): region building, coverage, one core.</summary>
internal static class CatalogProfile
{
    public static void Run()
    {
        var fps = Footprints.Make(2_000, antarctic: true, seed: 1);
        var process = Process.GetCurrentProcess();
        for (int rep = 0; rep < 3; rep++)
        {
            process.Refresh();
            var cpu0 = process.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            foreach (var f in fps) SphericalRegion.FromGeo(f.Polygons[0]);
            double build = sw.Elapsed.TotalMilliseconds;
            sw.Restart();
            long cells = 0;
            foreach (var f in fps) cells += FootprintCoverage.Cover(f, 6).Count;
            double cover = sw.Elapsed.TotalMilliseconds;
            process.Refresh();
            double cpu = (process.TotalProcessorTime - cpu0).TotalMilliseconds;
            Console.WriteLine($"2,000 footprints, one core: regions {build:F0} ms, cover (with regions) {cover:F0} ms wall, both {cpu:F0} ms CPU, {cells} cells");
        }
        var dir = Basins.Write(3, 3 * 44_000);
        try
        {
            var aoi = AreaOfInterest.FromBasinsFile(dir, null);
            Console.WriteLine($"3 basins: {aoi.Cells(6).Count} cells at order 6; box {aoi.BoundingBox}");
        }
        finally { File.Delete(dir); }
    }
}
