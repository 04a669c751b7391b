using System.Diagnostics;
using Zagg.Grid;
using Zagg.Grid.Geometry;
using Zagg.Pipeline.Catalogs;

namespace Zagg.Benchmarks;

/// <summary>
/// Where a footprint's time goes (<c>-- --catalog-profile</c>), one core: region building, the coverage walk, the
/// intersection with the area's cells and the whole mapping, for the Antarctic and the global footprints.
/// </summary>
internal static class CatalogProfile
{
    public static void Run()
    {
        Phases("2,000 Antarctic footprints", Footprints.Make(2_000, antarctic: true, seed: 1), AreaOfInterest.Antarctica.Cells(6));
        Phases("20,000 global footprints", Footprints.Make(20_000, antarctic: false, seed: 2), CellRanges.All(6));
    }

    private static void Phases(string what, GeoFootprint[] fps, CellRanges aoi)
    {
        for (int rep = 0; rep < 3; rep++)
        {
            var sw = Stopwatch.StartNew();
            foreach (var f in fps) SphericalRegion.FromGeo(f.Polygons[0]);
            double build = sw.Elapsed.TotalMilliseconds;
            sw.Restart();
            long cells = 0;
            var covers = new CellRanges[fps.Length];
            for (int i = 0; i < fps.Length; i++) cells += (covers[i] = FootprintCoverage.Cover(fps[i], 6)).Count;
            double cover = sw.Elapsed.TotalMilliseconds;
            sw.Restart();
            foreach (var c in covers) c.Intersect(aoi);
            double intersect = sw.Elapsed.TotalMilliseconds;
            var process = Process.GetCurrentProcess();
            var cpu0 = process.TotalProcessorTime;
            sw.Restart();
            int mapped = CatalogMapping.Map(fps, aoi, 6, maxDegreeOfParallelism: 1).Count;
            double map = sw.Elapsed.TotalMilliseconds;
            process.Refresh();
            double cpu = (process.TotalProcessorTime - cpu0).TotalMilliseconds;
            double per = 1000 * cpu / fps.Length;
            Console.WriteLine($"{what}, one core: regions {build:F0} ms, cover (with regions) {cover:F0} ms, intersect {intersect:F0} ms, " +
                $"whole mapping {map:F0} ms wall, {cpu:F0} ms CPU ({per:F1} µs CPU per footprint; {cells} cells, {mapped} parent cells; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]})");
        }
    }
}
