using Xunit;
using Zagg.Cli.Running;
using Zagg.Contracts;
using Zagg.Messaging;
using Zagg.TestSupport;

namespace Zagg.Cli.Tests;

/// <summary>
/// The in-memory services zagg run starts while it reads its config and catalog (<see cref="LocalOrchestrator.StartInMemory"/>):
/// a run that takes them completes as one that starts its own; a run refused before it starts stops them; they serve one run only.
/// </summary>
[Collection("telemetry")]
public class EarlyStartTests
{
    [Fact]
    public async Task A_run_on_services_started_ahead_completes_like_any_run()
    {
        string dir = Directory.CreateTempSubdirectory("zagg-early").FullName;
        try
        {
            var request = DemoRequest.Create(dir);
            var monitor = new RunMonitor(request.RunId);
            var options = new OrchestrationOptions();
            await using var services = LocalOrchestrator.StartInMemory(options, monitor);
            var completed = await LocalOrchestrator.RunAsync(request, options, monitor, TextWriter.Null, prepared: services);
            Assert.True(completed.Succeeded, completed.Error);
            Assert.Equal(7, monitor.Done);
            Assert.Equal(58789, monitor.Observations);
            // The run took the services and stopped them: a second run cannot take them again.
            await Assert.ThrowsAsync<ArgumentException>(() => LocalOrchestrator.RunAsync(request, options, new RunMonitor(request.RunId), TextWriter.Null, prepared: services));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task Services_started_for_a_refused_run_stop_when_disposed()
    {
        var services = LocalOrchestrator.StartInMemory(new OrchestrationOptions(), new RunMonitor(Guid.NewGuid()));
        var stop = services.DisposeAsync().AsTask();
        Assert.Same(stop, await Task.WhenAny(stop, Task.Delay(TimeSpan.FromSeconds(30))));
        await stop;
        // Disposed again (a second refusal path): nothing left to stop.
        await services.DisposeAsync();
    }

    [Fact]
    public void Only_the_in_memory_transport_starts_ahead()
    {
        var rabbit = new OrchestrationOptions { Messaging = MessagingOptions.Parse("rabbitmq", null) };
        Assert.Throws<ArgumentException>(() => LocalOrchestrator.StartInMemory(rabbit, new RunMonitor(Guid.NewGuid())));
        Assert.Throws<ArgumentException>(() => LocalOrchestrator.StartInMemory(new OrchestrationOptions { SubmitOnly = true }, new RunMonitor(Guid.NewGuid())));
    }
}

/// <summary>
/// The in-process worker's hint (<see cref="LocalServices.LocateAhead"/>: the first cells' granules located while the bus
/// starts) changes nothing a run gives: a granule that cannot be read fails its cells with the same reasons, the store's
/// chunks are the same bytes, and zagg run says the same one line per failed cell with the same exit code.
/// </summary>
[Collection("telemetry")]
public class LocateAheadRunTests
{
    [Fact]
    public async Task A_run_with_the_hint_fails_and_writes_as_one_without_it()
    {
        string dir = Directory.CreateTempSubdirectory("zagg-ahead").FullName;
        try
        {
            string granules = Path.Combine(dir, "granules");
            Directory.CreateDirectory(granules);
            foreach (string f in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "demo"), "*.h5")) File.Copy(f, Path.Combine(granules, Path.GetFileName(f)));
            string catalog = Path.Combine(dir, "catalog.json");
            Assert.Equal(0, CliRunner.Run("catalog", "--files", granules, "--output", catalog).ExitCode);
            // One granule damaged after the catalog was made: its cells fail, the others aggregate.
            string victim = Directory.GetFiles(granules, "*.h5").Order().First();
            var bytes = File.ReadAllBytes(victim);
            File.WriteAllBytes(victim, bytes[..(bytes.Length / 2)]);
            RunRequested Request(string store) => new()
            {
                RunId = Guid.NewGuid(),
                Spec = new RunSpec { Config = ConfigReference.BuiltIn("atl06"), Catalog = catalog, Store = Path.Combine(dir, store), RequestedAt = DateTimeOffset.UtcNow },
            };
            var options = new OrchestrationOptions();

            var plainRequest = Request("plain.zarr");
            var plainMonitor = new RunMonitor(plainRequest.RunId);
            var plain = await LocalOrchestrator.RunAsync(plainRequest, options, plainMonitor, TextWriter.Null);

            var hintedRequest = Request("hinted.zarr");
            var hintedMonitor = new RunMonitor(hintedRequest.RunId);
            await using var services = LocalOrchestrator.StartInMemory(options, hintedMonitor);
            // Located before any cell starts (the run's own hint then finds them located): the three readable granules.
            await using (var ahead = services.LocateAhead(hintedRequest, cellsAtOnce: 8, CancellationToken.None))
                Assert.Equal(3, await ahead.Work);
            var hinted = await LocalOrchestrator.RunAsync(hintedRequest, options, hintedMonitor, TextWriter.Null, prepared: services);

            Assert.False(plain.Succeeded);
            Assert.Equal((plain.Succeeded, plain.Cells, plain.Errors), (hinted.Succeeded, hinted.Cells, hinted.Errors));
            Assert.NotEmpty(plainMonitor.Failures);
            Assert.Equal(plainMonitor.Failures.Select(f => (f.ParentMorton, f.Reason)), hintedMonitor.Failures.Select(f => (f.ParentMorton, f.Reason)));
            Assert.Equal(plainMonitor.Observations, hintedMonitor.Observations);
            var expected = StoreChunks.Read(plainRequest.Spec.Store);
            var actual = StoreChunks.Read(hintedRequest.Spec.Store);
            Assert.NotEmpty(expected);
            Assert.Equal(expected.Keys, actual.Keys);
            foreach (var (key, value) in expected) Assert.True(value.AsSpan().SequenceEqual(actual[key]), key);

            // zagg run (whose worker takes the hint): exit code 1 and one line per failed cell, as the run without the hint failed them.
            var r = CliRunner.Run("run", "--catalog", catalog, "--store", Path.Combine(dir, "cli.zarr"));
            Assert.Equal(1, r.ExitCode);
            var lines = r.Error.TrimEnd('\n').Split('\n');
            Assert.Equal(plainMonitor.Failures.Select(f => $"zagg: cell {f.ParentMorton}: {f.Reason}"), lines);
            Assert.Equal(expected.Keys, StoreChunks.Read(Path.Combine(dir, "cli.zarr")).Keys);
        }
        finally { Directory.Delete(dir, true); }
    }
}
