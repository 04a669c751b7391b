using System.Globalization;
using Xunit;
using Zagg.Maps.Projections;

namespace Zagg.Maps.Tests;

/// <summary>The polar stereographic and plate carrée projections against PROJ and the IOGP worked example.</summary>
public class ProjectionTests
{
    public static TheoryData<int, double, double, double, double> Golden()
    {
        // tools/fixtures/projection_golden.sh: PROJ 9.1.1's cs2cs, EPSG:4326 → EPSG:3031 / EPSG:3413.
        var data = new TheoryData<int, double, double, double, double>();
        foreach (string line in File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Golden", "projections.csv")))
        {
            if (line.StartsWith('#')) continue;
            var p = line.Split(',');
            double D(int i) => double.Parse(p[i], CultureInfo.InvariantCulture);
            data.Add(int.Parse(p[0], CultureInfo.InvariantCulture), D(1), D(2), D(3), D(4));
        }
        return data;
    }

    private static MapProjection Of(int epsg) => epsg == 3031 ? MapProjection.South : MapProjection.North;

    [Theory]
    [MemberData(nameof(Golden))]
    public void Forward_matches_PROJ_within_a_millimetre(int epsg, double lat, double lon, double x, double y)
    {
        Of(epsg).Forward(lat, lon, out double px, out double py);
        Assert.True(Math.Abs(px - x) < 1e-3 && Math.Abs(py - y) < 1e-3, $"EPSG:{epsg} ({lat}, {lon}): ({px:F6}, {py:F6}) vs PROJ ({x}, {y})");
    }

    [Theory]
    [MemberData(nameof(Golden))]
    public void Inverse_of_PROJs_coordinates_gives_the_position_back(int epsg, double lat, double lon, double x, double y)
    {
        Of(epsg).Inverse(x, y, out double la, out double lo);
        Assert.True(Math.Abs(la - lat) < 1e-8, $"EPSG:{epsg} ({x}, {y}): latitude {la} vs {lat}");
        if (Math.Abs(lat) < 90)
        {
            double d = Math.Abs(lo - lon) % 360;
            Assert.True(Math.Min(d, 360 - d) < 1e-8, $"EPSG:{epsg} ({x}, {y}): longitude {lo} vs {lon}");
        }
    }

    [Fact]
    public void IOGP_guidance_note_7_2_worked_example_of_polar_stereographic_variant_B()
    {
        // IOGP Publication 373-7-2, §3.2.2 example: WGS 84 / Australian Antarctic Polar Stereographic (EPSG:3032),
        // standard parallel 71°S, longitude of origin 70°E, false easting and northing 6 000 000 m.
        // φ = 75°S, λ = 120°E → E = 7 255 380.79 m, N = 7 053 389.56 m.
        var p = new PolarStereographic(3032, "EPSG:3032", south: true, standardParallel: -71, centralMeridian: 70);
        p.Forward(-75, 120, out double x, out double y);
        Assert.Equal(7255380.79, x + 6_000_000, 2);
        Assert.Equal(7053389.56, y + 6_000_000, 2);
        p.Inverse(7255380.79 - 6_000_000, 7053389.56 - 6_000_000, out double lat, out double lon);
        // The published coordinates are rounded to 1 cm: 1e-6° is ~3 cm at this distance from the pole.
        Assert.Equal(-75, lat, 1e-6);
        Assert.Equal(120, lon, 1e-6);
    }

    [Theory]
    [InlineData(3031)]
    [InlineData(3413)]
    public void Round_trips_over_the_hemisphere_within_a_nanodegree(int epsg)
    {
        var p = Of(epsg);
        double sign = epsg == 3031 ? -1 : 1;
        var rng = new Random(7);
        Span<double> lat = stackalloc double[1], lon = stackalloc double[1];
        for (int i = 0; i < 20_000; i++)
        {
            double la = sign * (30 + 59.999 * rng.NextDouble()), lo = -180 + 360 * rng.NextDouble();
            p.Forward(la, lo, out double x, out double y);
            p.Inverse(x, y, out double la2, out double lo2);
            p.InverseRow(x, 1, y, lat, lon);
            Assert.True(Math.Abs(la2 - la) < 1e-9 && Math.Abs(lo2 - lo) < 1e-9, $"({la}, {lo}) → ({x}, {y}) → ({la2}, {lo2})");
            Assert.Equal(la2, lat[0], 1e-12);
            Assert.Equal(lo2, lon[0], 1e-12);
        }
    }

    [Fact]
    public void Scale_is_true_at_the_standard_parallel()
    {
        // Along the standard parallel one degree of longitude is a·cosφ/√(1−e²sin²φ)·π/180 on the map (Snyder 21-32, k = 1).
        foreach (var p in new[] { MapProjection.South, MapProjection.North })
        {
            double phi = p.StandardParallel * Math.PI / 180, e2 = 0.00669437999014;
            double expected = 6378137.0 * Math.Cos(phi) / Math.Sqrt(1 - e2 * Math.Sin(phi) * Math.Sin(phi)) * 1e-4 * Math.PI / 180;
            p.Forward(p.StandardParallel, 10, out double x0, out double y0);
            p.Forward(p.StandardParallel, 10 + 1e-4, out double x1, out double y1);
            double chord = Math.Sqrt((x1 - x0) * (x1 - x0) + (y1 - y0) * (y1 - y0));
            Assert.True(Math.Abs(chord / expected - 1) < 1e-8, $"{p.Name}: {chord} m vs {expected} m");
        }
    }

    [Fact]
    public void Plate_carree_is_longitude_and_latitude_and_nothing_outside()
    {
        var p = MapProjection.Equirect;
        p.Forward(-71.5, 12.25, out double x, out double y);
        Assert.Equal((12.25, -71.5), (x, y));
        p.Inverse(12.25, -71.5, out double lat, out double lon);
        Assert.Equal((-71.5, 12.25), (lat, lon));
        p.Inverse(10, 91, out lat, out _);
        Assert.True(double.IsNaN(lat));
    }

    [Theory]
    [InlineData("south", 3031)]
    [InlineData("EPSG:3031", 3031)]
    [InlineData("North", 3413)]
    [InlineData("epsg:3413", 3413)]
    [InlineData("equirect", 4326)]
    public void Projections_by_name(string name, int epsg)
    {
        Assert.True(MapProjection.TryParse(name, out var p));
        Assert.Equal(epsg, p.Epsg);
    }

    [Fact]
    public void Unknown_projection_names_are_refused() => Assert.False(MapProjection.TryParse("mercator", out _));
}
