using Xunit;
using Zagg.Grid;
using Zagg.Grid.Geometry;
using Zagg.Pipeline.Catalogs;

namespace Zagg.Pipeline.Tests;

public class CatalogMappingTests
{
    private static GeoFootprint Box(double south, double west, double north, double east)
        => new(polygons: [GeoPolygon.FromRing([new(south, west), new(south, east), new(north, east), new(north, west)])]);

    [Fact]
    public void Cells_list_the_granules_whose_footprints_meet_them()
    {
        GeoFootprint[] footprints =
        [
            Box(-75, 0, -70, 20),
            new(points: [new GeoPoint(-72, 10)]),
            Box(-75, 100, -70, 120),
            new(),                                           // an empty footprint meets nothing
            Box(10, 0, 20, 10),                              // outside Antarctica
            new(lines: [[new(-65, 170), new(-65, -170)]]),   // across the antimeridian
        ];
        var aoi = AreaOfInterest.Antarctica.Cells(6);
        var map = CatalogMapping.Map(footprints, aoi, 6);

        // Every cell is in the AOI, in increasing NESTED order, granules ascending.
        var nested = map.Select(c => Morton.ToNested(c.Morton, out _)).ToList();
        Assert.Equal(nested.Order(), nested);
        Assert.All(nested, n => Assert.True(aoi.Contains(n)));
        Assert.All(map, c => Assert.Equal(c.Granules.Order(), c.Granules));

        // Against each footprint's own coverage.
        for (int g = 0; g < footprints.Length; g++)
        {
            var own = FootprintCoverage.Cover(footprints[g], 6).Intersect(aoi);
            var listed = map.Where(c => c.Granules.Contains(g)).Select(c => Morton.ToNested(c.Morton, out _)).ToArray();
            Assert.Equal(own.ToArray(), listed);
        }
        long point = Morton.FromNested(GeoGrid.Locate(-72, 10, 6), 6);
        Assert.Equal([0, 1], map.Single(c => c.Morton == point).Granules);
        Assert.DoesNotContain(map, c => c.Granules.Contains(3) || c.Granules.Contains(4));
        Assert.Contains(map, c => c.Granules.Contains(5));
        Assert.Equal(CatalogMapping.Map(footprints, aoi, 6, maxDegreeOfParallelism: 1).Select(c => (c.Morton, string.Join(',', c.Granules))),
            map.Select(c => (c.Morton, string.Join(',', c.Granules))));
    }

    [Fact]
    public void Wrong_orders_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CatalogMapping.Map([], CellRanges.All(0), 0));
        Assert.Throws<ArgumentException>(() => CatalogMapping.Map([], CellRanges.All(5), 6));
    }
    [Fact]
    public void The_array_inversion_equals_the_dictionary_one()
    {
        // Thin tracks all over the globe, one across the antimeridian, a polar cap, a polygon with a hole.
        var rng = new Random(9);
        var footprints = new List<GeoFootprint>();
        for (int k = 0; k < 300; k++)
        {
            double lat = rng.NextDouble() * 160 - 80, lon = rng.NextDouble() * 360 - 180, dLon = rng.NextDouble() * 30;
            footprints.Add(new(polygons: [GeoPolygon.FromRing([new(lat, lon), new(lat + 0.05, lon), new(lat + 0.05, lon + dLon), new(lat, lon + dLon)])]));
        }
        footprints.Add(Box(-10, 175, 10, -175));
        footprints.Add(new(polygons: [GeoPolygon.FromRing([new(-80, 0), new(-80, 90), new(-80, 180), new(-80, -90)])]));
        footprints.Add(new(polygons: [new GeoPolygon([[
            [new(40, 10), new(40, 30), new(60, 30), new(60, 10)],
            [new(45, 15), new(55, 15), new(55, 25), new(45, 25)]]])]));
        var perGranule = footprints.Select(f => new CatalogMapping.RunSlice(FootprintCoverage.Cover(f, 6).RunSpan.ToArray())).ToArray();
        var dense = CatalogMapping.InvertDense(perGranule, 6);
        var sparse = CatalogMapping.InvertSparse(perGranule, 6);
        Assert.True(dense.Length > 1000);
        Assert.Equal(sparse.Select(c => (c.Item1, string.Join(',', c.Item2))), dense.Select(c => (c.Item1, string.Join(',', c.Item2))));
        // The hole's middle is in no list of the holed polygon (the last footprint).
        long hole = Morton.FromNested(GeoGrid.Locate(50, 20, 6), 6);
        Assert.DoesNotContain(dense, c => c.Item1 == hole && c.Item2.Contains(footprints.Count - 1));
        long pole = Morton.FromNested(GeoGrid.Locate(-90, 0, 6), 6);
        Assert.Contains(dense, c => c.Item1 == pole && c.Item2.Contains(footprints.Count - 2));
    }
}
