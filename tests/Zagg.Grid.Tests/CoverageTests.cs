using Xunit;
using Zagg.Grid.Geometry;

namespace Zagg.Grid.Tests;

public class CoverageTests
{
    private static GeoPoint[] Parallel(double lat, int n, double lon0 = -180, double lon1 = 180)
        => Enumerable.Range(0, n).Select(i => new GeoPoint(lat, lon0 + (lon1 - lon0) * i / n)).ToArray();

    private static GeoPoint[] Box(double south, double west, double north, double east)
        => [new(south, west), new(south, east), new(north, east), new(north, west)];

    private static Vec3 Centre(int order, long cell)
    {
        HealpixNested.CentreZPhi(order, cell, out double z, out double phi, out double st, out bool have);
        return Vec3.FromZPhi(z, phi, st, have);
    }

    /// <summary>
    /// Checks a cover against every cell of the order: each cell whose centre is inside, or that
    /// holds a vertex, is covered; each covered cell lies within one cell radius of the polygon.
    /// </summary>
    private static void CheckAgainstEveryCell(GeoPolygon polygon, int order, LatitudeConvention convention = LatitudeConvention.Authalic)
    {
        var region = SphericalRegion.FromGeo(polygon, convention);
        var cover = PolygonCoverage.Cover(region, order);
        foreach (var part in polygon.Parts)
            foreach (var ring in part)
                foreach (var v in ring)
                    Assert.True(cover.Contains(GeoGrid.Locate(v.Latitude, v.Longitude, order, convention)), $"vertex {v} not covered");
        var edges = region.Edges;
        var outline = new Vec3[4];
        for (long cell = 0; cell < HealpixNested.CellCount(order); cell++)
        {
            Vec3 c = Centre(order, cell);
            bool inside = region.Contains(c);
            if (inside) Assert.True(cover.Contains(cell), $"cell {cell} has its centre inside but is not covered");
            if (cover.Contains(cell) && !inside)
            {
                HealpixNested.Boundary(order, cell, 1, outline);
                double radius = outline.Max(v => v.AngleTo(c)) * 1.1;
                Assert.True(edges.Any(e => e.DistanceTo(c) <= radius), $"cell {cell} is covered but far from the polygon");
            }
        }
    }

    [Fact]
    public void A_ring_around_the_south_pole_covers_the_cap()
    {
        var ring = Parallel(-60, 72);
        CheckAgainstEveryCell(GeoPolygon.FromRing(ring), 5);
        var cover = PolygonCoverage.Cover(GeoPolygon.FromRing(ring), 6);
        // The cap south of −60° is 6.7% of the sphere; a few boundary cells more.
        double share = (double)cover.Count / HealpixNested.CellCount(6);
        Assert.InRange(share, 0.067, 0.075);
        Assert.True(cover.Contains(GeoGrid.Locate(-90, 0, 6)));
        Assert.True(cover.Contains(GeoGrid.Locate(-75, 123, 6)));
        Assert.False(cover.Contains(GeoGrid.Locate(-50, 0, 6)));
    }

    [Fact]
    public void Winding_does_not_matter_the_smaller_region_is_meant()
    {
        var ring = Parallel(-60, 72);
        var a = PolygonCoverage.Cover(GeoPolygon.FromRing(ring), 6);
        var b = PolygonCoverage.Cover(GeoPolygon.FromRing(ring.Reverse().ToArray()), 6);
        Assert.Equal(a.ToArray(), b.ToArray());
    }

    [Fact]
    public void A_box_across_the_antimeridian_needs_no_splitting()
    {
        var box = Box(-20, 170, 10, -170);
        CheckAgainstEveryCell(GeoPolygon.FromRing(box), 5);
        var cover = PolygonCoverage.Cover(GeoPolygon.FromRing(box), 6);
        Assert.True(cover.Contains(GeoGrid.Locate(0, 180, 6)));
        Assert.True(cover.Contains(GeoGrid.Locate(0, -175, 6)));
        Assert.False(cover.Contains(GeoGrid.Locate(0, 0, 6)));
        Assert.False(cover.Contains(GeoGrid.Locate(0, 160, 6)));
    }

    [Fact]
    public void A_ring_over_the_north_pole_and_the_antimeridian()
    {
        GeoPoint[] ring = [new(70, 170), new(75, -100), new(72, -10), new(80, 60)];
        CheckAgainstEveryCell(GeoPolygon.FromRing(ring), 6, LatitudeConvention.GeodeticSpherical);
        Assert.True(PolygonCoverage.Cover(GeoPolygon.FromRing(ring), 7).Contains(GeoGrid.Locate(90, 0, 7)));
    }

    [Fact]
    public void Holes_are_left_out_and_parts_are_joined()
    {
        var outer = Box(-40, -40, 40, 40);
        var hole = Box(-10, -10, 10, 10);
        var far = Box(50, 100, 60, 120);
        var polygon = new GeoPolygon([[outer, hole], [far]]);
        CheckAgainstEveryCell(polygon, 5);
        var cover = PolygonCoverage.Cover(polygon, 6);
        Assert.False(cover.Contains(GeoGrid.Locate(0, 0, 6)));
        Assert.True(cover.Contains(GeoGrid.Locate(25, 25, 6)));
        Assert.True(cover.Contains(GeoGrid.Locate(55, 110, 6)));
        Assert.False(cover.Contains(GeoGrid.Locate(55, 90, 6)));
    }

    [Fact]
    public void A_polygon_inside_one_cell_covers_that_cell()
    {
        var tiny = Box(-71.0001, 10.0001, -71.0000, 10.0002);
        var cover = PolygonCoverage.Cover(GeoPolygon.FromRing(tiny), 6);
        Assert.Equal([GeoGrid.Locate(-71.00005, 10.00015, 6)], cover.ToArray());
    }

    [Fact]
    public void Fine_orders_keep_interiors_as_runs()
    {
        var cover = PolygonCoverage.Cover(GeoPolygon.FromRing(Parallel(-60, 360)), 12);
        // Millions of cells, held as far fewer runs, all inside the cap's order-6 cover.
        Assert.True(cover.Count > 3_000_000, $"{cover.Count}");
        Assert.True(cover.Runs.Count < cover.Count / 100);
        var coarse = PolygonCoverage.Cover(GeoPolygon.FromRing(Parallel(-60, 360)), 6);
        foreach (var (start, _) in cover.Runs) Assert.True(coarse.Contains(start >> 12));
    }

    [Fact]
    public void Bounding_box_crosses_the_antimeridian_when_the_polygon_does()
    {
        var (w, s, e, n) = GeoPolygon.FromRing(Box(-20, 170, 10, -170)).BoundingBox();
        Assert.Equal((170.0, -20.0, -170.0, 10.0), (w, s, e, n));
        Assert.Equal((-40.0, -40.0, 40.0, 40.0), GeoPolygon.FromRing(Box(-40, -40, 40, 40)).BoundingBox());
    }

    [Fact]
    public void Degenerate_rings_are_refused()
    {
        Assert.Throws<ArgumentException>(() => SphericalRegion.FromGeo(GeoPolygon.FromRing([new(0, 0), new(0, 0), new(1, 1)])));
        Assert.Throws<ArgumentException>(() => SphericalRegion.FromGeo(GeoPolygon.FromRing([new(0, 0), new(0, 180), new(10, 10)])));
        Assert.Throws<ArgumentException>(() => GeoPolygon.FromRing([new(0, 0), new(95, 0), new(1, 1)]));
    }
}
