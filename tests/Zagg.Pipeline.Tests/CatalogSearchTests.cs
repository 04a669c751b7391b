using Zagg.Grid.Geometry;
using System.Text.Json.Nodes;
using Xunit;
using Xunit.Abstractions;
using Zagg.Grid;
using Zagg.Pipeline.Catalogs;
using Zagg.Pipeline.Catalogs.Search;
using Zagg.Pipeline.Config;
using Zagg.TestSupport;

namespace Zagg.Pipeline.Tests;

/// <summary>The catalog from a search (fake CMR and STAC API on loopback) against the exact catalog from the granules' points.</summary>
public class CatalogSearchTests(ITestOutputHelper output)
{
    private static readonly SearchOptions Fast = new() { PageSize = 3, RetryDelay = TimeSpan.FromMilliseconds(10), MaxRetries = 3 };
    private static readonly string TestSet = Path.Combine(AppContext.BaseDirectory, "TestSet");

    private static GranuleQuery January => new() { StartDate = new(2024, 1, 1), EndDate = new(2024, 1, 31) };

    private static List<JsonObject> AllRecords()
        => [.. FakeCmr.DemoRecords(), .. UmmRecords.Shapes().Select(s => s.Record), .. UmmRecords.Filler(20)];

    private static HashSet<(long, string)> Pairs(GranuleCatalog c) => c.Cells.SelectMany(x => x.Granules.Select(g => (x.Morton, FileName(g)))).ToHashSet();

    private static string FileName(string url) => url[(url.LastIndexOf('/') + 1)..];

    [Fact]
    public async Task The_searched_catalog_holds_every_granule_in_every_cell_it_has_points_in()
    {
        var config = ConfigLoader.Load("atl06");
        var files = Directory.GetFiles(TestSet, "*.h5").Order().ToList();
        var exact = await GranuleCatalog.FromFilesAsync(files, 6, config);
        await using var cmr = await FakeCmr.StartAsync(AllRecords());
        var result = await CatalogSearch.BuildAsync(new CmrGranuleSearch(cmr.Url, Fast), January, AreaOfInterest.Antarctica, 6, config.Grid.Latitude);
        var searched = result.Catalog.Cells.ToDictionary(c => c.Morton, c => c.Granules.Select(FileName).ToHashSet());
        int missing = 0, extra = 0;
        var demoNames = files.Select(Path.GetFileName).ToHashSet();
        foreach (var (morton, granules) in exact.Cells)
            foreach (string g in granules)
                if (!searched.TryGetValue(morton, out var set) || !set.Contains(Path.GetFileName(g))) missing++;
        var exactSet = exact.Cells.SelectMany(c => c.Granules.Select(g => (c.Morton, Path.GetFileName(g)))).ToHashSet();
        foreach (var (morton, set) in searched)
            foreach (string g in set)
                if (demoNames.Contains(g) && !exactSet.Contains((morton, g))) extra++;
        output.WriteLine($"{exactSet.Count} exact (cell, granule) mappings from the points, none missing; {extra} extra from the footprints' over-coverage");
        Assert.Equal(0, missing);
        // The footprints enclose the tracks with a 500 m margin: over-coverage adds a few cells, not many.
        Assert.True(extra <= exactSet.Count, $"{extra} extra mappings for {exactSet.Count} exact ones");
        Assert.Equal(AllRecords().Count, result.Granules.Count);
        Assert.Equal(6, result.Catalog.ParentOrder);
        Assert.True(cmr.Requests.Count >= AllRecords().Count / 3, "many pages");
        Assert.Null(cmr.SearchAfter[0]);
        Assert.All(cmr.SearchAfter.Skip(1), Assert.NotNull);
        Assert.Contains("page_size=3", cmr.Requests[0]);
        Assert.Contains("bounding_box=-180%2C-90%2C180%2C-60", cmr.Requests[0]);
        Assert.Contains("temporal%5B%5D=2024-01-01T00%3A00%3A00Z%2C2024-01-31T23%3A59%3A59Z", cmr.Requests[0]);
        var m = result.Catalog.Metadata;
        Assert.Equal(UmmRecords.S3Base, m["s3_base"]!.GetValue<string>());
        Assert.Equal(UmmRecords.HttpsBase, m["https_base"]!.GetValue<string>());
        Assert.Equal("antarctica", m["aoi"]!["source"]!.GetValue<string>());
        Assert.All(result.Catalog.Cells.SelectMany(c => c.Granules), g => Assert.StartsWith(UmmRecords.S3Base + "/ATLAS/ATL06/007/", g));
        Assert.All(result.Catalog.Cells.SelectMany(c => c.Granules), g => Assert.EndsWith(".h5", g));
    }

    [Fact]
    public async Task Every_shape_lists_its_granule_where_it_has_data_and_not_far_away()
    {
        var shapes = UmmRecords.Shapes();
        await using var cmr = await FakeCmr.StartAsync(shapes.Select(s => s.Record));
        var result = await CatalogSearch.BuildAsync(new CmrGranuleSearch(cmr.Url, Fast), January, AreaOfInterest.Antarctica, 6, LatitudeConvention.Authalic);
        var cells = result.Catalog.Cells.ToDictionary(c => c.Morton, c => c.Granules.Select(FileName).ToHashSet());
        foreach (var (record, inside, outside) in shapes)
        {
            string name = record["GranuleUR"]!.GetValue<string>();
            foreach (var (lon, lat) in inside)
            {
                long cell = GeoGrid.LocateMorton(lat, lon, 6);
                Assert.True(cells.TryGetValue(cell, out var set) && set.Contains(name), $"{name}: cell {cell} of ({lon}, {lat}) should list it");
            }
            foreach (var (lon, lat) in outside)
            {
                long cell = GeoGrid.LocateMorton(lat, lon, 6);
                Assert.False(cells.TryGetValue(cell, out var set) && set.Contains(name), $"{name}: cell {cell} of ({lon}, {lat}) should not list it");
            }
        }
    }

    [Fact]
    public async Task A_STAC_API_gives_the_same_catalog_as_CMR()
    {
        var records = AllRecords();
        await using var cmr = await FakeCmr.StartAsync(records);
        await using var stac = await FakeStac.StartAsync("ATL06_007", records.Select(r => FakeStac.ItemFromUmm(r, "ATL06_007")));
        var viaCmr = await CatalogSearch.BuildAsync(new CmrGranuleSearch(cmr.Url, Fast), January, AreaOfInterest.Antarctica, 6, LatitudeConvention.Authalic);
        var viaStac = await CatalogSearch.BuildAsync(new StacItemSearch(stac.Url, "ATL06_007", Fast), January, AreaOfInterest.Antarctica, 6, LatitudeConvention.Authalic);
        var a = Pairs(viaCmr.Catalog);
        var b = Pairs(viaStac.Catalog);
        Assert.True(a.SetEquals(b), $"only from CMR: {string.Join(", ", a.Except(b))}; only from STAC: {string.Join(", ", b.Except(a))}");
        Assert.Equal(viaCmr.Catalog.Cells.Select(c => c.Morton), viaStac.Catalog.Cells.Select(c => c.Morton));
        for (int i = 0; i < viaCmr.Catalog.Cells.Count; i++)
            Assert.Equal(viaCmr.Catalog.Cells[i].Granules, viaStac.Catalog.Cells[i].Granules);
        Assert.Equal(viaCmr.Catalog.Metadata["s3_base"]!.GetValue<string>(), viaStac.Catalog.Metadata["s3_base"]!.GetValue<string>());
        // Paged to the end through both kinds of next link.
        Assert.Contains(stac.Requests, r => r.Request.StartsWith("GET /search?token=", StringComparison.Ordinal));
        Assert.Contains(stac.Requests.Skip(1), r => r.Request == "POST /search" && r.Body.Contains("\"token\"") && r.Body.Contains("ATL06_007"));
        Assert.Contains("\"bbox\":[-180,-90,180,-60]", stac.Requests[0].Body);
    }

    [Fact]
    public async Task Throttling_and_dropped_connections_are_retried()
    {
        await using var cmr = await FakeCmr.StartAsync(FakeCmr.DemoRecords());
        cmr.FailNext(429, times: 2, retryAfter: 0);
        cmr.FailNext(0, drop: true);
        cmr.FailNext(503);
        var found = await new CmrGranuleSearch(cmr.Url, Fast with { MaxRetries = 4 }).SearchAsync(January);
        Assert.Equal(4, found.Count);
        Assert.Equal(4 + 2, cmr.Requests.Count); // four failures, then two pages of three
    }

    /// <summary>Collects what a search reports, from any thread.</summary>
    private sealed class Reports : IProgress<SearchProgress>
    {
        private readonly List<SearchProgress> _all = [];
        public void Report(SearchProgress value) { lock (_all) _all.Add(value); }
        public List<string> Notices { get { lock (_all) return [.. _all.Where(p => p.Notice is not null).Select(p => p.Notice!)]; } }
        public int Pages { get { lock (_all) return _all.Count(p => p.Notice is null); } }
    }

    [Fact]
    public async Task A_slow_answer_and_each_retry_are_told_while_the_search_waits()
    {
        await using var cmr = await FakeCmr.StartAsync(FakeCmr.DemoRecords());
        cmr.Delay = TimeSpan.FromMilliseconds(700);
        cmr.FailNext(503);
        var reports = new Reports();
        var options = Fast with { NoticeAfter = TimeSpan.FromMilliseconds(200), AttemptTimeout = TimeSpan.FromSeconds(30) };
        var found = await new CmrGranuleSearch(cmr.Url, options).SearchAsync(January, reports);
        Assert.Equal(4, found.Count);
        var notices = reports.Notices;
        output.WriteLine(string.Join("\n", notices));
        // Three attempts (the refused one, then two pages), each waited past 200 ms; one retry after the 503.
        Assert.Equal(3, notices.Count(n => n.Contains("no answer yet after 200 ms; waiting up to 30 s", StringComparison.Ordinal)));
        Assert.Single(notices, n => n.StartsWith($"CMR at {cmr.Url}: page 1 (", StringComparison.Ordinal) && n.Contains(": 503 Service Unavailable; retry 1 of 3 in ", StringComparison.Ordinal));
        Assert.All(notices, n => Assert.StartsWith($"CMR at {cmr.Url}: page ", n));
        Assert.Equal(2, reports.Pages);
    }

    [Fact]
    public async Task A_prompt_answer_tells_nothing()
    {
        await using var cmr = await FakeCmr.StartAsync(FakeCmr.DemoRecords());
        var reports = new Reports();
        await new CmrGranuleSearch(cmr.Url, Fast with { NoticeAfter = TimeSpan.FromSeconds(20) }).SearchAsync(January, reports);
        Assert.Empty(reports.Notices);
        Assert.Equal(2, reports.Pages);
    }

    [Fact]
    public async Task A_service_failing_for_ever_is_a_clear_error_after_the_retries()
    {
        await using var cmr = await FakeCmr.StartAsync(FakeCmr.DemoRecords());
        cmr.FailNext(500, times: 100, body: "upstream exploded");
        var e = await Assert.ThrowsAsync<CatalogSearchException>(() => new CmrGranuleSearch(cmr.Url, Fast).SearchAsync(January));
        Assert.Contains($"CMR at {cmr.Url} keeps failing: page 1", e.Message);
        Assert.Contains("500", e.Message);
        Assert.Contains("upstream exploded", e.Message);
        Assert.Contains("4 attempts", e.Message);
    }

    [Fact]
    public async Task A_refused_query_shows_CMRs_errors()
    {
        await using var cmr = await FakeCmr.StartAsync(FakeCmr.DemoRecords());
        cmr.FailNext(400, body: """{"errors":["Parameter [foo] was not recognized.","Temporal datetime is invalid"]}""");
        var e = await Assert.ThrowsAsync<CatalogSearchException>(() => new CmrGranuleSearch(cmr.Url, Fast).SearchAsync(January));
        Assert.Contains("refused the query", e.Message);
        Assert.Contains("400", e.Message);
        Assert.Contains("Parameter [foo] was not recognized.; Temporal datetime is invalid", e.Message);
        Assert.Single(cmr.Requests); // a 4xx is not retried
    }

    [Fact]
    public async Task An_unreachable_service_is_a_clear_error()
    {
        var cmr = await FakeCmr.StartAsync();
        string url = cmr.Url;
        await cmr.DisposeAsync();
        var e = await Assert.ThrowsAsync<CatalogSearchException>(() => new CmrGranuleSearch(url, Fast with { MaxRetries = 1 }).SearchAsync(January));
        Assert.Contains($"CMR at {url} cannot be reached", e.Message);
        Assert.Contains("2 attempts", e.Message);
    }

    [Theory]
    [InlineData("{\"items\": [", "not valid UMM-JSON")]
    [InlineData("{\"hits\": 1}", "no \"items\" array")]
    [InlineData("{\"items\": [{\"umm\": {\"GranuleUR\": \"G1\", \"SpatialExtent\": {\"HorizontalSpatialDomain\": {\"Geometry\": {\"GPolygons\": [{\"Boundary\": {\"Points\": [{\"Longitude\": 1, \"Latitude\": 95}]}}]}}}}}]}",
        "items[0] (G1) SpatialExtent.HorizontalSpatialDomain.Geometry.GPolygons[0].Boundary.Points[0]: (1, 95) is not")]
    [InlineData("{\"items\": [{\"umm\": {\"RelatedUrls\": []}}]}", "items[0]: has no GranuleUR")]
    public async Task Malformed_UMM_JSON_is_named_by_page_and_item(string page, string expected)
    {
        await using var cmr = await FakeCmr.StartAsync();
        cmr.RawPage = page;
        var e = await Assert.ThrowsAsync<CatalogSearchException>(() => new CmrGranuleSearch(cmr.Url, Fast).SearchAsync(January));
        Assert.Contains($"CMR at {cmr.Url} page 1", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public async Task A_box_past_180_is_asked_for_with_longitudes_in_180()
    {
        // --bbox accepts longitudes up to 360; CMR's bounding_box wants [-180, 180] (West > East across the antimeridian).
        await using var cmr = await FakeCmr.StartAsync(FakeCmr.DemoRecords());
        var query = January with { BoundingBox = new GeoBox(0, -80, 200, -70) };
        await new CmrGranuleSearch(cmr.Url, Fast).SearchAsync(query);
        Assert.Contains("bounding_box=0%2C-80%2C-160%2C-70", cmr.Requests[0]);
    }

    [Fact]
    public async Task Pages_that_end_before_CMR_Hits_are_an_error_not_a_short_catalog()
    {
        // A page announcing 3 granules that gives one and no CMR-Search-After to go on with.
        await using var cmr = await FakeCmr.StartAsync();
        var item = new JsonObject { ["umm"] = FakeCmr.DemoRecords()[0].DeepClone() };
        cmr.RawPage = new JsonObject { ["hits"] = 3, ["items"] = new JsonArray(item) }.ToJsonString();
        var e = await Assert.ThrowsAsync<CatalogSearchException>(() => new CmrGranuleSearch(cmr.Url, Fast).SearchAsync(January));
        Assert.Equal($"CMR at {cmr.Url}: announced 3 granules (CMR-Hits) but its pages ended after 1: the catalog would miss granules; search again", e.Message);
    }

    [Fact]
    public async Task An_empty_result_is_an_error_not_an_empty_catalog()
    {
        await using var cmr = await FakeCmr.StartAsync(FakeCmr.DemoRecords());
        var query = new GranuleQuery { StartDate = new(2025, 1, 1), EndDate = new(2025, 1, 2) };
        var e = await Assert.ThrowsAsync<CatalogSearchException>(() => CatalogSearch.BuildAsync(new CmrGranuleSearch(cmr.Url, Fast), query, AreaOfInterest.Antarctica, 6, LatitudeConvention.Authalic));
        Assert.Contains("found no ATL06 007 granule from 2025-01-01 to 2025-01-02", e.Message);
    }

    [Fact]
    public void Links_are_the_data_files_only()
    {
        var record = FakeCmr.DemoRecords()[0];
        using var doc = System.Text.Json.JsonDocument.Parse(record.ToJsonString());
        var g = UmmGranule.Read(doc.RootElement, "r");
        Assert.Equal("s3://nsidc-cumulus-prod-protected/ATLAS/ATL06/007/2024/01/01/ATL06_20240101000000_01012210_007_01.h5", g.S3Url);
        Assert.Equal("https://data.nsidc.earthdatacloud.nasa.gov/nsidc-cumulus-prod-protected/ATLAS/ATL06/007/2024/01/01/ATL06_20240101000000_01012210_007_01.h5", g.HttpsUrl);
        Assert.Single(g.Footprint.Polygons);
        Assert.Equal(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), g.Start);
        var item = StacItem.Read(FakeStac.ItemFromUmm(record, "C"), "i");
        Assert.Equal(g.S3Url, item.S3Url);
        Assert.Equal(g.HttpsUrl, item.HttpsUrl);
    }

    [Fact]
    public void A_record_whose_RelatedUrls_is_null_has_no_link_and_is_not_an_error()
    {
        var record = FakeCmr.DemoRecords()[0].DeepClone().AsObject();
        record["RelatedUrls"] = null;
        using var doc = System.Text.Json.JsonDocument.Parse(record.ToJsonString());
        var g = UmmGranule.Read(doc.RootElement, "r");
        Assert.Null(g.S3Url);
        Assert.Null(g.HttpsUrl);
        Assert.Single(g.Footprint.Polygons);
        record["RelatedUrls"] = "nope";
        using var bad = System.Text.Json.JsonDocument.Parse(record.ToJsonString());
        Assert.Contains("RelatedUrls is not an array", Assert.Throws<CatalogSearchException>(() => UmmGranule.Read(bad.RootElement, "r")).Message);
    }

    [Fact]
    public void Cycles_are_91_days_from_2018_10_13()
    {
        Assert.Equal((new DateOnly(2018, 10, 13), new DateOnly(2019, 1, 11)), GranuleQuery.CycleDates(1));
        Assert.Equal((new DateOnly(2024, 1, 6), new DateOnly(2024, 4, 5)), GranuleQuery.CycleDates(22));
        var q = new GranuleQuery { StartDate = new(2024, 1, 6), EndDate = new(2024, 4, 5), Cycle = 22 };
        Assert.Equal("catalog_ATL06_cycle22_order6.json", GranuleCatalog.DefaultFileName(q, 6));
        Assert.Equal("catalog_ATL06_2024-01-06_2024-04-05_order7.json", GranuleCatalog.DefaultFileName(q with { Cycle = null }, 7));
        Assert.Throws<ArgumentException>(() => (q with { EndDate = new(2024, 1, 5) }).Validate());
    }

    [Fact]
    public void A_cycle_is_searched_21_days_wider_and_its_granules_are_those_named_for_it()
    {
        var q = new GranuleQuery { StartDate = new(2024, 1, 6), EndDate = new(2024, 4, 5), Cycle = 22 };
        Assert.Equal(new DateTimeOffset(2023, 12, 16, 0, 0, 0, TimeSpan.Zero), q.Begin);
        Assert.Equal(new DateTimeOffset(2024, 4, 26, 23, 59, 59, TimeSpan.Zero), q.Finish);
        var f = q.NameFilter!;
        Assert.True(f.Keeps("ATL06_20231222010203_00012210_007_01.h5"));   // cycle 22 begun before the nominal start
        Assert.False(f.Keeps("ATL06_20240104010203_13852110_007_01.h5"));  // cycle 21 ended after it
        Assert.False(f.Keeps("ATL06_20240410010203_00012310_007_01.h5"));  // cycle 23
        Assert.True(f.Keeps("some_other_product_granule.h5"));            // not an ICESat-2 name: the dates decide
        Assert.True(f.IsEmpty);                                            // no user filter was given
        // A user filter is kept and the cycle added to it; dates without a cycle are searched as given.
        var g = (q with { Filter = new GranuleFilter { Rgts = [1] } }).NameFilter!;
        Assert.True(g.Keeps("ATL06_20231222010203_00012210_007_01.h5"));
        Assert.False(g.Keeps("ATL06_20231222010203_00022210_007_01.h5"));
        var dates = q with { Cycle = null };
        Assert.Null(dates.NameFilter);
        Assert.Equal(new DateTimeOffset(2024, 1, 6, 0, 0, 0, TimeSpan.Zero), dates.Begin);
    }

    [Fact]
    public void Granule_names_give_track_cycle_and_region_and_filters_use_them()
    {
        Assert.True(AtlGranuleName.TryParse("s3://b/ATLAS/ATL06_20240106123456_02212210_007_01.h5", out var n));
        Assert.Equal(("ATL06", 221, 22, 10, "007", "01"), (n.Product, n.Rgt, n.Cycle, n.Region, n.Release, n.Version));
        Assert.Equal(new DateTime(2024, 1, 6, 12, 34, 56, DateTimeKind.Utc), n.Acquired);
        Assert.False(AtlGranuleName.TryParse("MOD09_whatever.hdf", out _));
        var f = new GranuleFilter { NamePattern = "ATL06_2024*", Rgts = [221], Regions = [10, 11] };
        Assert.True(f.Keeps("ATL06_20240106123456_02212210_007_01.h5"));
        Assert.False(f.Keeps("ATL06_20240106123456_02222210_007_01.h5"));
        Assert.False(f.Keeps("ATL06_20240106123456_02212212_007_01.h5"));
        Assert.False(f.Keeps("ATL06_20230106123456_02212210_007_01.h5"));
        Assert.True(GranuleFilter.Wildcard("A?C*", "ABCdef"));
        Assert.False(GranuleFilter.Wildcard("A?C", "ABCd"));
    }

    [Fact]
    public async Task Filters_apply_to_what_the_service_found()
    {
        await using var cmr = await FakeCmr.StartAsync(AllRecords());
        var query = January with { Filter = new GranuleFilter { Rgts = [101, 202] } };
        var result = await CatalogSearch.BuildAsync(new CmrGranuleSearch(cmr.Url, Fast), query, AreaOfInterest.Antarctica, 6, LatitudeConvention.Authalic);
        // Demo granule 1 is on track 101 too.
        Assert.Equal(["ATL06_20240101000000_01012210_007_01.h5", "ATL06_20240105000000_01012210_007_01.h5", "ATL06_20240106000000_02022211_007_01.h5"], result.Granules.Select(g => g.GranuleUR));
        Assert.Equal(3, result.Catalog.Metadata["total_granules"]!.GetValue<int>());
        Assert.Equal(3, result.Catalog.Metadata["granules_found"]!.GetValue<int>());
        Assert.Equal(101, result.Catalog.Metadata["query"]!["filter"]!["rgt"]![0]!.GetValue<int>());
    }
}
