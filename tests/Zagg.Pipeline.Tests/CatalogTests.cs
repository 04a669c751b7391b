using Xunit;
using Zagg.Pipeline.Catalogs;

namespace Zagg.Pipeline.Tests;

public class CatalogTests
{
    private const string Json = """
        {"metadata": {"short_name": "ATL06", "version": "007", "parent_order": 6, "total_cells": 2,
           "s3_base": "s3://nsidc-cumulus-prod-protected", "https_base": "https://data.example/nsidc-cumulus-prod-protected"},
         "catalog": {"-6134114": ["s3://nsidc-cumulus-prod-protected/ATLAS/ATL06/007/2024/01/06/ATL06_a.h5"], "-6134113": []}}
        """;

    [Fact]
    public void Cells_keep_their_order_and_links_follow_the_driver()
    {
        var c = GranuleCatalog.Parse(Json, "catalog.json");
        Assert.Equal(6, c.ParentOrder);
        Assert.Equal([-6134114L, -6134113L], c.Cells.Select(x => x.Morton));
        string s3 = c.Cells[0].Granules[0];
        string https = c.Resolve(s3, "https");
        Assert.Equal("https://data.example/nsidc-cumulus-prod-protected/ATLAS/ATL06/007/2024/01/06/ATL06_a.h5", https);
        Assert.Equal(s3, c.Resolve(https, "s3"));
        Assert.Equal(s3, c.Resolve(s3, "s3"));
        Assert.Equal("/local/file.h5", c.Resolve("/local/file.h5", "https"));
    }

    [Fact]
    public void A_catalog_survives_a_save_and_load()
    {
        string path = Path.Combine(Path.GetTempPath(), $"catalog-{Guid.NewGuid():N}.json");
        try
        {
            GranuleCatalog.Parse(Json, "c").Save(path);
            var back = GranuleCatalog.Load(path);
            Assert.Equal([-6134114L, -6134113L], back.Cells.Select(x => x.Morton));
            Assert.Equal("ATL06", back.Metadata["short_name"]!.GetValue<string>());
        }
        finally { File.Delete(path); }
    }

    [Theory]
    [InlineData("{", "not valid JSON")]
    [InlineData("""{"metadata": {"parent_order": 6}, "catalog": {"-6134114": ["a.h5"], "-6134114": ["b.h5"]}}""", "not valid JSON: Duplicate")]
    [InlineData("""{"metadata": {"parent_order": 6}, "metadata": {}, "catalog": {}}""", "not valid JSON: Duplicate")]
    [InlineData("""{"catalog": {}}""", "no \"metadata\" object")]
    [InlineData("""{"metadata": {"parent_order": 30}, "catalog": {}}""", "parent_order must be an order in 1–18")]
    [InlineData("""{"metadata": {"parent_order": 6}}""", "no \"catalog\" object")]
    [InlineData("""{"metadata": {"parent_order": 6}, "catalog": {"abc": []}}""", "catalog key \"abc\" is not a morton word")]
    [InlineData("""{"metadata": {"parent_order": 6}, "catalog": {"-6134154": []}}""", "digit 5 at level 5")]
    [InlineData("""{"metadata": {"parent_order": 6}, "catalog": {"-61341": []}}""", "has order 4, metadata.parent_order is 6")]
    [InlineData("""{"metadata": {"parent_order": 6}, "catalog": {"-6134114": "x.h5"}}""", "should be a list of granule URLs")]
    [InlineData("""{"metadata": {"parent_order": 6}, "catalog": {"-6134114": [1, 2]}}""", "catalog[\"-6134114\"][0] is not a granule URL (a string)")]
    [InlineData("""{"metadata": {"parent_order": 6}, "catalog": {"-6134114": ["a.h5", null]}}""", "catalog[\"-6134114\"][1] is not a granule URL")]
    [InlineData("""{"metadata": {"parent_order": 6}, "catalog": {"-6134114": [""]}}""", "catalog[\"-6134114\"][0] is not a granule URL")]
    [InlineData("""{"metadata": {"parent_order": 6}, "catalog": {"-6134114": ["a.h5", "b.h5", "a.h5"]}}""", "catalog[\"-6134114\"] lists a.h5 twice")]
    public void Bad_catalogs_are_named(string json, string message)
    {
        var e = Assert.Throws<CatalogException>(() => GranuleCatalog.Parse(json, "cat.json"));
        Assert.StartsWith("cat.json: ", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void A_search_that_lists_one_file_twice_makes_a_catalog_that_lists_it_once_and_reads_back()
    {
        // A catalog that listed a file twice would be refused when read (its points would count twice).
        var footprint = new Zagg.Grid.Geometry.GeoFootprint();
        Catalogs.Search.GranuleRecord Record(string ur, string s3) => new(ur, s3, null, footprint, null, null);
        string a = "s3://b/ATL06_a.h5", b = "s3://b/ATL06_b.h5";
        var granules = new[] { Record("A", a), Record("B", b), Record("A again", a) };
        var query = new Catalogs.Search.GranuleQuery { StartDate = new DateOnly(2024, 1, 6), EndDate = new DateOnly(2024, 1, 7) };
        var catalog = GranuleCatalog.FromSearch(granules, [(-6134114L, [2, 1, 0])], query, "test", AreaOfInterest.Antarctica, 6, Zagg.Grid.LatitudeConvention.Authalic);
        Assert.Equal([a, b], catalog.Cells[0].Granules);
        Assert.Equal([a, b], GranuleCatalog.Parse(catalog.ToJsonText(), "c.json").Cells[0].Granules);
    }

    [Fact]
    public void A_folder_given_as_the_catalog_is_named_as_one()
    {
        string dir = Directory.CreateTempSubdirectory("zagg-catalog").FullName;
        try { Assert.Equal($"{dir}: a folder, not a catalog file", Assert.Throws<CatalogException>(() => GranuleCatalog.Load(dir)).Message); }
        finally { Directory.Delete(dir); }
    }
}
