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
    private static readonly string Demo = Path.Combine(AppContext.BaseDirectory, "demo");

    [NeedsNginxFact]
    public void A_run_over_https_links_equals_the_local_run_and_leaks_no_token()
    {
        string dir = Directory.CreateTempSubdirectory("zagg-remote").FullName;
        var spans = new List<string>();
        using var listener = new ActivityListener
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
                lock (spans) spans.Add(text.ToString());
            },
        };
        ActivitySource.AddActivityListener(listener);
        try
        {
            string local = Path.Combine(dir, "local.json");
            Assert.Equal(0, CliRunner.Run("catalog", "--files", Demo, "--output", local).ExitCode);
            Assert.Equal(0, CliRunner.Run("run", "--catalog", local, "--store", Path.Combine(dir, "local.zarr")).ExitCode);

            // The same catalog as NASA's would be: s3:// links, with the bases that turn them into https links.
            var catalog = JsonNode.Parse(File.ReadAllText(local))!;
            catalog["metadata"]!["s3_base"] = "s3://nsidc-cumulus-prod-protected/ATLAS/ATL06/007/";
            catalog["metadata"]!["https_base"] = nginx.Url("/earthdata/");
            foreach (var (_, granules) in catalog["catalog"]!.AsObject())
                foreach (var g in granules!.AsArray().ToList())
                    g!.ReplaceWith("s3://nsidc-cumulus-prod-protected/ATLAS/ATL06/007/" + Path.GetFileName(g.GetValue<string>()));
            string remote = Path.Combine(dir, "remote.json");
            File.WriteAllText(remote, catalog.ToJsonString());

            Environment.SetEnvironmentVariable("EARTHDATA_TOKEN", NginxServer.Token);
            CliResult run;
            try { run = CliRunner.Run("run", "--catalog", remote, "--store", Path.Combine(dir, "remote.zarr"), "--driver", "https"); }
            finally { Environment.SetEnvironmentVariable("EARTHDATA_TOKEN", null); }
            Assert.True(run.ExitCode == 0, run.Error + run.Out);

            string[] Files(string store) => [.. Directory.GetFiles(store, "*", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(store, f)).Where(f => !f.StartsWith(".zagg", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];
            var localFiles = Files(Path.Combine(dir, "local.zarr"));
            Assert.Equal(localFiles, Files(Path.Combine(dir, "remote.zarr")));
            Assert.Contains(localFiles, f => f.Contains("/c/", StringComparison.Ordinal));
            foreach (string f in localFiles)
                Assert.True(File.ReadAllBytes(Path.Combine(dir, "local.zarr", f)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(dir, "remote.zarr", f))), $"{f} differs");

            // The token, nowhere.
            Assert.DoesNotContain(NginxServer.Token, run.Out + run.Error);
            foreach (string f in Directory.GetFiles(dir, "*", SearchOption.AllDirectories))
                Assert.False(File.ReadAllText(f, System.Text.Encoding.Latin1).Contains(NginxServer.Token, StringComparison.Ordinal), $"{f} holds the token");
            lock (spans)
            {
                Assert.Contains(spans, s => s.Contains("zagg run", StringComparison.Ordinal));
                Assert.DoesNotContain(spans, s => s.Contains(NginxServer.Token, StringComparison.Ordinal));
            }
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
