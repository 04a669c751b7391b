using System.Text.Json;
using Xunit;
using Zagg.TestSupport;

namespace Zagg.Cli.Tests;

/// <summary><c>zagg catalog</c> against a fake CMR and STAC API on loopback: the catalog, the terminal lines, and every wrong input as one line with no file left.</summary>
public class CatalogSearchCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("zagg-catalog-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string Demo = Path.Combine(AppContext.BaseDirectory, "demo");

    private static Dictionary<long, HashSet<string>> Cells(string path)
        => JsonDocument.Parse(File.ReadAllText(path)).RootElement.GetProperty("catalog").EnumerateObject()
            .ToDictionary(p => long.Parse(p.Name), p => p.Value.EnumerateArray().Select(g => Path.GetFileName(g.GetString()!)).ToHashSet());

    private void AssertNothingWritten() => Assert.Empty(Directory.GetFiles(_dir));

    [Fact]
    public async Task A_CMR_search_writes_a_catalog_that_holds_the_points_catalog()
    {
        await using var cmr = await FakeCmr.StartAsync([.. FakeCmr.DemoRecords(), .. UmmRecords.Filler(30)]);
        string exact = Path.Combine(_dir, "exact.json"), searched = Path.Combine(_dir, "searched.json");
        Assert.Equal(0, CliRunner.Run("catalog", "--files", Demo, "--output", exact).ExitCode);
        var r = CliRunner.Run("catalog", "--cmr-url", cmr.Url, "--start-date", "2024-01-01", "--end-date", "2024-01-31", "--output", searched);
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Contains("query: 34 granules in", r.Out);
        Assert.Matches(@"mapping: \d+ cells of order 6 in \d+\.\d\d s, \d+ of the \d+ granules meet the area; granules per cell min \d+, max \d+, mean \d+\.\d", r.Out);
        Assert.Contains($"catalog written to {searched}", r.Out);
        var cells = Cells(searched);
        foreach (var (morton, granules) in Cells(exact))
            foreach (string g in granules)
                Assert.True(cells.TryGetValue(morton, out var set) && set.Contains(g), $"{g} missing from cell {morton}");
        var meta = JsonDocument.Parse(File.ReadAllText(searched)).RootElement.GetProperty("metadata");
        Assert.Equal("ATL06", meta.GetProperty("short_name").GetString());
        Assert.Equal("2024-01-31", meta.GetProperty("end_date").GetString());
        Assert.Equal(UmmRecords.S3Base, meta.GetProperty("s3_base").GetString());
        Assert.Equal("-180,-90,180,-60", meta.GetProperty("aoi").GetProperty("bbox").GetString());
    }

    [Fact]
    public async Task A_retry_is_one_line_on_the_error_stream_and_the_search_goes_on()
    {
        await using var cmr = await FakeCmr.StartAsync(FakeCmr.DemoRecords());
        cmr.FailNext(503, body: "busy");
        string searched = Path.Combine(_dir, "searched.json");
        var r = CliRunner.Run("catalog", "--cmr-url", cmr.Url, "--start-date", "2024-01-01", "--end-date", "2024-01-31", "--output", searched);
        Assert.True(r.ExitCode == 0, r.Error);
        var line = Assert.Single(r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"zagg: CMR at {cmr.Url}: page 1 (", line);
        Assert.Contains("): 503 Service Unavailable; retry 1 of 5 in ", line);
        Assert.Contains($"catalog written to {searched}", r.Out);
    }

    [Fact]
    public async Task A_STAC_search_writes_the_same_cells_as_CMR()
    {
        var records = UmmRecords.Filler(30).ToList(); // January 10–27, 2024: in cycle 22
        await using var cmr = await FakeCmr.StartAsync(records);
        await using var stac = await FakeStac.StartAsync("ATL06_007", records.Select(r => FakeStac.ItemFromUmm(r, "ATL06_007")));
        string a = Path.Combine(_dir, "cmr.json"), b = Path.Combine(_dir, "stac.json");
        Assert.Equal(0, CliRunner.Run("catalog", "--cmr-url", cmr.Url, "--cycle", "22", "--bbox", "-180,-80,180,-70", "--output", a).ExitCode);
        var r = CliRunner.Run("catalog", "--stac-url", stac.Url, "--collection", "ATL06_007", "--cycle", "22", "--bbox", "-180,-80,180,-70", "--output", b);
        Assert.True(r.ExitCode == 0, r.Error);
        // The progress line names what was asked of the STAC API, not CMR's provider.
        Assert.Contains($"searching STAC API at {stac.Url}: collection ATL06_007, 2024-01-06", r.Out);
        Assert.DoesNotContain("NSIDC_CPRD", r.Out);
        Assert.Equal(Cells(a).OrderBy(c => c.Key).Select(c => (c.Key, string.Join(",", c.Value.Order()))), Cells(b).OrderBy(c => c.Key).Select(c => (c.Key, string.Join(",", c.Value.Order()))));
        // Cycle 22 is nominally 2024-01-06 to 2024-04-05, searched 21 days wider on each side (GranuleQuery.CycleMarginDays).
        Assert.NotEmpty(Cells(a));
        Assert.Contains("temporal%5B%5D=2023-12-16T00%3A00%3A00Z%2C2024-04-26T23%3A59%3A59Z", cmr.Requests[0]);
    }

    [Fact]
    public async Task Throttling_is_retried_and_the_run_succeeds()
    {
        await using var cmr = await FakeCmr.StartAsync(FakeCmr.DemoRecords());
        cmr.FailNext(429, times: 2, retryAfter: 0);
        string path = Path.Combine(_dir, "c.json");
        var r = CliRunner.Run("catalog", "--cmr-url", cmr.Url, "--start-date", "2024-01-01", "--end-date", "2024-01-05", "--output", path);
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.True(File.Exists(path));
        Assert.Equal(3, cmr.Requests.Count);
    }

    [Fact]
    public async Task A_CMR_failing_for_ever_is_one_line_and_no_file()
    {
        await using var cmr = await FakeCmr.StartAsync(FakeCmr.DemoRecords());
        cmr.FailNext(500, times: 100, body: "upstream exploded");
        var r = CliRunner.Run("catalog", "--cmr-url", cmr.Url, "--cycle", "1", "--retries", "1", "--output", Path.Combine(_dir, "c.json"));
        Assert.Equal(1, r.ExitCode);
        // The retry was told as it happened; the failure is one error line after it.
        var lines = r.Error.TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.StartsWith($"zagg: CMR at {cmr.Url}: page 1 (", lines[0]);
        Assert.Contains("): 500 Internal Server Error; retry 1 of 1 in ", lines[0]);
        Assert.StartsWith($"zagg: error: CMR at {cmr.Url} keeps failing: page 1", lines[1]);
        Assert.Contains("500 Internal Server Error: upstream exploded (2 attempts)", lines[1]);
        AssertNothingWritten();
    }

    [Fact]
    public async Task A_refused_query_shows_CMRs_errors()
    {
        await using var cmr = await FakeCmr.StartAsync();
        cmr.FailNext(400, body: """{"errors":["Collection with short name [ATL99] does not exist."]}""");
        var r = CliRunner.Run("catalog", "--cmr-url", cmr.Url, "--cycle", "1", "--short-name", "ATL99", "--output", Path.Combine(_dir, "c.json"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("refused the query", r.Error);
        Assert.Contains("400 Bad Request: Collection with short name [ATL99] does not exist.", r.Error);
        AssertNothingWritten();
    }

    [Fact]
    public async Task An_unreachable_CMR_is_one_line()
    {
        var cmr = await FakeCmr.StartAsync();
        string url = cmr.Url;
        await cmr.DisposeAsync();
        var r = CliRunner.Run("catalog", "--cmr-url", url, "--cycle", "1", "--retries", "0", "--output", Path.Combine(_dir, "c.json"));
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith($"zagg: error: CMR at {url} cannot be reached: page 1", r.Error);
        AssertNothingWritten();
    }

    [Fact]
    public async Task Empty_results_and_malformed_pages_are_errors_with_no_file()
    {
        await using var cmr = await FakeCmr.StartAsync(FakeCmr.DemoRecords());
        var r = CliRunner.Run("catalog", "--cmr-url", cmr.Url, "--start-date", "2025-01-01", "--end-date", "2025-01-02", "--output", Path.Combine(_dir, "c.json"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("found no ATL06 007 granule from 2025-01-01 to 2025-01-02", r.Error);
        cmr.RawPage = "{\"items\": [{\"umm\": 5}]}";
        r = CliRunner.Run("catalog", "--cmr-url", cmr.Url, "--cycle", "1", "--output", Path.Combine(_dir, "c.json"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("page 1", r.Error);
        Assert.Contains("items[0]: is not a UMM-G object", r.Error);
        AssertNothingWritten();
    }

    [Theory]
    [InlineData("--start-date 2024-02-01 --end-date 2024-01-01", "--end-date 2024-01-01 is before --start-date 2024-02-01")]
    [InlineData("--start-date 2024-13-01 --end-date 2024-01-01", "--start-date '2024-13-01' is not a date YYYY-MM-DD")]
    [InlineData("--cycle 3 --start-date 2024-01-01", "give --cycle or --start-date/--end-date, not both")]
    [InlineData("--parent-order 6", "give --cycle N, or both --start-date and --end-date")]
    [InlineData("--cycle 3 --bbox 1,2,3", "--bbox '1,2,3': expected 4 numbers")]
    [InlineData("--cycle 3 --bbox -10,-60,10,-80", "lat_min -60 is north of lat_max -80")]
    [InlineData("--cycle 3 --stac-url http://127.0.0.1:9", "--stac-url needs --collection")]
    [InlineData("--cycle 3 --cmr-url ftp://x", "the CMR URL 'ftp://x' is not an http:// or https:// URL")]
    [InlineData("--cycle 3 --rgt 0", "--rgt '0': '0' is not a number in 1–1387")]
    [InlineData("--cycle 3 --basins 1,2", "--basins picks basins of --basins-file")]
    public void Wrong_arguments_are_one_line(string args, string expected)
    {
        var r = CliRunner.Run(["catalog", .. args.Split(' '), "--output", Path.Combine(_dir, "c.json")]);
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith("zagg: error: ", r.Error);
        Assert.Contains(expected, r.Error);
        Assert.Single(r.Error.TrimEnd('\n').Split('\n'));
        AssertNothingWritten();
    }

    /// <summary>--bbox beside --polygon is the box CMR is asked for; the area stays the polygon (issue 12: "The AOI's extent becomes CMR's bounding box unless --bbox is given").</summary>
    [Fact]
    public async Task A_bbox_beside_a_polygon_is_the_searchs_box()
    {
        await using var cmr = await FakeCmr.StartAsync([.. FakeCmr.DemoRecords(), .. UmmRecords.Filler(30)]);
        string geojson = Path.Combine(_dir, "aoi.geojson"), path = Path.Combine(_dir, "c.json");
        File.WriteAllText(geojson, """{"type": "Polygon", "coordinates": [[[-180, -60], [-180, -89], [0, -89], [180, -89], [180, -60], [0, -60], [-180, -60]]]}""");
        var r = CliRunner.Run("catalog", "--cmr-url", cmr.Url, "--start-date", "2024-01-01", "--end-date", "2024-01-31", "--polygon", geojson, "--bbox", "-170,-85,170,-61", "--output", path);
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Contains("bounding_box=-170%2C-85%2C170%2C-61", cmr.Requests[0]);
        Assert.Contains($"area geojson:{geojson} (box -170,-85,170,-61)", r.Out);
        var meta = JsonDocument.Parse(File.ReadAllText(path)).RootElement.GetProperty("metadata");
        Assert.Equal($"geojson:{geojson}", meta.GetProperty("aoi").GetProperty("source").GetString());
        var both = CliRunner.Run("catalog", "--cycle", "3", "--polygon", geojson, "--basins-file", geojson, "--output", Path.Combine(_dir, "d.json"));
        Assert.Contains("give one area of interest: --polygon or --basins-file", both.Error);
    }

    [Fact]
    public void An_output_folder_that_does_not_exist_is_refused_before_the_search()
    {
        string missing = Path.Combine(_dir, "nope", "c.json");
        var r = CliRunner.Run("catalog", "--cmr-url", "http://127.0.0.1:9", "--cycle", "3", "--retries", "0", "--output", missing);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"--output {missing}: cannot be written: folder {Path.GetDirectoryName(missing)} does not exist", r.Error);
        Assert.DoesNotContain("searching", r.Out);
    }

    [Fact]
    public void Malformed_GeoJSON_is_named_by_file_and_place()
    {
        string geojson = Path.Combine(_dir, "aoi.geojson");
        File.WriteAllText(geojson, """{"type": "Polygon", "coordinates": [[[0, -70], [10, -95], [20, -70], [0, -70]]]}""");
        var r = CliRunner.Run("catalog", "--cycle", "3", "--polygon", geojson, "--output", Path.Combine(_dir, "c.json"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"{geojson}: $.coordinates[0][1] has latitude -95", r.Error);
        Assert.Equal([geojson], Directory.GetFiles(_dir));
    }
}
