using Xunit;
using Zagg.Cli.Running;
using Zagg.Messaging;

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
