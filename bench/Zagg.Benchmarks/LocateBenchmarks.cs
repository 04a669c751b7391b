using BenchmarkDotNet.Attributes;
using Zagg.Grid;

namespace Zagg.Benchmarks;

/// <summary>
/// Latitude/longitude → order-18 morton word over one million points (ICESat-2-like: mostly
/// polar, some anywhere), on one core. Points per second = 1e6 / (mean time in s).
/// </summary>
[MemoryDiagnoser]
public class LocateBenchmarks
{
    public const int Points = 1_000_000;

    private double[] _lat = [];
    private double[] _lon = [];
    private long[] _out = [];

    [Params(LatitudeConvention.Authalic, LatitudeConvention.GeodeticSpherical)]
    public LatitudeConvention Convention { get; set; }

    [GlobalSetup]
    public void Setup() => (_lat, _lon, _out) = PointSet.Make(Points);

    [Benchmark(OperationsPerInvoke = Points, Description = "lat/lon → order-18 morton (per point)")]
    public int Morton18() => GeoGrid.LocateMorton(_lat, _lon, 18, Convention, _out);

    [Benchmark(OperationsPerInvoke = Points, Description = "lat/lon → order-18 NESTED (per point)")]
    public int Nested18() => GeoGrid.Locate(_lat, _lon, 18, Convention, _out);
}

internal static class PointSet
{
    /// <summary>Seeded points: 70% south of −60° (Antarctic tracks), 30% uniform on the sphere.</summary>
    public static (double[] Lat, double[] Lon, long[] Out) Make(int n)
    {
        var rng = new Random(42);
        var lat = new double[n];
        var lon = new double[n];
        for (int i = 0; i < n; i++)
        {
            lat[i] = rng.NextDouble() < 0.7 ? -60 - 30 * rng.NextDouble() : Math.Asin(2 * rng.NextDouble() - 1) * 180 / Math.PI;
            lon[i] = 360 * rng.NextDouble() - 180;
        }
        return (lat, lon, new long[n]);
    }
}
