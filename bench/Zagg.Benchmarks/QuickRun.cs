using System.Diagnostics;
using Zagg.Grid;

namespace Zagg.Benchmarks;

/// <summary>A few timed repetitions, for a figure in seconds rather than minutes.</summary>
internal static class QuickRun
{
    public static void Run()
    {
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
    }
}
