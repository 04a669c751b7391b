using System.Text.Json;
using Microsoft.Playwright;
using Xunit;

namespace Zagg.AppHost.Tests;

/// <summary>
/// The AppHost run as a user runs it, with its dashboard: with no argument it runs the demo through the broker, prints
/// a login URL, streams the run to its Done line and keeps the dashboard up; the dashboard's telemetry API holds the
/// run as one trace with spans from every service; a browser logged in from the printed URL lists the resources.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class DashboardTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task Help_prints_the_options_and_starts_nothing()
    {
        string dir = Directory.CreateTempSubdirectory("zagg-apphost-test").FullName;
        try
        {
            await using var host = AppHostProcess.Start(dir, "--help");
            Assert.Equal(0, await host.ExitAsync(TimeSpan.FromSeconds(60)));
            foreach (string option in new[] { "--catalog FILE", "--store STORE", "--config NAME|FILE", "--workers N", "--transport memory|rabbitmq", "--exit-when-done" })
                Assert.Contains(option, host.Output);
            Assert.False(Directory.Exists(Path.Combine(dir, "zagg-demo"))); // no demo was started
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task Bad_arguments_end_with_one_line_and_exit_code_2()
    {
        string dir = Directory.CreateTempSubdirectory("zagg-apphost-test").FullName;
        try
        {
            foreach (var (args, says) in new[]
            {
                (new[] { "--workers", "0" }, "--workers must be a whole number from 1 to 64, not '0'"),
                (new[] { "--transport", "kafka" }, "--transport must be memory, rabbitmq or sqs, not 'kafka'"),
                (new[] { "--transport", "sqs" }, "--transport sqs needs --sqs-prefix"),
                (new[] { "--catalog", "nowhere.json" }, $"--catalog: {Path.Combine(dir, "nowhere.json")} does not exist"),
                (new[] { "--frobnicate" }, "unknown argument '--frobnicate'"),
            })
            {
                await using var host = AppHostProcess.Start(dir, args);
                Assert.Equal(2, await host.ExitAsync(TimeSpan.FromSeconds(60)));
                Assert.StartsWith("zagg apphost: " + says, host.Output);
                Assert.DoesNotContain("\n", host.Output.Trim());
            }
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task Exit_when_done_passes_on_the_run_exit_code_1_when_a_cell_failed()
    {
        var (dir, catalog) = Zagg.Granules();
        try
        {
            // Half a granule: its cells fail, the others succeed.
            string victim = Directory.GetFiles(dir, "*.h5").Order().First();
            var bytes = File.ReadAllBytes(victim);
            File.WriteAllBytes(victim, bytes[..(bytes.Length / 2)]);
            await using var host = AppHostProcess.Start(dir, "--transport", "memory", "--catalog", catalog, "--store", "out.zarr", "--exit-when-done");
            int code = await host.ExitAsync(Budget);
            Assert.True(code == 1, host.Output);
            Assert.Contains("no broker (--transport memory): all five services run in one process", host.Output);
            Assert.Matches(@"dashboard: http://127\.0\.0\.1:\d+/login\?t=[0-9a-f]+", host.Output);
            Assert.Matches(@"Done: \d+ cells with data, \d+ obs, [1-9]\d* errors", host.Output);
            Assert.True(File.Exists(Path.Combine(dir, "out.zarr.report.json")));
        }
        finally { Directory.Delete(dir, true); }
    }

    [NeedsRabbitMqFact]
    public async Task The_demo_under_the_dashboard_is_one_trace_across_the_services_and_its_resources_show_in_a_browser()
    {
        string dir = Directory.CreateTempSubdirectory("zagg-apphost-test").FullName;
        try
        {
            string folder;
            await using (var host = AppHostProcess.Start(dir))
            {
                folder = host.RunFolder;
                string login = (await host.LineAsync(l => l.StartsWith("dashboard: ", StringComparison.Ordinal), Budget))["dashboard: ".Length..];
                Assert.Matches(@"^http://127\.0\.0\.1:\d+/login\?t=[0-9a-f]{32}$", login);
                await host.LineAsync(l => l.StartsWith("Done: 7 cells with data, 58789 obs, 0 errors", StringComparison.Ordinal), Budget);
                await host.LineAsync(l => l.Contains("the dashboard stays up", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
                Assert.Contains("broker: Debian's rabbitmq-server on 127.0.0.1:", host.Output);
                Assert.DoesNotContain("guest:guest", host.Output);
                Assert.True(Directory.Exists(Path.Combine(dir, "zagg-demo", "atl06.zarr")), "the demo writes in the current folder");
                // The README's transcript: the demo ends with its picture under the AppHost (--submit) too.
                Assert.Contains($"picture: {Path.Combine(dir, "zagg-demo", "atl06.png")}", host.Output);
                Assert.True(File.Exists(Path.Combine(dir, "zagg-demo", "atl06.png")), "the demo's picture");

                // (e) The telemetry API: the run is one trace, with spans of the run itself and of every service.
                string dashboard = login[..login.IndexOf("/login", StringComparison.Ordinal)];
                using var http = new HttpClient { BaseAddress = new Uri(dashboard) };
                http.DefaultRequestHeaders.Add("X-API-Key", host.ApiKey);
                var services = new[] { "zagg", "Zagg.Catalog", "Zagg.Template", "Zagg.Dispatcher", "Zagg.Worker", "Zagg.Consolidation" };
                Dictionary<string, HashSet<string>> traces = [];
                for (int i = 0; i < 40; i++) // spans arrive in batches, a few seconds apart
                {
                    traces = ServicesByTrace(await http.GetStringAsync("/api/telemetry/traces"));
                    if (traces.Values.Any(s => services.All(s.Contains))) break;
                    await Task.Delay(500);
                }
                var run = traces.Where(t => t.Value.Contains("zagg")).ToList();
                Assert.True(run.Count == 1, "traces with the zagg run: " + string.Join("; ", traces.Select(t => $"{t.Key}: {string.Join(",", t.Value)}")));
                Assert.All(services, s => Assert.Contains(s, run[0].Value));

                // (f) A browser logs in from the printed URL and finds every resource by name.
                using var playwright = await Playwright.CreateAsync();
                await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
                {
                    ExecutablePath = "/usr/bin/chromium",
                    Headless = true,
                    Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
                });
                var page = await browser.NewPageAsync();
                await page.GotoAsync(login);
                foreach (string name in new[] { "run", "catalog", "template", "dispatcher", "worker", "consolidation", "rabbitmq", "epmd" })
                    await page.GetByText(name, new PageGetByTextOptions { Exact = false }).First.WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
                string text = await page.InnerTextAsync("body");
                Assert.DoesNotContain("Log in", text, StringComparison.OrdinalIgnoreCase);
                foreach (string name in new[] { "catalog", "template", "dispatcher", "consolidation", "rabbitmq", "epmd" })
                    Assert.Contains(name, text);
            }
            // Stopped like Ctrl+C: nothing of the broker outlives the AppHost.
            Assert.True(await Zagg.EventuallyAsync(() => Zagg.ProcessesIn(folder).Count == 0), string.Join("\n", Zagg.ProcessesIn(folder)));
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>The service.name of the spans in an OTLP JSON answer, by trace id.</summary>
    private static Dictionary<string, HashSet<string>> ServicesByTrace(string json)
    {
        var byTrace = new Dictionary<string, HashSet<string>>();
        var root = JsonDocument.Parse(json).RootElement.GetProperty("data");
        foreach (var rs in root.GetProperty("resourceSpans").EnumerateArray())
        {
            string service = "?";
            if (rs.TryGetProperty("resource", out var resource) && resource.TryGetProperty("attributes", out var attributes))
                foreach (var a in attributes.EnumerateArray())
                    if (a.GetProperty("key").GetString() == "service.name") service = a.GetProperty("value").GetProperty("stringValue").GetString()!;
            foreach (var ss in rs.GetProperty("scopeSpans").EnumerateArray())
                foreach (var span in ss.GetProperty("spans").EnumerateArray())
                {
                    string trace = span.GetProperty("traceId").GetString()!;
                    if (!byTrace.TryGetValue(trace, out var set)) byTrace[trace] = set = [];
                    set.Add(service);
                }
        }
        return byTrace;
    }
}
