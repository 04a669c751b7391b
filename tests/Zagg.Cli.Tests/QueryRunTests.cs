using System.Text.Json.Nodes;
using Amazon.S3.Model;
using Xunit;
using Zagg.TestSupport;

namespace Zagg.Cli.Tests;

/// <summary>
/// <c>zagg run</c> with a query instead of <c>--catalog</c>: the catalog service builds the catalog with zagg catalog's code,
/// against a fake CMR whose records link the demo granules on s3rver (read with s3rver's keys through AWS_ENDPOINT_URL_S3),
/// and keeps it in the store under <c>.zagg/runs/RUN/catalog.json</c>. The store equals the one of zagg catalog + zagg run
/// --catalog, byte for byte outside .zagg/; the kept catalog equals zagg catalog's (its creation time aside), on disk and on S3.
/// </summary>
[Collection("telemetry")]
public sealed class QueryRunTests(S3rverServer s3) : IClassFixture<S3rverServer>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("zagg-query-run").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string[] Query = QueryRunSetup.Query;
    private readonly QueryRunSetup _setup = new(s3);

    private Task<List<JsonObject>> RecordsOnS3Async(string prefix) => _setup.RecordsOnS3Async(prefix);

    private CliResult Zagg(params string[] args) => _setup.Zagg(Path.Combine(_dir, "cache"), args);

    private static string Comparable(string json) => QueryRunSetup.Comparable(json);

    [NeedsS3rverFact]
    public async Task A_query_run_writes_the_store_of_catalog_then_run_and_keeps_the_catalog_in_the_store()
    {
        string prefix = "query-" + Guid.NewGuid().ToString("N");
        await using var cmr = await FakeCmr.StartAsync(await RecordsOnS3Async(prefix));
        string catalog = Path.Combine(_dir, "c.json"), viaFile = Path.Combine(_dir, "file.zarr"), viaQuery = Path.Combine(_dir, "query.zarr");

        var c = Zagg(["catalog", "--cmr-url", cmr.Url, .. Query, "--output", catalog]);
        Assert.True(c.ExitCode == 0, c.Error);
        var a = Zagg("run", "--catalog", catalog, "--store", viaFile, "--driver", "s3", "--config", "atl06");
        Assert.True(a.ExitCode == 0, a.Error + a.Out);
        var b = Zagg(["run", "--cmr-url", cmr.Url, .. Query, "--store", viaQuery, "--driver", "s3", "--config", "atl06"]);
        Assert.True(b.ExitCode == 0, b.Error + b.Out);

        // The same store, byte for byte, outside .zagg/.
        RemoteRuns.AssertSameStores(viaFile, viaQuery);

        // The catalog the run built is in the store, beside the run's ledger, and is zagg catalog's.
        var kept = Directory.GetFiles(Path.Combine(viaQuery, ".zagg", "runs"), "catalog.json", SearchOption.AllDirectories);
        string only = Assert.Single(kept);
        Assert.Equal(Comparable(File.ReadAllText(catalog)), Comparable(File.ReadAllText(only)));
        Assert.Empty(Directory.GetFiles(Path.Combine(viaQuery, ".zagg", "runs"), "*.tmp*", SearchOption.AllDirectories));

        // The terminal says what the catalog step did before the cells' progress; the report names the catalog.
        int built = b.Out.IndexOf(" of the 4 granules found meet the area, ", StringComparison.Ordinal);
        Assert.True(built >= 0, b.Out);
        Assert.Contains($"-> {only}", b.Out);
        int cells = b.Out.IndexOf(" cells, ", StringComparison.Ordinal);
        Assert.True(cells > built, b.Out);
        var report = JsonNode.Parse(File.ReadAllText(viaQuery + ".report.json"))!;
        Assert.Equal(only, report["catalog"]!.GetValue<string>());
        Assert.Equal(Path.GetFullPath(catalog), JsonNode.Parse(File.ReadAllText(viaFile + ".report.json"))!["catalog"]!.GetValue<string>());

        // Again into the same store: refused before any search without --overwrite; with it, the new run's catalog
        // survives the store's clearing (the old run's ledger does not).
        int requests = cmr.Requests.Count;
        var refused = Zagg(["run", "--cmr-url", cmr.Url, .. Query, "--store", viaQuery, "--driver", "s3"]);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("a store already exists here (zagg run --overwrite replaces it)", refused.Error);
        Assert.Equal(requests, cmr.Requests.Count);
        var again = Zagg(["run", "--cmr-url", cmr.Url, .. Query, "--store", viaQuery, "--driver", "s3", "--overwrite"]);
        Assert.True(again.ExitCode == 0, again.Error + again.Out);
        RemoteRuns.AssertSameStores(viaFile, viaQuery);
        string second = Assert.Single(Directory.GetFiles(Path.Combine(viaQuery, ".zagg", "runs"), "catalog.json", SearchOption.AllDirectories));
        Assert.NotEqual(only, second);
        Assert.Equal(Comparable(File.ReadAllText(catalog)), Comparable(File.ReadAllText(second)));
    }

    [NeedsS3rverFact]
    public async Task A_query_run_to_an_s3_store_keeps_the_catalog_there_as_zagg_catalog_writes_it()
    {
        string prefix = "query-" + Guid.NewGuid().ToString("N");
        await using var cmr = await FakeCmr.StartAsync(await RecordsOnS3Async(prefix));
        string catalog = Path.Combine(_dir, "c.json");
        Assert.Equal(0, Zagg(["catalog", "--cmr-url", cmr.Url, .. Query, "--output", catalog]).ExitCode);
        string store = $"s3://{S3rverServer.Bucket}/{prefix}/out.zarr";
        var r = Zagg(["run", "--cmr-url", cmr.Url, .. Query, "--store", store, "--driver", "s3"]);
        Assert.True(r.ExitCode == 0, r.Error + r.Out);

        using var client = s3.Client();
        var list = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = S3rverServer.Bucket, Prefix = $"{prefix}/out.zarr/.zagg/runs/" });
        string key = Assert.Single(list.S3Objects, o => o.Key.EndsWith("/catalog.json", StringComparison.Ordinal)).Key;
        using var got = await client.GetObjectAsync(S3rverServer.Bucket, key);
        string text = await new StreamReader(got.ResponseStream).ReadToEndAsync();
        Assert.Equal(Comparable(File.ReadAllText(catalog)), Comparable(text));
        Assert.Contains($"-> s3://{S3rverServer.Bucket}/{key}", r.Out);
        Assert.Contains(list.S3Objects, o => o.Key.Contains("/c/", StringComparison.Ordinal) || o.Key.EndsWith("/plan.json", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(new[] { "--start-date", "2024-01-01", "--end-date", "2024-01-31", "--bbox", "1,2,3" }, "zagg: error: --bbox '1,2,3'")]
    [InlineData(new[] { "--start-date", "2024-02-01", "--end-date", "2024-01-01" }, "zagg: error: --end-date 2024-01-01 is before --start-date 2024-02-01")]
    [InlineData(new[] { "--bbox", "-180,-90,180,-60" }, "zagg: error: give --cycle N, or both --start-date and --end-date (or --catalog FILE)")]
    [InlineData(new[] { "--cycle", "22", "--start-date", "2024-01-01" }, "zagg: error: give --cycle or --start-date/--end-date, not both")]
    [InlineData(new[] { "--cycle", "22", "--stac-url", "http://127.0.0.1:9/" }, "zagg: error: --stac-url needs --collection ID")]
    [InlineData(new[] { "--cycle", "22", "--catalog", "c.json" }, "zagg: error: give --catalog FILE or a query (--cycle …), not both")]
    [InlineData(new[] { "--cycle", "22", "--polygon", "missing.geojson" }, "zagg: error: --polygon")]
    public void A_wrong_query_ends_in_one_line_and_writes_nothing(string[] query, string error)
    {
        string store = Path.Combine(_dir, "out.zarr");
        var r = CliRunner.Run(["run", .. query, "--store", store]);
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith(error, r.Error);
        Assert.Single(r.Error.TrimEnd('\n').Split('\n'));
        Assert.DoesNotContain("   at ", r.Error);
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }
}

/// <summary>
/// A query run against a fake CMR that links the demo granules on s3rver: the query, the records, and zagg run with
/// s3rver's endpoint and keys (no Earthdata session).
/// </summary>
internal sealed class QueryRunSetup(S3rverServer s3)
{
    public static readonly string[] Query = ["--start-date", "2024-01-01", "--end-date", "2024-01-31", "--bbox", "-180,-90,180,-60"];

    /// <summary>The demo granules on s3rver under a prefix of this test's, and their UMM-G records linking them there.</summary>
    public async Task<List<JsonObject>> RecordsOnS3Async(string prefix)
    {
        var records = FakeCmr.DemoRecords();
        foreach (var r in records)
        {
            string name = r["GranuleUR"]!.GetValue<string>();
            await s3.UploadAsync($"{prefix}/{name}", Path.Combine(RemoteRuns.Demo, name));
            r["RelatedUrls"] = new JsonArray(
                new JsonObject { ["URL"] = $"https://data.example.test/{prefix}/{name}", ["Type"] = "GET DATA" },
                new JsonObject { ["URL"] = $"s3://{S3rverServer.Bucket}/{prefix}/{name}", ["Type"] = "GET DATA VIA DIRECT ACCESS" });
        }
        return records;
    }

    /// <summary>Runs zagg with s3rver as the S3 endpoint and its keys (no Earthdata session).</summary>
    public CliResult Zagg(string cache, params string[] args)
    {
        var env = new Dictionary<string, string?>
        {
            ["AWS_ENDPOINT_URL_S3"] = s3.Endpoint,
            ["AWS_ACCESS_KEY_ID"] = "S3RVER",
            ["AWS_SECRET_ACCESS_KEY"] = "S3RVER",
            ["XDG_CACHE_HOME"] = cache,
        };
        foreach (var (k, v) in env) Environment.SetEnvironmentVariable(k, v);
        try { return CliRunner.Run(args); }
        finally { foreach (var k in env.Keys) Environment.SetEnvironmentVariable(k, null); }
    }

    /// <summary>A catalog's JSON without its creation time (the one thing two builds of the same query differ in).</summary>
    public static string Comparable(string json)
    {
        var node = JsonNode.Parse(json)!;
        Assert.NotNull(node["metadata"]!["created"]);
        node["metadata"]!.AsObject().Remove("created");
        return node.ToJsonString();
    }
}

/// <summary>The same query run with the RabbitMQ transport and worker processes: the same store as the in-process one.</summary>
[Collection("telemetry")]
public sealed class QueryRunRabbitMqTests(S3rverServer s3, RabbitMqBroker broker) : IClassFixture<S3rverServer>, IClassFixture<RabbitMqBroker>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("zagg-query-rabbit").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [NeedsRabbitMqFact]
    public async Task A_query_run_through_rabbitmq_writes_the_in_process_store()
    {
        Assert.True(S3rverServer.Script is not null, "s3rver is not installed (npm ci --prefix tools/node)");
        var setup = new QueryRunSetup(s3);
        string prefix = "query-" + Guid.NewGuid().ToString("N");
        await using var cmr = await FakeCmr.StartAsync(await setup.RecordsOnS3Async(prefix));
        string memory = Path.Combine(_dir, "memory.zarr"), rabbit = Path.Combine(_dir, "rabbit.zarr"), cache = Path.Combine(_dir, "cache");
        var a = setup.Zagg(cache, ["run", "--cmr-url", cmr.Url, .. QueryRunSetup.Query, "--store", memory, "--driver", "s3"]);
        Assert.True(a.ExitCode == 0, a.Error + a.Out);
        var b = setup.Zagg(cache, ["run", "--cmr-url", cmr.Url, .. QueryRunSetup.Query, "--store", rabbit, "--driver", "s3",
            "--transport", "rabbitmq", "--rabbitmq", broker.Url, "--workers", "1"]);
        Assert.True(b.ExitCode == 0, b.Error + b.Out);
        Assert.Matches(@"catalog built: [1-4] of the 4 granules found meet the area, ", b.Out);
        RemoteRuns.AssertSameStores(memory, rabbit);
        Assert.Equal(
            QueryRunSetup.Comparable(File.ReadAllText(Assert.Single(Directory.GetFiles(Path.Combine(memory, ".zagg", "runs"), "catalog.json", SearchOption.AllDirectories)))),
            QueryRunSetup.Comparable(File.ReadAllText(Assert.Single(Directory.GetFiles(Path.Combine(rabbit, ".zagg", "runs"), "catalog.json", SearchOption.AllDirectories)))));
    }
}

/// <summary>The same query run over SQS (fauxqs) with a worker process: the same store and catalog as the in-process one.</summary>
[Collection(nameof(SqsRuns))]
public sealed class QueryRunSqsTests(FauxqsServer sqs, S3rverServer s3) : IClassFixture<S3rverServer>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("zagg-query-sqs").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [NeedsFauxqsFact]
    public async Task A_query_run_over_sqs_writes_the_in_process_store()
    {
        Assert.True(S3rverServer.Script is not null, "s3rver is not installed (npm ci --prefix tools/node)");
        var setup = new QueryRunSetup(s3);
        string prefix = "query-" + Guid.NewGuid().ToString("N");
        await using var cmr = await FakeCmr.StartAsync(await setup.RecordsOnS3Async(prefix));
        string memory = Path.Combine(_dir, "memory.zarr"), queued = Path.Combine(_dir, "sqs.zarr"), cache = Path.Combine(_dir, "cache");
        var a = setup.Zagg(cache, ["run", "--cmr-url", cmr.Url, .. QueryRunSetup.Query, "--store", memory, "--driver", "s3"]);
        Assert.True(a.ExitCode == 0, a.Error + a.Out);
        // fauxqs's endpoint and timings beside s3rver's (whose keys fauxqs, an emulator, does not check).
        var variables = new Dictionary<string, string?> { ["ZAGG_SQS_WAIT"] = "1", ["ZAGG_SQS_VISIBILITY"] = "30", ["AWS_ENDPOINT_URL_SQS"] = sqs.Endpoint, ["AWS_REGION"] = "us-east-1" };
        foreach (var (k, v) in variables) Environment.SetEnvironmentVariable(k, v);
        CliResult b;
        try
        {
            b = setup.Zagg(cache, ["run", "--cmr-url", cmr.Url, .. QueryRunSetup.Query, "--store", queued, "--driver", "s3",
                "--transport", "sqs", "--sqs-prefix", $"q{Environment.ProcessId}", "--workers", "1"]);
        }
        finally { foreach (var k in variables.Keys) Environment.SetEnvironmentVariable(k, null); }
        Assert.True(b.ExitCode == 0, b.Error + b.Out);
        Assert.Matches(@"catalog built: [1-4] of the 4 granules found meet the area, ", b.Out);
        RemoteRuns.AssertSameStores(memory, queued);
        Assert.Equal(
            QueryRunSetup.Comparable(File.ReadAllText(Assert.Single(Directory.GetFiles(Path.Combine(memory, ".zagg", "runs"), "catalog.json", SearchOption.AllDirectories)))),
            QueryRunSetup.Comparable(File.ReadAllText(Assert.Single(Directory.GetFiles(Path.Combine(queued, ".zagg", "runs"), "catalog.json", SearchOption.AllDirectories)))));
    }
}
