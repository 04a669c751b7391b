using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Zagg.Grid;
using Zagg.Grid.Geometry;
using Zagg.Pipeline.Catalogs;

namespace Zagg.Benchmarks;

/// <summary>
/// The catalog's geometry at scale (issue 12): ICESat-2-like granule footprints mapped to the
/// parent cells of an area of interest at order 6, and a 27-basin area of 1.2 M vertices covered.
/// Targets: 2,000 footprints × Antarctica &lt; 1 s; 500,000 footprints over the globe &lt; 15 s on
/// one core; the 27-basin area &lt; 10 s.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class CatalogBenchmarks
{
    public const int ParentOrder = 6;
    public const int GlobalCount = 500_000;

    /// <summary>Whether setup builds the 500,000 global footprints (the quick run skips them).</summary>
    internal bool Global { get; init; } = true;

    private GeoFootprint[] _antarctic = [];
    private GeoFootprint[] _global = [];
    private CellRanges _antarcticaCells = null!;
    private CellRanges _allCells = null!;
    private string _basinsFile = "";

    [GlobalSetup]
    public void Setup()
    {
        _antarctic = Footprints.Make(2_000, antarctic: true, seed: 1);
        if (Global) _global = Footprints.Make(GlobalCount, antarctic: false, seed: 2);
        _antarcticaCells = AreaOfInterest.Antarctica.Cells(ParentOrder);
        _allCells = CellRanges.All(ParentOrder);
        _basinsFile = Basins.Write(27, 1_200_000);
    }

    [GlobalCleanup]
    public void Cleanup() => File.Delete(_basinsFile);

    [Benchmark(Description = "2,000 ICESat-2-like footprints × Antarctica, order 6 (all cores)")]
    public long Antarctic2000() => CatalogMapping.Map(_antarctic, _antarcticaCells, ParentOrder).Count;

    [Benchmark(Description = "500,000 footprints over the globe, order 6 (one core)")]
    public long Global500k() => CatalogMapping.Map(_global, _allCells, ParentOrder, maxDegreeOfParallelism: 1).Count;

    [Benchmark(Description = "27 basins, 1.2 M vertices: read + cover at order 6")]
    public long Basins27() => AreaOfInterest.FromBasinsFile(_basinsFile, null).Cells(ParentOrder).Count;
}

/// <summary>Seeded ICESat-2-like granule footprints: thin bands (±3.5 km) along 92°-inclined orbits, 1/14 orbit long.</summary>
internal static class Footprints
{
    public static GeoFootprint[] Make(int n, bool antarctic, int seed)
    {
        var rng = new Random(seed);
        var result = new GeoFootprint[n];
        const double inclination = 92 * Math.PI / 180;
        const double length = 2 * Math.PI / 14;  // ≈ 2,860 km
        const double halfWidth = 3.5 / 6371.0;
        const int stations = 30;
        for (int k = 0; k < n; k++)
        {
            double node = rng.NextDouble() * 2 * Math.PI;
            // Antarctic granules are centred within 40° of the orbit's southernmost point (phase 270°).
            double centre = antarctic ? (270 + (rng.NextDouble() * 80 - 40)) * Math.PI / 180 : rng.NextDouble() * 2 * Math.PI;
            Vec3 ascending = new(Math.Cos(node), Math.Sin(node), 0);
            Vec3 normal = new(Math.Sin(inclination) * Math.Sin(node), -Math.Sin(inclination) * Math.Cos(node), Math.Cos(inclination));
            Vec3 along = normal.Cross(ascending);
            var ring = new GeoPoint[2 * stations];
            for (int i = 0; i < stations; i++)
            {
                double u = centre - length / 2 + length * i / (stations - 1);
                Vec3 p = Math.Cos(u) * ascending + Math.Sin(u) * along;
                ring[i] = ToGeo((p + halfWidth * normal).Normalized());
                ring[2 * stations - 1 - i] = ToGeo((p - halfWidth * normal).Normalized());
            }
            result[k] = new GeoFootprint(polygons: [GeoPolygon.FromRing(ring)]);
        }
        return result;
    }

    private static GeoPoint ToGeo(Vec3 v) => GeoGrid.FromSphere(v, LatitudeConvention.GeodeticSpherical);
}

/// <summary>A synthetic drainage-basin file: Antarctica cut into wedges between 64°S and 88°S with jagged coasts.</summary>
internal static class Basins
{
    public static string Write(int basins, int vertices)
    {
        var rng = new Random(3);
        string path = Path.Combine(Path.GetTempPath(), $"zagg-bench-basins-{Environment.ProcessId}.txt");
        var sb = new StringBuilder("# synthetic drainage basins: lat lon basin_id\n");
        int perBasin = vertices / basins;
        double width = 360.0 / basins;
        for (int b = 0; b < basins; b++)
        {
            double west = -180 + b * width, east = west + width;
            // Coast (north side, jagged) west → east, then the inner edge back east → west at 88°S, then the sides.
            int coast = perBasin - 40;
            for (int i = 0; i < coast; i++)
            {
                double lon = west + width * i / coast;
                // A coast wiggling at every scale down to the vertex spacing, never doubling back.
                double lat = -66 + 2 * Math.Sin(lon * 0.7) + 0.3 * Math.Sin(lon * 9.1) + 0.02 * Math.Sin(lon * 211) + 0.00005 * rng.NextDouble();
                sb.Append(CultureInfo.InvariantCulture, $"{lat:F5} {lon:F5} {b + 1}\n");
            }
            for (int i = 0; i < 20; i++) // east side, north to south
                sb.Append(CultureInfo.InvariantCulture, $"{-66 - 22.0 * i / 20:F5} {east:F5} {b + 1}\n");
            for (int i = 0; i < 20; i++) // inner edge east → west
                sb.Append(CultureInfo.InvariantCulture, $"{-88.0:F5} {east - width * i / 20:F5} {b + 1}\n");
        }
        File.WriteAllText(path, sb.ToString());
        return path;
    }
}
