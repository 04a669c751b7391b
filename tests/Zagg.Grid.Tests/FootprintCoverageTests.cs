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
}
