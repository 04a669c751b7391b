using Xunit;
using Zagg.Grid.Geometry;

namespace Zagg.Grid.Tests;

public class FootprintCoverageTests
{
    [Fact]
    public void Points_cover_their_cells()
    {
        var fp = new GeoFootprint(points: [new GeoPoint(-75, 10), new GeoPoint(80, -170), new GeoPoint(-75, 10)]);
        var cover = FootprintCoverage.Cover(fp, 6);
        Assert.Equal(new[] { GeoGrid.Locate(80, -170, 6), GeoGrid.Locate(-75, 10, 6) }.Order(), cover.ToArray());
    }

    [Fact]
    public void A_polygon_and_a_box_join()
    {
        var polygon = GeoPolygon.FromRing([new(-70, 0), new(-70, 10), new(-65, 10), new(-65, 0)]);
        var fp = new GeoFootprint(polygons: [polygon], boxes: [new GeoBox(170, 0, -170, 10)]);
        var cover = FootprintCoverage.Cover(fp, 5);
        Assert.True(cover.Contains(GeoGrid.Locate(-67, 5, 5)));
        Assert.True(cover.Contains(GeoGrid.Locate(5, 180, 5)));
        Assert.True(cover.Contains(GeoGrid.Locate(5, -175, 5)));
        Assert.False(cover.Contains(GeoGrid.Locate(5, 0, 5)));
        Assert.False(cover.Contains(GeoGrid.Locate(-50, 5, 5)));
    }

    [Fact]
    public void Union_and_intersection_merge_runs()
    {
        var a = CellRanges.FromCells(2, new long[] { 1, 2, 3, 10, 11, 40 });
        var b = CellRanges.FromCells(2, new long[] { 3, 4, 11, 12, 41 });
        Assert.Equal(new long[] { 1, 2, 3, 4, 10, 11, 12, 40, 41 }, a.Union(b).ToArray());
        Assert.Equal(new long[] { 3, 11 }, a.Intersect(b).ToArray());
        Assert.Equal(3, a.Union(b).Runs.Count);
    }

    [Fact]
    public void Self_intersections_are_found_and_collinear_neighbours_are_not()
    {
        // A bow-tie.
        Assert.StartsWith("part 0 ring 0 edge 0 crosses ring 0 edge 2",
            PolygonValidation.FindSelfIntersection(GeoPolygon.FromRing([new(0, 0), new(10, 10), new(0, 10), new(10, 0)])));
        // The crossing is named by longitude and latitude, the order GeoJSON gives them in.
        Assert.Contains("near longitude 5.00000, latitude -71.",
            PolygonValidation.FindSelfIntersection(GeoPolygon.FromRing([new(-70, 0), new(-72, 10), new(-70, 10), new(-72, 0)])));
        // A side of many collinear points along a meridian: non-adjacent edges on one great circle.
        var ring = new List<GeoPoint>();
        for (int i = 0; i <= 20; i++) ring.Add(new GeoPoint(-66 - 22.0 * i / 20, 20));
        for (int i = 1; i <= 20; i++) ring.Add(new GeoPoint(-88, 20 - 13.3 * i / 20));
        for (int i = 1; i < 20; i++) ring.Add(new GeoPoint(-88 + 22.0 * i / 20, 6.7));
        Assert.Null(PolygonValidation.FindSelfIntersection(GeoPolygon.FromRing(ring)));
        // A hole crossing its exterior.
        GeoPoint[] outer = [new(0, 0), new(0, 10), new(10, 10), new(10, 0)];
        GeoPoint[] hole = [new(5, 5), new(5, 15), new(6, 15), new(6, 5)];
        Assert.Contains("crosses ring 1", PolygonValidation.FindSelfIntersection(new GeoPolygon([[outer, hole]])));
        // Two parts may overlap (adjacent basins share borders).
        Assert.Null(PolygonValidation.FindSelfIntersection(new GeoPolygon([[outer], [[new(5, 5), new(5, 15), new(6, 15), new(6, 5)]]])));
    }

    [Fact]
    public void Footprints_covered_one_after_another_match_their_own_regions()
    {
        // FootprintCoverage builds one-ring polygons into a region kept per thread and per vertex count: a band, a ring
        // wider than a hemisphere (rewound, no cap), the band reversed, then the band again must each cover exactly what
        // a region of their own covers; a refused ring leaves the next one unaffected.
        GeoPoint[] band = [new(-70, 0), new(-70, 10), new(-65, 10), new(-65, 0)];
        GeoPoint[] wide = [new(-10, 0), new(-10, 90), new(-10, 180), new(-10, -90)];
        GeoPoint[] antipodal = [new(0, 0), new(0, 180), new(10, 90), new(20, 45)];
        foreach (var ring in new[] { band, wide, band.Reverse().ToArray(), band })
        {
            var polygon = GeoPolygon.FromRing(ring);
            var expected = PolygonCoverage.Cover(SphericalRegion.FromGeo(polygon), 3).ToArray();
            Assert.Equal(expected, FootprintCoverage.Cover(new GeoFootprint(polygons: [polygon]), 3).ToArray());
        }
        var refused = Assert.Throws<ArgumentException>(() => FootprintCoverage.Cover(new GeoFootprint(polygons: [GeoPolygon.FromRing(antipodal)]), 3));
        Assert.Contains("positions 0 and 1 are antipodal", refused.Message);
        Assert.Equal(PolygonCoverage.Cover(GeoPolygon.FromRing(band), 3).ToArray(),
            FootprintCoverage.Cover(new GeoFootprint(polygons: [GeoPolygon.FromRing(band)]), 3).ToArray());
    }
}
