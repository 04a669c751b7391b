using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit;
using Xunit.Abstractions;
using Zagg.Cli.Viewing;
using Zagg.Pipeline.Output;
using Zagg.TestSupport;
using Zagg.Zarr.Stores;

namespace Zagg.Cli.Tests;

/// <summary>
/// zagg view in Debian's chromium (headless, Playwright) on the store a real <c>zagg run</c> over the committed test
/// catalog (demo/atl06, 7 parent cells of order 6) is writing, its granules read over http from nginx at 256 KB/s a
/// request so that the run takes seconds and its chunks land while the page watches. A proxy holds back every granule
/// but the first cell's until the page is up, so however loaded the machine, the run cannot end before the page has
/// seen it part-way (no timing assumption). The page's drawn parent-cell count, read from the
/// browser, never decreases and ends equal to the run's. Each chunk's delay from landing (its files' mtime) to drawn
/// is logged; only a generous bound is asserted (latency targets are for benchmarks, not unit tests).
/// The last screenshot is kept in the test output folder (viewer-run.png).
/// </summary>
[Collection("telemetry")] // RemoteRunTests sets EARTHDATA_TOKEN too: not at the same time
public sealed partial class ViewerRunTests(DemoNginx nginx, ITestOutputHelper output) : IClassFixture<DemoNginx>
{
    private static readonly string Demo = Path.Combine(AppContext.BaseDirectory, "demo");

    private static string RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Zagg.sln"))) return d.FullName;
        throw new InvalidOperationException("repository root not found");
    }

    [GeneratedRegex(@"Done: (\d+) cells with data")]
    private static partial Regex DoneLine();

    /// <summary>Opens the store once the run has written its template (retrying while it is half written).</summary>
    private static async Task<DggsStore> OpenWhenWrittenAsync(string store, Task run)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            if (File.Exists(Path.Combine(store, "zarr.json")))
            {
                try { return await DggsStore.OpenAsync(new LocalStore(store)); }
                catch (Exception) when (DateTime.UtcNow < deadline && !run.IsCompleted) { }
            }
            Assert.True(DateTime.UtcNow < deadline, "the run wrote no store template within 120 s");
            Assert.False(run.IsCompleted && !File.Exists(Path.Combine(store, "zarr.json")), "the run ended without writing a store");
            await Task.Delay(20);
        }
    }

    /// <summary>When each chunk of <paramref name="array"/> landed: the latest mtime of its file and (compact layout) its cell_ids chunk, sorted.</summary>
    private static List<DateTime> Landings(string store, DggsStore dggs, string array)
    {
        var times = new List<DateTime>();
        string dir = Path.Combine(store, dggs.Arrays[array].Path, "c");
        string ids = Path.Combine(store, DggsStore.CellIds, "c");
        foreach (string file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
        {
            var t = File.GetLastWriteTimeUtc(file);
            string id = Path.Combine(ids, Path.GetRelativePath(dir, file));
            if (File.Exists(id) && File.GetLastWriteTimeUtc(id) > t) t = File.GetLastWriteTimeUtc(id);
            times.Add(t);
        }
        times.Sort();
        return times;
    }

    private static string Seen(List<(DateTime At, int Drawn)> seen) => string.Join(", ", seen.Select(s => $"{s.Drawn} at {s.At:HH:mm:ss.fff}"));

    /// <summary>The server's api/progress answer, status and body (for the log and a failure's message).</summary>
    private static async Task<string> ProgressAsync(HttpClient http, ViewerServer server, string variable)
    {
        using var r = await http.GetAsync(new Uri(server.Url, "api/progress?variable=" + Uri.EscapeDataString(variable)));
        return $"{(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}";
    }

    [NeedsNginxFact]
    public async Task During_a_run_the_drawn_parent_cells_grow_to_the_runs_count()
    {
        if (ViewerTests.NoChromium(output)) return;
        string dir = Directory.CreateTempSubdirectory("zagg-view-run").FullName;
        var pageUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            string config = Path.Combine(RepositoryRoot(), "configs", "atl06.yaml");
            string catalog = Path.Combine(dir, "catalog.json");
            var c = CliRunner.Run("catalog", "--files", Path.Combine(Demo, "ATL06_*.h5"), "--parent-order", "6", "--output", catalog, "--config", config);
            Assert.True(c.ExitCode == 0, c.Error);
            var json = JsonNode.Parse(File.ReadAllText(catalog))!;
            // The first cell's granules pass; the others wait for the page (held before they are forwarded to nginx).
            var cells = json["catalog"]!.AsObject();
            var free = cells.First().Value!.AsArray().Select(g => Path.GetFileName(g!.GetValue<string>())).ToHashSet();
            Assert.True(cells.Any(c => c.Value!.AsArray().Any(g => !free.Contains(Path.GetFileName(g!.GetValue<string>())))), "every cell reads the first cell's granules: nothing to hold back");
            await using var proxy = new FaultProxy(new Uri(nginx.Url("/")));
            proxy.Hold = path => free.Contains(Path.GetFileName(path)) ? Task.CompletedTask : pageUp.Task;
            await proxy.StartAsync();
            foreach (var (_, granules) in cells)
                foreach (var g in granules!.AsArray().ToList())
                    g!.ReplaceWith(new Uri(proxy.Url, "slow/" + Path.GetFileName(g.GetValue<string>())).ToString());
            File.WriteAllText(catalog, json.ToJsonString());

            // The browser first, so the page is up as soon as the run has written its template.
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await ViewerTests.LaunchAsync(playwright);
            var page = await browser.NewPageAsync();

            string store = Path.Combine(dir, "out.zarr");
            // http links are read with an Earthdata token (nginx's /slow/ does not check it).
            Environment.SetEnvironmentVariable("EARTHDATA_TOKEN", NginxServer.Token);
            var run = Task.Run(() =>
            {
                try { return CliRunner.Run("run", "--config", config, "--catalog", catalog, "--store", store, "--max-workers", "1"); }
                finally { Environment.SetEnvironmentVariable("EARTHDATA_TOKEN", null); }
            });
            // Opened as soon as the template's first group is written: the viewer follows the arrays written after it.
            var dggs = await OpenWhenWrittenAsync(store, run);
            await using var server = await ViewerServer.StartAsync(dggs, 0, default);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            await page.GotoAsync(server.Url.ToString());
            await page.WaitForSelectorAsync("body[data-ready=true]", new PageWaitForSelectorOptions { Timeout = 120_000 });
            pageUp.TrySetResult();

            // Read the drawn count from the browser until the run has ended and the page has caught up (or a bound).
            var seen = new List<(DateTime At, int Drawn)>();
            var started = DateTime.UtcNow;
            var deadline = started.AddSeconds(180);
            int expected = -1;
            while (true)
            {
                string? a = await page.EvaluateAsync<string?>("document.getElementById('canvas').dataset.drawnChunks ?? null");
                int drawn = a is null ? 0 : int.Parse(a, CultureInfo.InvariantCulture);
                var now = DateTime.UtcNow;
                if (seen.Count == 0 || seen[^1].Drawn != drawn) seen.Add((now, drawn));
                if (run.IsCompleted && expected < 0)
                {
                    var r = await run;
                    Assert.True(r.ExitCode == 0, r.Error);
                    expected = int.Parse(DoneLine().Match(r.Out).Groups[1].Value, CultureInfo.InvariantCulture);
                }
                if (expected >= 0 && drawn == expected) break;
                if (now > deadline)
                    Assert.Fail($"after {(now - started).TotalSeconds:F0} s the page had drawn {drawn} parent cells; the run "
                        + (expected < 0 ? "had not ended" : $"ended with {expected}") + $"; drawn counts seen: {Seen(seen)}; "
                        + $"page: '{await page.InnerTextAsync("#progress")}', variable '{await page.EvaluateAsync<string>("state.variable")}'; "
                        + $"server: {await ProgressAsync(http, server, "")}");
                await Task.Delay(50);
            }
            string variable = await page.EvaluateAsync<string>("state.variable");
            output.WriteLine($"page: {await page.InnerTextAsync("#progress")}; server: {await ProgressAsync(http, server, variable)}");
            output.WriteLine($"drawn parent cells seen from the browser: {Seen(seen)}");
            // The held granules kept the run from ending before the page was up: it saw the store part-written.
            Assert.True(seen[0].Drawn < expected, $"the page first drew {seen[0].Drawn} of {expected}: it never saw the run part-way");
            for (int i = 1; i < seen.Count; i++) Assert.True(seen[i].Drawn >= seen[i - 1].Drawn, $"the drawn count went down: {seen[i - 1].Drawn} → {seen[i].Drawn}");
            Assert.Equal(expected, seen[^1].Drawn);
            Assert.Contains($"{expected} / {expected} parent cells drawn", await page.InnerTextAsync("#progress"));
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppContext.BaseDirectory, "viewer-run.png") });

            // Delay from landing to drawn: the k-th chunk to land against the first time k chunks were drawn.
            var landed = Landings(store, await DggsStore.OpenAsync(new LocalStore(store)), variable);
            Assert.Equal(expected, landed.Count);
            for (int k = 1; k <= landed.Count; k++)
            {
                var drawnAt = seen.First(s => s.Drawn >= k).At;
                double ms = (drawnAt - landed[k - 1]).TotalMilliseconds;
                output.WriteLine($"parent cell {k} of {expected}: landed {landed[k - 1]:HH:mm:ss.fff}, drawn {drawnAt:HH:mm:ss.fff}, delay {ms:F0} ms");
                // Generous: a page that polls every 400 ms on a shared, loaded 2-core machine (includes the page's start-up
                // for chunks that landed before it loaded).
                Assert.True(ms < 60_000, $"parent cell {k} was drawn {ms:F0} ms after its chunk landed");
            }
        }
        finally
        {
            pageUp.TrySetResult(); // a test that failed early lets the run's held requests go
            Directory.Delete(dir, true);
        }
    }
}
