using Xunit;

namespace Zagg.Grid.Tests;

public class HealpixTests
{
    [Fact]
    public void Every_cell_of_low_orders_has_the_reference_neighbour_symmetry()
    {
        // Neighbourhood is symmetric: if b neighbours a, a neighbours b.
        Span<long> nb = stackalloc long[8];
        Span<long> back = stackalloc long[8];
        for (int order = 0; order <= 4; order++)
            for (long cell = 0; cell < HealpixNested.CellCount(order); cell++)
            {
                HealpixNested.Neighbours(order, cell, nb);
                int missing = 0;
                foreach (long n in nb)
                {
                    if (n < 0) { missing++; continue; }
                    HealpixNested.Neighbours(order, n, back);
                    Assert.True(back.Contains(cell), $"order {order}: {n} is a neighbour of {cell} but not the reverse");
                }
                Assert.True(missing <= 2);
            }
    }

    [Fact]
    public void Centre_then_locate_is_the_identity()
    {
        var rng = new Random(7);
        foreach (var convention in new[] { LatitudeConvention.Authalic, LatitudeConvention.GeodeticSpherical })
            for (int order = 0; order <= 29; order++)
                for (int i = 0; i < 300; i++)
                {
                    long cell = (long)(rng.NextDouble() * HealpixNested.CellCount(order));
                    var c = GeoGrid.Centre(cell, order, convention);
                    Assert.Equal(cell, GeoGrid.Locate(c.Latitude, c.Longitude, order, convention));
                }
    }

    [Fact]
    public void The_sphere_level_entry_agrees_with_geodetic_spherical_degrees()
    {
        var rng = new Random(3);
        for (int i = 0; i < 2000; i++)
        {
            double lat = Math.Asin(2 * rng.NextDouble() - 1) * 180 / Math.PI, lon = 360 * rng.NextDouble() - 180;
            double theta = Math.PI / 2 - lat * (Math.PI / 180), phi = lon * (Math.PI / 180);
            Assert.Equal(GeoGrid.Locate(lat, lon, 17, LatitudeConvention.GeodeticSpherical), HealpixNested.FromColatitudeLongitude(17, theta, phi));
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => HealpixNested.FromColatitudeLongitude(3, -0.1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => HealpixNested.FromColatitudeLongitude(3, 1, double.NaN));
    }

    [Fact]
    public void The_poles_and_the_antimeridian_are_where_they_should_be()
    {
        // The poles are corners shared by base cells 0–3 (north) and 8–11 (south).
        Assert.InRange(GeoGrid.Locate(90, 0, 0), 0, 3);
        Assert.InRange(GeoGrid.Locate(-90, 0, 0), 8, 11);
        // Longitudes 180 and −180 are the same meridian.
        for (int order = 0; order <= 29; order += 7)
            Assert.Equal(GeoGrid.Locate(-70, 180, order), GeoGrid.Locate(-70, -180, order));
        Assert.Equal(GeoGrid.Locate(10, 370, 12), GeoGrid.Locate(10, 10, 12));
    }

    [Fact]
    public void The_two_conventions_differ_away_from_the_equator_and_agree_on_it()
    {
        Assert.NotEqual(GeoGrid.Locate(-75, 10, 12, LatitudeConvention.Authalic), GeoGrid.Locate(-75, 10, 12, LatitudeConvention.GeodeticSpherical));
        Assert.Equal(GeoGrid.Locate(0.0, 10, 12, LatitudeConvention.Authalic), GeoGrid.Locate(0.0, 10, 12, LatitudeConvention.GeodeticSpherical));
        Assert.Equal(GeoGrid.Locate(90, 10, 29, LatitudeConvention.Authalic), GeoGrid.Locate(90, 10, 29, LatitudeConvention.GeodeticSpherical));
    }

    [Theory]
    [InlineData(double.NaN, 0.0)]
    [InlineData(90.0000001, 0.0)]
    [InlineData(-91.0, 0.0)]
    [InlineData(0.0, double.NaN)]
    [InlineData(0.0, double.NegativeInfinity)]
    public void Positions_that_are_not_positions_are_refused(double lat, double lon)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => GeoGrid.Locate(lat, lon, 6));
        Assert.Throws<ArgumentOutOfRangeException>(() => GeoGrid.LocateMorton(lat, lon, 6));
    }

    [Fact]
    public void Orders_and_cells_out_of_range_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => GeoGrid.Locate(0, 0, 30));
        Assert.Throws<ArgumentOutOfRangeException>(() => GeoGrid.Locate(0, 0, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => GeoGrid.Centre(48, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => GeoGrid.Centre(-1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => GeoGrid.LocateMorton(0, 0, 0));
        var lat = new double[3];
        Assert.Throws<ArgumentException>(() => GeoGrid.Locate(lat, new double[2], 3, LatitudeConvention.Authalic, new long[3]));
        Assert.Throws<ArgumentException>(() => GeoGrid.Locate(lat, lat, 3, LatitudeConvention.Authalic, new long[2]));
    }

    [Fact]
    public void Boundary_with_steps_starts_at_the_corners()
    {
        var corners = GeoGrid.Boundary(1234, 6, 1);
        var fine = GeoGrid.Boundary(1234, 6, 5);
        Assert.Equal(20, fine.Length);
        for (int c = 0; c < 4; c++)
            Assert.Equal(corners[c], fine[5 * c]);
        // North corner first: the highest latitude of the four.
        Assert.Equal(corners.Max(p => p.Latitude), corners[0].Latitude);
    }

    [Fact]
    public void Convention_names_parse_and_print()
    {
        Assert.Equal(LatitudeConvention.Authalic, LatitudeConventionNames.Parse("authalic"));
        Assert.Equal(LatitudeConvention.GeodeticSpherical, LatitudeConventionNames.Parse("Geodetic-Spherical"));
        Assert.Equal("geodetic-spherical", LatitudeConvention.GeodeticSpherical.ToName());
        Assert.Contains("'geodetic'", Assert.Throws<FormatException>(() => LatitudeConventionNames.Parse("geodetic")).Message);
    }
}
