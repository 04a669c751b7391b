using System.Diagnostics;
using System.Text.Json.Nodes;
using Xunit;
using Zagg.TestSupport;

namespace Zagg.Cli.Tests;

/// <summary>nginx serving the committed demo granules, NASA-style: /earthdata/ checks the token and redirects to the signed host.</summary>
public sealed class DemoNginx : NginxServer
{
    protected override string Root => Path.Combine(AppContext.BaseDirectory, "demo");
    protected override string ProbeFile => "expected.json";
}

/// <summary>
/// A whole run over https links (a catalog of s3:// links with the catalog's s3_base/https_base, read with --driver https
/// through nginx's token check and redirect to the "signed URL" host) writes the same store as the run over the local
/// files, and the token appears nowhere: not in the output, the errors, the store, the report or any span.
/// </summary>
[Collection("telemetry")]
public sealed class RemoteRunTests(DemoNginx nginx) : IClassFixture<DemoNginx>
{
    private static readonly string Demo = RemoteRuns.Demo;

    [NeedsNginxFact]
    public void A_run_over_https_links_equals_the_local_run_and_leaks_no_token()
    {
        string dir = Directory.CreateTempSubdirectory("zagg-remote").FullName;
        using var spans = new SpanRecorder();
        try
        {
            string local = RemoteRuns.LocalRun(dir);

            // The same catalog as NASA's would be: s3:// links, with the bases that turn them into https links.
            string remote = RemoteRuns.RemoteCatalog(local, dir, "s3://nsidc-cumulus-prod-protected/ATLAS/ATL06/007/", nginx.Url("/earthdata/"));

            Environment.SetEnvironmentVariable("EARTHDATA_TOKEN", NginxServer.Token);
            CliResult run;
            try { run = CliRunner.Run("run", "--catalog", remote, "--store", Path.Combine(dir, "remote.zarr"), "--driver", "https"); }
            finally { Environment.SetEnvironmentVariable("EARTHDATA_TOKEN", null); }
            Assert.True(run.ExitCode == 0, run.Error + run.Out);

            RemoteRuns.AssertSameStores(Path.Combine(dir, "local.zarr"), Path.Combine(dir, "remote.zarr"));

            // The token, nowhere.
            RemoteRuns.AssertNowhere(NginxServer.Token, run, dir, spans);
        }
        finally { Directory.Delete(dir, true); }
    }

    [NeedsNginxFact]
    public void A_run_whose_granules_are_refused_fails_in_one_line_saying_how_to_log_in()
    {
        string dir = Directory.CreateTempSubdirectory("zagg-remote").FullName;
        try
        {
            string catalog = Path.Combine(dir, "catalog.json");
            Assert.Equal(0, CliRunner.Run("catalog", "--files", Demo, "--output", catalog).ExitCode);
            var json = JsonNode.Parse(File.ReadAllText(catalog))!;
            foreach (var (_, granules) in json["catalog"]!.AsObject())
                foreach (var g in granules!.AsArray().ToList())
                    g!.ReplaceWith(nginx.Url("/refused/" + Path.GetFileName(g.GetValue<string>())));
            File.WriteAllText(catalog, json.ToJsonString());
            var run = CliRunner.Run("run", "--catalog", catalog, "--store", Path.Combine(dir, "out.zarr"), "--max-cells", "1");
            Assert.Equal(1, run.ExitCode);
            Assert.Contains("HTTP 401", run.Out + run.Error);
            Assert.Contains("zagg auth login", run.Out + run.Error);
            Assert.DoesNotContain("   at ", run.Out + run.Error);
        }
        finally { Directory.Delete(dir, true); }
    }
}

/// <summary>What the remote-run tests share: the local run, the store comparison, the secrets search, the spans.</summary>
internal static class RemoteRuns
{
    public static readonly string Demo = Path.Combine(AppContext.BaseDirectory, "demo");

    /// <summary>Catalogs the demo granules into dir/local.json and runs it into dir/local.zarr; returns the catalog's path.</summary>
    public static string LocalRun(string dir)
    {
        string local = Path.Combine(dir, "local.json");
        Assert.Equal(0, CliRunner.Run("catalog", "--files", Demo, "--output", local).ExitCode);
        Assert.Equal(0, CliRunner.Run("run", "--catalog", local, "--store", Path.Combine(dir, "local.zarr")).ExitCode);
        return local;
    }

    /// <summary>The local catalog with every granule as an s3:// link under <paramref name="s3Base"/>, written to dir/remote.json.</summary>
    public static string RemoteCatalog(string local, string dir, string s3Base, string? httpsBase = null)
    {
        var catalog = JsonNode.Parse(File.ReadAllText(local))!;
        catalog["metadata"]!["s3_base"] = s3Base;
        if (httpsBase is not null) catalog["metadata"]!["https_base"] = httpsBase;
        foreach (var (_, granules) in catalog["catalog"]!.AsObject())
            foreach (var g in granules!.AsArray().ToList())
                g!.ReplaceWith(s3Base + Path.GetFileName(g.GetValue<string>()));
        string remote = Path.Combine(dir, "remote.json");
        File.WriteAllText(remote, catalog.ToJsonString());
        return remote;
    }

    /// <summary>The two stores hold the same files, byte for byte (the run's own records under .zagg aside), with chunks.</summary>
    public static void AssertSameStores(string expected, string actual)
    {
        static string[] Files(string store) => [.. Directory.GetFiles(store, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(store, f)).Where(f => !f.StartsWith(".zagg", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];
        var files = Files(expected);
        Assert.Equal(files, Files(actual));
        Assert.Contains(files, f => f.Contains("/c/", StringComparison.Ordinal));
        foreach (string f in files)
            Assert.True(File.ReadAllBytes(Path.Combine(expected, f)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(actual, f))), $"{f} differs");
    }

    /// <summary>A secret appears in no output, no error, no file under <paramref name="dir"/> (stores, reports, catalogs) and no span.</summary>
    public static void AssertNowhere(string secret, CliResult run, string dir, SpanRecorder spans)
    {
        Assert.DoesNotContain(secret, run.Out + run.Error);
        foreach (string f in Directory.GetFiles(dir, "*", SearchOption.AllDirectories))
            Assert.False(File.ReadAllText(f, System.Text.Encoding.Latin1).Contains(secret, StringComparison.Ordinal), $"{f} holds a secret");
        var all = spans.Snapshot();
        Assert.Contains(all, s => s.Contains("zagg run", StringComparison.Ordinal));
        Assert.DoesNotContain(all, s => s.Contains(secret, StringComparison.Ordinal));
    }
}

/// <summary>Every span stopped while it lives, as text: name, status, tags, events and baggage.</summary>
internal sealed class SpanRecorder : IDisposable
{
    private readonly List<string> _spans = [];
    private readonly List<Activity> _cells = [];
    private readonly ActivityListener _listener;

    public SpanRecorder()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                var text = new System.Text.StringBuilder(a.DisplayName).Append(' ').Append(a.StatusDescription);
                foreach (var tag in a.TagObjects) text.Append(' ').Append(tag.Key).Append('=').Append(tag.Value);
                foreach (var e in a.Events)
                {
                    text.Append(' ').Append(e.Name);
                    foreach (var tag in e.Tags) text.Append(' ').Append(tag.Key).Append('=').Append(tag.Value);
                }
                foreach (var b in a.Baggage) text.Append(' ').Append(b.Key).Append('=').Append(b.Value);
                lock (_spans)
                {
                    _spans.Add(text.ToString());
                    if (a.OperationName == "zagg.cell.aggregate") _cells.Add(a);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public List<string> Snapshot() { lock (_spans) return [.. _spans]; }

    /// <summary>The cells' aggregation spans.</summary>
    public List<Activity> Cells() { lock (_spans) return [.. _cells]; }

    public void Dispose() => _listener.Dispose();
}

/// <summary>
/// A whole run over s3:// links — s3rver holding the demo granules, read with NSIDC-style temporary keys the fake
/// s3credentials endpoint gives for the Earthdata token (the CLI's session, endpoints from ZAGG_EDL_URL,
/// ZAGG_S3CREDENTIALS_URL and AWS_ENDPOINT_URL_S3) — writes the same store as the local run, and neither the token
/// nor the session token appears in the output, the errors, the store, the report or any span.
/// </summary>
[Collection("telemetry")]
public sealed class RemoteS3RunTests(S3rverServer s3) : IClassFixture<S3rverServer>
{
    [NeedsS3rverFact]
    public async Task A_run_over_s3_links_with_keys_from_s3credentials_equals_the_local_run_and_leaks_no_secret()
    {
        await using var edl = new FakeEarthdata();
        await edl.InitializeAsync();
        edl.AddUser("alice", "correct horse");
        string token = edl.IssueToken("alice", TimeSpan.FromDays(30));
        string dir = Directory.CreateTempSubdirectory("zagg-remote-s3").FullName;
        using var spans = new SpanRecorder();
        var env = new Dictionary<string, string?>
        {
            ["ZAGG_EDL_URL"] = edl.LoginUrl.ToString(),
            ["ZAGG_S3CREDENTIALS_URL"] = edl.S3CredentialsUrl.ToString(),
            ["AWS_ENDPOINT_URL_S3"] = s3.Endpoint,
            ["EARTHDATA_TOKEN"] = token,
            ["XDG_CACHE_HOME"] = Path.Combine(dir, "cache"),
        };
        try
        {
            string local = RemoteRuns.LocalRun(dir);
            foreach (string granule in Directory.GetFiles(RemoteRuns.Demo, "*.h5"))
                await s3.UploadAsync("ATLAS/ATL06/007/" + Path.GetFileName(granule), granule);
            string remote = RemoteRuns.RemoteCatalog(local, dir, $"s3://{S3rverServer.Bucket}/ATLAS/ATL06/007/");

            foreach (var (k, v) in env) Environment.SetEnvironmentVariable(k, v);
            CliResult run;
            try { run = CliRunner.Run("run", "--catalog", remote, "--store", Path.Combine(dir, "remote.zarr"), "--driver", "s3"); }
            finally { foreach (var k in env.Keys) Environment.SetEnvironmentVariable(k, null); }
            Assert.True(run.ExitCode == 0, run.Error + run.Out);
            Assert.True(edl.KeyRequests >= 1, "the keys did not come from s3credentials");

            RemoteRuns.AssertSameStores(Path.Combine(dir, "local.zarr"), Path.Combine(dir, "remote.zarr"));

            // The reads' counters: on each cell's span, per cell and in total in the report; none for the local run.
            var cellSpans = spans.Cells().Where(a => a.GetTagItem("zagg.source.requests") is not null).ToList();
            Assert.NotEmpty(cellSpans);
            Assert.All(cellSpans, a =>
            {
                Assert.True((long)a.GetTagItem("zagg.source.requests")! > 0);
                Assert.True((long)a.GetTagItem("zagg.source.bytes")! > 0);
                Assert.Equal(0L, a.GetTagItem("zagg.source.retries"));
                Assert.True((double)a.GetTagItem("zagg.source.time_to_first_byte_s")! > 0);
                Assert.NotNull(a.GetTagItem("zagg.source.wait_s"));
            });
            var report = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "remote.zarr.report.json")))!;
            var cells = report["cells"]!.AsArray().Where(c => c!["reads"] is not null).ToList();
            Assert.NotEmpty(cells);
            Assert.Equal(cells.Sum(c => c!["reads"]!["requests"]!.GetValue<long>()), report["reads"]!["requests"]!.GetValue<long>());
            Assert.Equal(cells.Sum(c => c!["reads"]!["bytes"]!.GetValue<long>()), report["reads"]!["bytes"]!.GetValue<long>());
            Assert.True(report["reads"]!["bytes"]!.GetValue<long>() > 0);
            Assert.Null(JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "local.zarr.report.json")))!["reads"]);

            RemoteRuns.AssertNowhere(token, run, dir, spans);
            foreach (string session in edl.SessionTokens) RemoteRuns.AssertNowhere(session, run, dir, spans);
        }
        finally { Directory.Delete(dir, true); }
    }
}
