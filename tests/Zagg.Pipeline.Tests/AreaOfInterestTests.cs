using Xunit;
using Zagg.Grid;
using Zagg.Grid.Geometry;
using Zagg.Pipeline.Catalogs;

namespace Zagg.Pipeline.Tests;

public sealed class AreaOfInterestTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("zagg-aoi-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static bool Covers(AreaOfInterest aoi, double lat, double lon, int order = 6)
        => aoi.Cells(order).Contains(GeoGrid.Locate(lat, lon, order));

    [Fact]
    public void Antarctica_is_everything_south_of_60S()
    {
        var a = AreaOfInterest.Antarctica;
        Assert.Equal("antarctica", a.Source);
        Assert.Equal(new GeoBox(-180, -90, 180, -60), a.BoundingBox);
        Assert.True(Covers(a, -90, 0));
        Assert.True(Covers(a, -61, 179.9));
        Assert.True(Covers(a, -75, -45));
        Assert.False(Covers(a, -55, 0));
        Assert.False(Covers(a, 80, 0));
        // The cap south of 60°S is 6.7% of the sphere; boundary cells add a little.
        double share = (double)a.Cells(6).Count / HealpixNested.CellCount(6);
        Assert.InRange(share, 0.066, 0.075);
    }

    [Fact]
    public void A_bbox_across_the_antimeridian()
    {
        var a = AreaOfInterest.FromBbox("170,-20,-170,10");
        Assert.Equal("bbox:170,-20,-170,10", a.Source);
        Assert.True(a.BoundingBox.CrossesAntimeridian);
        Assert.True(Covers(a, 0, 180));
        Assert.True(Covers(a, -15, -175));
        Assert.True(Covers(a, 5, 175));
        Assert.False(Covers(a, 0, 0));
        Assert.False(Covers(a, 0, 160));
        Assert.False(Covers(a, 30, 180));
    }

    [Fact]
    public void A_box_up_to_a_pole_covers_the_pole()
    {
        var a = AreaOfInterest.FromBbox("-10,80,10,90");
        Assert.True(Covers(a, 90, 0));
        Assert.True(Covers(a, 89.99, 135));
        Assert.True(Covers(a, 85, 0));
        Assert.False(Covers(a, 85, 90));
    }

    [Theory]
    [InlineData("1,2,3", "expected 4 numbers")]
    [InlineData("0,-95,10,0", "lat_min -95 is outside [-90, 90]")]
    [InlineData("0,0,10,91", "lat_max 91 is outside [-90, 90]")]
    [InlineData("0,10,10,0", "lat_min 10 is north of lat_max 0")]
    [InlineData("a,0,10,1", "lon_min 'a' is not a number")]
    [InlineData("0,0,10,NaN", "lat_max NaN is not a finite number")]
    [InlineData("180,-80,-180,-60", "lon_min 180 and lon_max -180 are the same meridian: the box has no area")]
    [InlineData("-181,0,10,1", "lon_min -181 is outside [-180, 360]")]
    [InlineData("0,0,361,1", "lon_max 361 is outside [-180, 360]")]
    [InlineData("5,-80,5,-60", "lon_min and lon_max are both 5: the box has no area")]
    [InlineData("0,-60,10,-60", "lat_min and lat_max are both -60: the box has no area")]
    public void Bad_bboxes_are_named(string bbox, string message)
    {
        var e = Assert.Throws<AreaOfInterestException>(() => AreaOfInterest.FromBbox(bbox));
        Assert.Contains($"bbox '{bbox}'", e.Message);
        Assert.Contains(message, e.Message);
    }

    private const string Square = "[[-10,-10],[10,-10],[10,10],[-10,10],[-10,-10]]";
    private const string Hole = "[[-3,-3],[-3,3],[3,3],[3,-3],[-3,-3]]";

    [Theory]
    [InlineData("""{"type":"Polygon","coordinates":[SQ,HO]}""")]
    [InlineData("""{"type":"MultiPolygon","coordinates":[[SQ,HO]]}""")]
    [InlineData("""{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[SQ,HO]}}""")]
    [InlineData("""{"type":"FeatureCollection","features":[{"type":"Feature","properties":null,"geometry":{"type":"Polygon","coordinates":[SQ,HO]}}]}""")]
    public void GeoJSON_polygons_with_holes(string json)
    {
        string path = Write("aoi.geojson", json.Replace("SQ", Square).Replace("HO", Hole));
        var a = AreaOfInterest.FromGeoJsonFile(path);
        Assert.Equal($"geojson:{path}", a.Source);
        Assert.True(Covers(a, 7, 7));
        Assert.False(Covers(a, 0, 0));      // in the hole
        Assert.False(Covers(a, 20, 0));
        Assert.True(a.BoundingBox.South <= -10 && a.BoundingBox.North >= 10);
        Assert.Equal(-10, a.BoundingBox.West, 9);
        Assert.Equal(10, a.BoundingBox.East, 9);
    }

    [Fact]
    public void A_GeoJSON_ring_around_the_south_pole_gets_a_polar_box()
    {
        var ring = string.Join(",", Enumerable.Range(0, 36).Select(i => $"[{-180 + 10 * i},-70]"));
        var a = AreaOfInterest.FromGeoJsonFile(Write("cap.geojson", $$"""{"type":"Polygon","coordinates":[[{{ring}},[-180,-70]]]}"""));
        Assert.True(Covers(a, -90, 0));
        Assert.Equal(-90, a.BoundingBox.South);
        Assert.Equal(-180, a.BoundingBox.West);
        Assert.Equal(180, a.BoundingBox.East);
        Assert.True(a.BoundingBox.North >= -70);
    }

    [Fact]
    public void A_self_intersecting_ring_is_named_as_such()
    {
        string path = Write("bowtie.geojson", """{"type":"Polygon","coordinates":[[[0,0],[10,10],[10,0],[0,10],[0,0]]]}""");
        var e = Assert.Throws<AreaOfInterestException>(() => AreaOfInterest.FromGeoJsonFile(path));
        Assert.StartsWith($"{path}: self-intersecting ring: part 0 ring 0 edge 0 crosses ring 0 edge 2", e.Message);
    }

    [Fact]
    public void Malformed_GeoJSON_is_named()
    {
        string path = Write("bad.geojson", """{"type":"Polygon","coordinates":[[[0,0],[0,95],[1,1],[0,0]]]}""");
        var e = Assert.Throws<GeoJsonException>(() => AreaOfInterest.FromGeoJsonFile(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("latitude 95", e.Message);
    }

    private const string BasinsText = """
        # Antarctic drainage systems (synthetic)
        % another comment
        Lat Lon Basin
        -70.0  0.0  1
        -70.0 10.0  1
        -75.0 10.0  1
        -75.0  0.0  1

        -70.0 20.0  2
        -70.0 30.0  2
        -75.0 30.0  2
        -75.0 20.0  2
        -60.0 170.0 17
        -60.0 -170.0 17
        -65.0 -170.0 17
        -65.0 170.0 17
        """;

    [Fact]
    public void A_basins_file_gives_one_polygon_per_basin()
    {
        string path = Write("basins.txt", BasinsText);
        var all = AreaOfInterest.FromBasinsFile(path, null);
        Assert.Equal($"basins:{path}", all.Source);
        Assert.True(Covers(all, -72, 5));
        Assert.True(Covers(all, -72, 25));
        Assert.True(Covers(all, -62, 180));
        Assert.False(Covers(all, -72, 15));
        Assert.True(all.BoundingBox.CrossesAntimeridian || all.BoundingBox.East - all.BoundingBox.West >= 190);

        var picked = AreaOfInterest.FromBasinsFile(path, [17, 1]);
        Assert.Equal($"basins:{path}:1,17", picked.Source);
        Assert.True(Covers(picked, -72, 5));
        Assert.False(Covers(picked, -72, 25));
        Assert.True(Covers(picked, -62, -175));
        Assert.True(picked.BoundingBox.CrossesAntimeridian);
    }

    [Fact]
    public void A_basin_not_in_the_file_is_named()
    {
        string path = Write("basins.txt", BasinsText);
        var e = Assert.Throws<AreaOfInterestException>(() => AreaOfInterest.FromBasinsFile(path, [1, 5]));
        Assert.Equal($"{path}: no basin 5 in the file (it has 1, 2, 17)", e.Message);
    }

    [Theory]
    [InlineData("-70 0 1\n-70 10\n", "line 2: expected 3 columns")]
    [InlineData("-70 0 1\n-70 10 1\n-95 10 1\n", "line 3: latitude '-95' is not a number in [-90, 90]")]
    [InlineData("-70 0 1\n-70 x 1\n", "line 2: longitude 'x' is not a number")]
    [InlineData("-70 0 1\n-70 10 1.5\n", "line 2: basin id '1.5' is not a whole number")]
    [InlineData("-70 0 1\n-70 10 1\n", "basin 1 has 2 position(s)")]
    [InlineData("# nothing\n", "no data lines")]
    [InlineData("-70 0 1\n-60 10 1\n-70 10 1\n-60 0 1\n", "self-intersecting ring: basin 1 edge 0 crosses edge 2")]
    public void Bad_basins_files_name_the_line(string text, string message)
    {
        string path = Write("bad.txt", text);
        var e = Assert.Throws<AreaOfInterestException>(() => AreaOfInterest.FromBasinsFile(path, null));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void A_missing_file_is_one_line()
    {
        var e = Assert.Throws<AreaOfInterestException>(() => AreaOfInterest.FromBasinsFile(Path.Combine(_dir, "none.txt"), null));
        Assert.Contains("none.txt: cannot be read", e.Message);
    }
    [Fact]
    public void Choose_takes_one_area_and_a_bbox_beside_a_file_is_the_search_box()
    {
        string basins = Write("basins.txt", BasinsText);
        var names = AreaInputNames.Options;

        Assert.Same(AreaOfInterest.Antarctica, AreaOfInterest.Choose(null, null, null, null, names, out var box));
        Assert.Null(box);

        var alone = AreaOfInterest.Choose(null, null, null, "170,-70,-170,-60", names, out box);
        Assert.Equal("bbox:170,-70,-170,-60", alone.Source);
        Assert.Null(box);

        var picked = AreaOfInterest.Choose(null, basins, [1], "-10,-80,10,-50", names, out box);
        Assert.Equal($"basins:{basins}:1", picked.Source);
        Assert.Equal(new GeoBox(-10, -80, 10, -50), box);

        var both = Assert.Throws<AreaOfInterestException>(() => AreaOfInterest.Choose("a.geojson", basins, null, null, names, out _));
        Assert.Equal("give one area of interest: --polygon or --basins-file (--bbox beside either is the search's box)", both.Message);
        var orphan = Assert.Throws<AreaOfInterestException>(() => AreaOfInterest.Choose(null, null, [1], null, AreaInputNames.Fields, out _));
        Assert.Equal("basins picks basins of basinsFile: give the file too", orphan.Message);
        var badBox = Assert.Throws<AreaOfInterestException>(() => AreaOfInterest.Choose(null, basins, null, "1,2,3", names, out _));
        Assert.StartsWith("--bbox '1,2,3': expected 4 numbers", badBox.Message);
        var missing = Assert.Throws<AreaOfInterestException>(() => AreaOfInterest.Choose(null, basins, [99], null, names, out _));
        Assert.Equal($"--basins-file {basins}: no basin 99 in the file (it has 1, 2, 17)", missing.Message);
        var fieldBox = Assert.Throws<AreaOfInterestException>(() => AreaOfInterest.Choose(null, null, null, "1,2,3", AreaInputNames.Fields, out _));
        Assert.StartsWith("bbox '1,2,3'", fieldBox.Message);

        // Basin 17 lies across the antimeridian between 60°S and 65°S: a box across it there is a search box, one in
        // the Arctic or on the other side of the Earth cannot find anything in the area.
        AreaOfInterest.Choose(null, basins, [17], "175,-70,-175,-50", names, out box);
        Assert.Equal(new GeoBox(175, -70, -175, -50), box);
        AreaOfInterest.Choose(null, basins, [17], "-180,-62,180,-61", names, out box);
        Assert.Equal(new GeoBox(-180, -62, 180, -61), box);
        Assert.Throws<AreaOfInterestException>(() => AreaOfInterest.Choose(null, basins, [17], "-180,-90,180,-80", names, out _));
        var far = Assert.Throws<AreaOfInterestException>(() => AreaOfInterest.Choose(null, basins, [17], "0,70,10,80", names, out _));
        Assert.StartsWith("--bbox 0,70,10,80 does not overlap the area's extent ", far.Message);
        Assert.Throws<AreaOfInterestException>(() => AreaOfInterest.Choose(null, basins, [17], "10,-64,20,-61", names, out _));
    }
}
