using System.Diagnostics;
using Zagg.Grid;
using Zagg.Grid.Geometry;
using Zagg.Pipeline.Catalogs;

namespace Zagg.Benchmarks;

/// <summary>
/// Where a footprint's time goes (<c>-- --catalog-profile</c>), one thread, CPU time per phase (run it under
/// <c>taskset -c 1</c>): putting the polygons on the sphere, locating their vertices, the coverage (the per-edge
/// trace, or the walk from the base cells where the trace declines) and the intersection with the area's cells, each
/// timed alone in the footprints' given order; then the whole mapping (<see cref="CatalogMapping.Map"/>: its spatial
/// order and per-thread regions make it cheaper than the parts' sum) and a digest of its result. With <c>--mapping [N]</c>: the whole mapping of N global
/// footprints (default 50,000) alone, three times (for <c>perf record</c>, or N = 500,000 for the target's count).
/// </summary>
internal static class CatalogProfile
{
    public static void Run(int mappingOnly = 0)
    {
        if (mappingOnly > 0)
        {
            // The whole mapping alone, repeated (for perf record, or the 500,000 of the target): global footprints, one thread.
            var global = Footprints.Make(mappingOnly, antarctic: false, seed: 2);
            var all = CellRanges.All(CatalogBenchmarks.ParentOrder);
            for (int rep = 0; rep < 3; rep++)
            {
                double ms = Cpu(() => CatalogMapping.Map(global, all, CatalogBenchmarks.ParentOrder, maxDegreeOfParallelism: 1));
                Console.WriteLine($"{global.Length:N0} global footprints, whole mapping, one thread: {1000 * ms / global.Length:F1} µs CPU per footprint, " +
                    $"{ms / 1000:F2} s (load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]})");
            }
            return;
        }
        Phases("2,000 Antarctic footprints", Footprints.Make(2_000, antarctic: true, seed: 1), AreaOfInterest.Antarctica.Cells(6));
        Phases("50,000 global footprints", Footprints.Make(50_000, antarctic: false, seed: 2), CellRanges.All(6));
    }

    private static double Cpu(Action action)
    {
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpu = process.TotalProcessorTime;
        action();
        process.Refresh();
        return (process.TotalProcessorTime - cpu).TotalMilliseconds;
    }

    private static void Phases(string what, GeoFootprint[] fps, CellRanges aoi)
    {
        const int order = CatalogBenchmarks.ParentOrder;
        int vertices = 0;
        foreach (var f in fps) foreach (var p in f.Polygons) foreach (var part in p.Parts) foreach (var ring in part) vertices += ring.Count;
        for (int rep = 0; rep < 3; rep++)
        {
            var regions = new SphericalRegion[fps.Length];
            var covers = new CellRanges[fps.Length];
            long cells = 0, sink = 0;
            double build = Cpu(() => { for (int i = 0; i < fps.Length; i++) regions[i] = SphericalRegion.FromGeo(fps[i].Polygons[0]); });
            double locate = Cpu(() =>
            {
                foreach (var f in fps) foreach (var part in f.Polygons[0].Parts) foreach (var ring in part) foreach (var p in ring) sink += GeoGrid.Locate(p.Latitude, p.Longitude, order);
            });
            double walk = Cpu(() => { for (int i = 0; i < fps.Length; i++) cells += (covers[i] = PolygonCoverage.Cover(regions[i], order)).Count; });
            double intersect = Cpu(() => { foreach (var c in covers) sink += c.Intersect(aoi).Count; });
            IReadOnlyList<(long Morton, int[] Granules)> mapping = [];
            double map = Cpu(() => mapping = CatalogMapping.Map(fps, aoi, order, maxDegreeOfParallelism: 1));
            int mapped = mapping.Count;
            // A digest of the mapping, to compare builds: the same footprints must give the same cells and lists.
            ulong digest = 14695981039346656037;
            foreach (var (morton, granules) in mapping)
            {
                digest = (digest ^ (ulong)morton) * 1099511628211;
                foreach (int g in granules) digest = (digest ^ (uint)g) * 1099511628211;
            }
            double n = fps.Length;
            // The parts are timed alone, in the footprints' given order and with a region kept per footprint; the whole mapping
            // covers them in its spatial order with one region per thread, so it costs less than their sum.
            Console.WriteLine($"{what} ({vertices / n:F0} vertices each), order {order}, one thread, CPU µs per footprint, each part alone: " +
                $"to sphere {1000 * build / n:F1}, vertex cells {1000 * locate / n:F1}, cover {1000 * walk / n:F1} (trace or walk, with vertex cells), " +
                $"intersect {1000 * intersect / n:F1}; whole mapping {1000 * map / n:F1} (spatial order, regions reused, inversion) " +
                $"({cells / n:F1} cells each, {mapped} parent cells, digest {digest:x16}; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]})");
        }
    }
}
