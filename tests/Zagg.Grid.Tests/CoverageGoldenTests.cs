using System.IO.Compression;
using Xunit;
using Zagg.Grid.Geometry;

namespace Zagg.Grid.Tests;

/// <summary>
/// Footprint coverage between healpy's two answers (tools/fixtures/coverage_golden.py): every
/// cell whose centre is inside (query_polygon, inclusive=False) is covered, and every covered
/// cell is in healpy's inclusive superset (inclusive=True, fact=4).
/// </summary>
public class CoverageGoldenTests
{
    public static IEnumerable<object[]> Cases()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Golden", "coverage.csv.gz");
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        _ = reader.ReadLine();
        int i = 0;
        while (reader.ReadLine() is { } line) yield return [i++, line];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Cover_lies_between_healpys_centre_set_and_inclusive_superset(int index, string line)
    {
        string[] f = line.Split(';');
        int order = int.Parse(f[0], System.Globalization.CultureInfo.InvariantCulture);
        var ring = f[1].Split('|').Select(p => p.Split(' ')).Select(p => new GeoPoint(GoldenFiles.D(p[0]), GoldenFiles.D(p[1]))).ToArray();
        long[] Parse(string s) => s.Length == 0 ? [] : s.Split(' ').Select(GoldenFiles.L).ToArray();
        var inclusive = new HashSet<long>(Parse(f[2]));
        long[] centres = Parse(f[3]);

        var cover = FootprintCoverage.Cover(new GeoFootprint(polygons: [GeoPolygon.FromRing(ring)]), order, LatitudeConvention.GeodeticSpherical);
        foreach (long c in centres) Assert.True(cover.Contains(c), $"case {index}: cell {c} has its centre inside (healpy) but is not covered");
        foreach (long c in cover.Cells()) Assert.True(inclusive.Contains(c), $"case {index}: cell {c} is covered but not in healpy's inclusive superset");
        Assert.True(cover.Count >= centres.Length);
    }
}
