using System.Diagnostics;
using System.Text;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Zagg.AppHost.Tests;

/// <summary>
/// The AppHost under Aspire.Hosting.Testing (no dashboard): a committed-style catalog of the demo granules run through it
/// gives, byte for byte, the chunks of an in-process <c>zagg run</c> of the same catalog.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class AppHostRunTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(4);

    /// <summary>A started AppHost and the run resource's output so far.</summary>
    private sealed class Started(DistributedApplication app, StringBuilder runLog) : IAsyncDisposable
    {
        public DistributedApplication App => app;

        public string RunLog
        {
            get { lock (runLog) return runLog.ToString(); }
        }

        /// <summary>Waits for the run resource to end; returns its exit code.</summary>
        public async Task<int?> RunEndedAsync()
        {
            var ended = await app.ResourceNotifications.WaitForResourceAsync(
                "run", e => e.Snapshot.State?.Text is { } s && KnownResourceStates.TerminalStates.Contains(s)).WaitAsync(Budget);
            await Task.Delay(500); // its last lines
            return ended.Snapshot.ExitCode;
        }

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private static async Task<Started> StartAsync(params string[] args)
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Zagg_AppHost>(args);
        var app = await builder.BuildAsync();
        var log = new StringBuilder();
        await app.StartAsync().WaitAsync(Budget);
        var model = app.Services.GetRequiredService<DistributedApplicationModel>();
        var logs = app.Services.GetRequiredService<ResourceLoggerService>();
        _ = Task.Run(async () =>
        {
            await foreach (var batch in logs.WatchAsync(model.Resources.Single(r => r.Name == "run")))
                foreach (var line in batch)
                    lock (log) log.AppendLine(line.Content);
        });
        return new Started(app, log);
    }

    private static string RunFolder => Path.Combine(Path.GetTempPath(), $"zagg-apphost-{Environment.ProcessId}");

    [Fact]
    public async Task In_memory_the_run_resource_writes_exactly_the_in_process_output()
    {
        var (dir, catalog) = Zagg.Granules();
        try
        {
            string reference = Path.Combine(dir, "reference.zarr"), store = Path.Combine(dir, "apphost.zarr");
            var expected = Zagg.Run("run", "--catalog", catalog, "--store", reference);
            Assert.True(expected.ExitCode == 0, expected.Out);
            await using (var started = await StartAsync("--transport", "memory", "--catalog", catalog, "--store", store))
            {
                var model = started.App.Services.GetRequiredService<DistributedApplicationModel>();
                // In memory the run is the only Zagg resource: the services live in its process.
                Assert.DoesNotContain(model.Resources, r => r.Name is "catalog" or "worker" or "rabbitmq");
                // The viewer resource (its URL in the dashboard) follows the run: the parent cells it draws only grow, up to the run's 7.
                var viewer = (IResourceWithEndpoints)model.Resources.Single(r => r.Name == "viewer");
                string url = viewer.GetEndpoint("http").Url;
                using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(10) };
                var seen = new List<int>();
                using var stop = new CancellationTokenSource();
                var follow = Task.Run(async () =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        try
                        {
                            var p = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("/api/progress?variable=h_mean", stop.Token)).RootElement;
                            int chunks = p.GetProperty("chunks").GetInt32();
                            lock (seen) if (seen.Count == 0 || seen[^1] != chunks) seen.Add(chunks);
                            if (chunks == 7) return;
                        }
                        catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { } // not listening yet, or the store not written yet
                        await Task.Delay(200);
                    }
                });
                int? code = await started.RunEndedAsync();
                Assert.True(code == 0, started.RunLog);
                Assert.Contains("Done: 7 cells with data, 58789 obs, 0 errors", started.RunLog);
                await Task.WhenAny(follow, Task.Delay(TimeSpan.FromSeconds(60)));
                stop.Cancel();
                lock (seen)
                {
                    Assert.True(seen.Count > 0 && seen[^1] == 7, "parent cells the viewer drew: " + string.Join(" → ", seen));
                    for (int i = 1; i < seen.Count; i++) Assert.True(seen[i] > seen[i - 1], "parent cells the viewer drew: " + string.Join(" → ", seen));
                }
            }
            Zagg.AssertSameChunks(reference, store);
        }
        finally { Directory.Delete(dir, true); }
    }

    [global::Zagg.TestSupport.NeedsFauxqsFact]
    public async Task Over_SQS_the_services_and_two_worker_replicas_write_the_same_bytes()
    {
        var sqs = new global::Zagg.TestSupport.FauxqsServer();
        await sqs.InitializeAsync();
        var saved = new Dictionary<string, string?>();
        // The AppHost passes the endpoint and region on by name; its processes inherit the (dummy) credentials.
        foreach (var (name, value) in sqs.Environment)
        {
            saved[name] = Environment.GetEnvironmentVariable(name);
            Environment.SetEnvironmentVariable(name, value);
        }
        var (dir, catalog) = Zagg.Granules();
        try
        {
            string reference = Path.Combine(dir, "reference.zarr"), store = Path.Combine(dir, "apphost.zarr");
            var expected = Zagg.Run("run", "--catalog", catalog, "--store", reference);
            Assert.True(expected.ExitCode == 0, expected.Out);
            await using (var started = await StartAsync("--transport", "sqs", "--sqs-prefix", $"apphost{Environment.ProcessId}", "--workers", "2", "--catalog", catalog, "--store", store))
            {
                var model = started.App.Services.GetRequiredService<DistributedApplicationModel>();
                foreach (string name in new[] { "catalog", "template", "dispatcher", "worker", "consolidation", "run" })
                    Assert.Contains(model.Resources, r => r.Name == name);
                Assert.DoesNotContain(model.Resources, r => r.Name is "rabbitmq" or "epmd");
                int? code = await started.RunEndedAsync();
                Assert.True(code == 0, started.RunLog);
                Assert.Contains($"cells, for the services at SQS at {sqs.Endpoint}", started.RunLog);
                Assert.Contains("Done: 7 cells with data, 58789 obs, 0 errors", started.RunLog);
            }
            Zagg.AssertSameChunks(reference, store);
            Assert.Equal(7, Zagg.CellWorkers(store).Count);
        }
        finally
        {
            foreach (var (name, value) in saved) Environment.SetEnvironmentVariable(name, value);
            await sqs.DisposeAsync();
            Directory.Delete(dir, true);
        }
    }

    [NeedsRabbitMqFact]
    public async Task With_debian_rabbitmq_two_worker_replicas_share_the_cells_and_write_the_same_bytes()
    {
        var (dir, catalog) = Zagg.Granules();
        try
        {
            string reference = Path.Combine(dir, "reference.zarr"), store = Path.Combine(dir, "apphost.zarr");
            var expected = Zagg.Run("run", "--catalog", catalog, "--store", reference);
            Assert.True(expected.ExitCode == 0, expected.Out);
            await using (var started = await StartAsync("--transport", "rabbitmq", "--workers", "2", "--catalog", catalog, "--store", store))
            {
                var model = started.App.Services.GetRequiredService<DistributedApplicationModel>();
                foreach (string name in new[] { "epmd", "rabbitmq", "catalog", "template", "dispatcher", "worker", "consolidation", "run" })
                    Assert.Contains(model.Resources, r => r.Name == name);
                Assert.NotEmpty(Zagg.ProcessesIn(RunFolder)); // the broker runs from the AppHost's folder
                int? code = await started.RunEndedAsync();
                Assert.True(code == 0, started.RunLog);
                Assert.Contains("cells, for the services at amqp://127.0.0.1:", started.RunLog);
                Assert.DoesNotContain("guest:guest", started.RunLog);
                Assert.Contains("Done: 7 cells with data, 58789 obs, 0 errors", started.RunLog);
            }
            Zagg.AssertSameChunks(reference, store);
            var workers = Zagg.CellWorkers(store);
            Assert.Equal(7, workers.Count);
            Assert.True(workers.Values.Distinct().Count() == 2, "cells by worker: " + string.Join(", ", workers.Select(w => $"{w.Key}={w.Value}")));
            Assert.True(await Zagg.EventuallyAsync(() => Zagg.ProcessesIn(RunFolder).Count == 0), string.Join("\n", Zagg.ProcessesIn(RunFolder)));
        }
        finally { Directory.Delete(dir, true); }
    }

    [NeedsRabbitMqFact]
    public async Task A_killed_worker_replica_loses_no_cell()
    {
        var (dir, catalog) = Zagg.Granules(copies: 12); // 48 granules: cells last long enough to kill a worker mid-run
        try
        {
            string reference = Path.Combine(dir, "reference.zarr"), store = Path.Combine(dir, "apphost.zarr");
            var expected = Zagg.Run("run", "--catalog", catalog, "--store", reference);
            Assert.True(expected.ExitCode == 0, expected.Out);
            string? victim = null, runLog = "";
            await using (var started = await StartAsync("--transport", "rabbitmq", "--workers", "2", "--catalog", catalog, "--store", store))
            {
                // The first cell recorded names its worker (host:pid): kill that replica's process.
                var clock = Stopwatch.StartNew();
                while (victim is null && clock.Elapsed < Budget)
                {
                    victim = Zagg.CellWorkers(store).Values.FirstOrDefault();
                    await Task.Delay(20);
                }
                Assert.NotNull(victim);
                int pid = int.Parse(victim![(victim.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
                using (var process = Process.GetProcessById(pid)) process.Kill();
                int? code = await started.RunEndedAsync();
                Assert.True(code == 0, started.RunLog);
                // The same cells and observations as in process (the duration differs).
                string done = expected.Out.Split('\n').First(l => l.StartsWith("Done:", StringComparison.Ordinal));
                Assert.Contains(done[..done.IndexOf(", 0 errors", StringComparison.Ordinal)] + ", 0 errors", started.RunLog);
                runLog = started.RunLog;
            }
            var workers = Zagg.CellWorkers(store);
            Assert.Equal(7, workers.Count);
            Assert.Contains(workers.Values, w => w != victim); // the other replica took over
            Zagg.AssertSameChunks(reference, store, $"killed {victim}; cells' workers: {string.Join(", ", workers.OrderBy(w => w.Key).Select(w => $"{w.Key}={w.Value}"))}\n{runLog}");
        }
        finally { Directory.Delete(dir, true); }
    }
}
