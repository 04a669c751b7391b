using Xunit;
using Zagg.Grid.Geometry;

namespace Zagg.Grid.Tests;

public class GeoJsonTests
{
    [Fact]
    public void Features_collections_and_multipolygons_become_parts()
    {
        const string json = """
        {"type": "FeatureCollection", "features": [
          {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [[[0,0],[10,0],[10,10],[0,10],[0,0]]]}},
          {"type": "Feature", "geometry": {"type": "MultiPolygon", "coordinates": [
             [[[20,20],[30,20],[30,30],[20,20]]],
             [[[40,-80],[50,-80],[50,-70],[40,-80]], [[42,-79],[44,-79],[44,-78],[42,-79]]]]}},
          {"type": "Feature", "geometry": null}
        ]}
        """;
        var p = GeoJson.ReadPolygon(json);
        Assert.Equal(3, p.Parts.Count);
        Assert.Equal(2, p.Parts[2].Count);
        Assert.Equal(new GeoPoint(10, 0), p.Parts[0][0][3]); // [lon, lat]
    }

    [Theory]
    [InlineData("{", "not valid JSON")]
    [InlineData("""{"type":"Point","coordinates":[0,0]}""", "$ is a Point")]
    [InlineData("""{"type":"Polygon"}""", "$ lacks \"coordinates\"")]
    [InlineData("""{"type":"Polygon","coordinates":[[[0,0],[0,95],[1,1],[0,0]]]}""", "$.coordinates[0][1] has latitude 95")]
    [InlineData("""{"type":"Polygon","coordinates":[[[0,0],[1,1]]]}""", "$.coordinates[0] has 2 positions")]
    [InlineData("""{"type":"Polygon","coordinates":[[[0,0],["a",1],[1,1]]]}""", "$.coordinates[0][1] should hold numbers")]
    [InlineData("""{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Blob"}}]}""", "$.features[0].geometry has unknown GeoJSON type 'Blob'")]
    [InlineData("""{"type":"FeatureCollection","features":[]}""", "holds no Polygon")]
    public void Bad_input_is_refused_with_the_place_named(string json, string message)
    {
        var e = Assert.Throws<GeoJsonException>(() => GeoJson.ReadPolygon(json, "region.geojson"));
        Assert.StartsWith("region.geojson: ", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var e = Assert.Throws<GeoJsonException>(() => GeoJson.ReadPolygonFile("/nonexistent/region.geojson"));
        Assert.Contains("/nonexistent/region.geojson", e.Message);
    }
}
