using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;
using Zagg.Catalog;
using Zagg.Consolidation;
using Zagg.Contracts;
using Zagg.Dispatcher;
using Zagg.Messaging;
using Zagg.Messaging.InProcess;
using Zagg.Messaging.Sqs;
using Zagg.Pipeline.Config;
using Zagg.Runs;
using Zagg.Template;
using Zagg.TestSupport;
using Zagg.Worker;

namespace Zagg.Services.Tests;

/// <summary>A worker that fails (not permanently) until its <see cref="SucceedOn"/>-th delivery, then publishes what a cell would.</summary>
internal sealed class FlakyWorker : ISqsHandler<AggregateCell>
{
    public int SucceedOn = 2;
    public readonly List<(int Delivery, bool Redelivered)> Deliveries = [];

    public Task HandleAsync(AggregateCell message, SqsHandlerContext context)
    {
        lock (Deliveries) Deliveries.Add((context.ReceiveCount, context.Redelivered));
        if (context.ReceiveCount < SucceedOn) throw new TimeoutException($"the granule server timed out (delivery {context.ReceiveCount})");
        context.Publish(new CellAggregated
        {
            RunId = message.RunId, CatalogIndex = message.CatalogIndex, ParentMorton = message.ParentMorton, ChildCellsWithData = 1,
            Observations = 10, GranuleCount = 1, FilesProcessed = 1, DurationSeconds = 0.1, Worker = "test", Store = message.Store,
        });
        return Task.CompletedTask;
    }
}

/// <summary>A worker that counts how many of its messages it holds at once, and waits for its release (or the host's stop).</summary>
internal sealed class SlowWorker : ISqsHandler<AggregateCell>
{
    public readonly TaskCompletionSource Release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public readonly TaskCompletionSource Started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public int Running, MostAtOnce, Cancelled;

    public async Task HandleAsync(AggregateCell message, SqsHandlerContext context)
    {
        int now = Interlocked.Increment(ref Running);
        lock (this) MostAtOnce = Math.Max(MostAtOnce, now);
        Started.TrySetResult();
        try { await Release.Task.WaitAsync(context.CancellationToken); }
        catch (OperationCanceledException)
        {
            Interlocked.Increment(ref Cancelled);
            throw;
        }
        finally { Interlocked.Decrement(ref Running); }
    }
}

/// <summary>
/// The in-process transport (zagg run's default): the services' handlers over queues in memory, with SQS's routing,
/// envelopes and failure rules. The reference for a whole run is MassTransit's in-memory harness (the services'
/// consumers); the failure rules are those <see cref="SqsTransportTests"/> checks against fauxqs.
/// </summary>
public class InProcessTransportTests
{
    private static MessagingOptions Options(int retries = 2) => new()
    {
        Retries = retries,
        RetryMin = TimeSpan.FromMilliseconds(10),
        RetryMax = TimeSpan.FromMilliseconds(40),
        WorkerConcurrency = 2,
    };

    private static async Task<IHost> StartAsync(MessagingOptions options, Action<SqsHandlerRegistry> handlers, Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddLogging(b => { if (Environment.GetEnvironmentVariable("ZAGG_TEST_LOG") == "1") b.AddSimpleConsole(); });
        services?.Invoke(builder.Services);
        builder.Services.AddZaggInProcess(options, handlers);
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static AggregateCell Cell(Guid runId, long index) => new()
    {
        RunId = runId, CatalogIndex = index, ParentMorton = -5111131, ParentOrder = 6, Granules = ["/nowhere.h5"], Store = "/tmp/none",
        Config = ConfigReference.BuiltIn("atl06"),
    };

    [Fact]
    public async Task A_run_writes_the_same_store_as_MassTransits_in_memory_run()
    {
        using var reference = await TestRun.CreateAsync();
        await using (var h = await Harness.StartAsync(x =>
        {
            x.AddCatalogService(); x.AddTemplateService(); x.AddDispatcherService(); x.AddWorkerService(); x.AddConsolidationService();
        }))
        {
            await h.Test.Bus.Publish(reference.Request());
            Assert.True((await h.PublishedAsync<RunCompleted>()).Succeeded);
        }

        using var run = await TestRun.CreateAsync();
        var events = new FollowedEvents();
        string follow = InProcessQueues.FollowQueue(run.RunId);
        using var host = await StartAsync(Options(), x =>
        {
            x.AddCatalogHandlers(); x.AddTemplateHandlers(); x.AddDispatcherHandlers(); x.AddWorkerHandlers(); x.AddConsolidationHandlers();
            x.Follow<RunCompleted, FollowedEvents>(follow).Follow<CellAggregated, FollowedEvents>(follow)
                .Follow<SqsFault<AggregateCell>, FollowedEvents>(follow).Follow<CellsDispatched, FollowedEvents>(follow);
        }, s => s.AddSingleton(events));
        try
        {
            host.Services.GetRequiredService<InProcessQueues>().Publish(run.Request(), follow);
            var completed = await events.Completed.Task.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(completed.Succeeded, completed.Error);
            Assert.Equal(7, completed.Cells);
            Assert.Equal(58789, completed.Observations);
            Assert.Equal(TestRun.Chunks(reference.Store), TestRun.Chunks(run.Store));
            Assert.Equal(7, events.Cells.Count);
            Assert.Empty(host.Services.GetRequiredService<InProcessQueues>().DeadLetters);
        }
        finally { await host.StopAsync(); }
    }

    [Fact]
    public async Task A_damaged_granule_faults_at_once_is_kept_as_a_dead_letter_and_every_other_cell_is_written()
    {
        using var run = await TestRun.CreateAsync(spoil: f =>
        {
            var bytes = File.ReadAllBytes(f);
            File.WriteAllBytes(f, bytes[..(bytes.Length / 2)]);
        });
        string victim = Directory.GetFiles(run.Dir, "*.h5").Order().First();
        var failing = RunPlanner.Select(run.Catalog, new RunSelection(), ConfigLoader.Load("atl06")).Where(c => c.Granules.Contains(victim)).ToList();
        Assert.NotEmpty(failing);
        var events = new FollowedEvents();
        string follow = InProcessQueues.FollowQueue(run.RunId);
        using var host = await StartAsync(Options(), x =>
        {
            x.AddCatalogHandlers(); x.AddTemplateHandlers(); x.AddDispatcherHandlers(); x.AddWorkerHandlers(); x.AddConsolidationHandlers();
            x.Follow<RunCompleted, FollowedEvents>(follow).Follow<SqsFault<AggregateCell>, FollowedEvents>(follow).Follow<CellAggregated, FollowedEvents>(follow);
        }, s => s.AddSingleton(events));
        try
        {
            var queues = host.Services.GetRequiredService<InProcessQueues>();
            queues.Publish(run.Request(), follow);
            var completed = await events.Completed.Task.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Null(completed.Error);
            Assert.Equal(7, completed.Cells);
            Assert.Equal(failing.Count, completed.Errors);
            Assert.Equal(7 - failing.Count, events.Cells.Count);
            var fault = Assert.Single(events.Faults, f => f.Message.CatalogIndex == failing[0].CatalogIndex);
            Assert.Equal(1, Faults.Attempts(fault));
            Assert.Contains(victim, Faults.Reason(fault));
            var dead = queues.DeadLetters;
            Assert.Equal(failing.Count, dead.Count);
            Assert.Contains(victim, Assert.IsType<AggregateCell>(dead[0].Open()).Granules);
            var report = JsonDocument.Parse(File.ReadAllText(RunReport.LocationOf(run.Store))).RootElement.GetProperty("cells");
            Assert.Equal(7, report.GetArrayLength());
        }
        finally { await host.StopAsync(); }
    }

    [Fact]
    public async Task A_failure_that_is_not_permanent_comes_back_and_after_its_last_delivery_faults_once()
    {
        var runId = Guid.NewGuid();
        var events = new FollowedEvents();
        var worker = new AlwaysFailingWorker();
        string follow = InProcessQueues.FollowQueue(runId);
        using var host = await StartAsync(Options(retries: 1), x =>
        {
            x.Handle<AggregateCell, AlwaysFailingWorker>(Queues.Worker, FailurePolicy.IsPermanent);
            x.Follow<SqsFault<AggregateCell>, FollowedEvents>(follow);
        }, s => { s.AddSingleton(events); s.AddSingleton(worker); });
        try
        {
            var queues = host.Services.GetRequiredService<InProcessQueues>();
            queues.Publish(Cell(runId, 3), follow);
            var fault = await events.FirstFault.Task.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(2, Faults.Attempts(fault)); // the first delivery and the one retry
            Assert.Contains("timed out (receive 2)", Faults.Reason(fault));
            Assert.Equal(3, Assert.IsType<AggregateCell>(Assert.Single(queues.DeadLetters).Open()).CatalogIndex);
            await Task.Delay(200);
            Assert.Equal(2, worker.Attempts);
            Assert.Single(events.Faults);
        }
        finally { await host.StopAsync(); }
    }

    [Fact]
    public async Task A_failure_that_mends_on_a_later_delivery_publishes_its_result_and_no_fault()
    {
        var runId = Guid.NewGuid();
        var events = new FollowedEvents();
        var worker = new FlakyWorker { SucceedOn = 3 };
        string follow = InProcessQueues.FollowQueue(runId);
        using var host = await StartAsync(Options(retries: 3), x =>
        {
            x.Handle<AggregateCell, FlakyWorker>(Queues.Worker, FailurePolicy.IsPermanent);
            x.Follow<CellAggregated, FollowedEvents>(follow).Follow<SqsFault<AggregateCell>, FollowedEvents>(follow);
        }, s => { s.AddSingleton(events); s.AddSingleton(worker); });
        try
        {
            var queues = host.Services.GetRequiredService<InProcessQueues>();
            queues.Publish(Cell(runId, 5), follow);
            for (int i = 0; i < 300 && events.Cells.IsEmpty; i++) await Task.Delay(10);
            var (cell, redelivered) = Assert.Single(events.Cells);
            Assert.Equal(5, cell.CatalogIndex);
            Assert.False(redelivered); // the event itself is delivered once
            lock (worker.Deliveries) Assert.Equal([(1, false), (2, true), (3, true)], worker.Deliveries);
            Assert.Empty(events.Faults);
            Assert.Empty(queues.DeadLetters);
        }
        finally { await host.StopAsync(); }
    }

    [Fact]
    public async Task A_queue_is_handled_at_its_endpoints_concurrency_and_stopping_the_host_cancels_what_is_in_hand_without_a_fault()
    {
        var runId = Guid.NewGuid();
        var events = new FollowedEvents();
        var worker = new SlowWorker();
        string follow = InProcessQueues.FollowQueue(runId);
        using var host = await StartAsync(Options(), x =>
        {
            x.Handle<AggregateCell, SlowWorker>(Queues.Worker, FailurePolicy.IsPermanent, concurrency: 2);
            x.Follow<SqsFault<AggregateCell>, FollowedEvents>(follow);
        }, s => { s.AddSingleton(events); s.AddSingleton(worker); });
        var queues = host.Services.GetRequiredService<InProcessQueues>();
        for (int i = 0; i < 5; i++) queues.Publish(Cell(runId, i), follow);
        await worker.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(200);
        Assert.Equal(2, Volatile.Read(ref worker.Running));
        await host.StopAsync();
        Assert.Equal(2, worker.MostAtOnce);
        Assert.Equal(2, worker.Cancelled);
        Assert.Empty(events.Faults);
        Assert.Empty(queues.DeadLetters);
    }

    [Fact]
    public async Task An_event_reaches_a_follower_only_on_the_follow_queue_its_run_was_published_with()
    {
        var runId = Guid.NewGuid();
        var mine = new FollowedEvents();
        using var host = await StartAsync(Options(), x => x.Follow<RunCompleted, FollowedEvents>(InProcessQueues.FollowQueue(runId)), s => s.AddSingleton(mine));
        try
        {
            var queues = host.Services.GetRequiredService<InProcessQueues>();
            RunCompleted Completed(Guid id) => new()
            {
                RunId = id, Cells = 1, ParentCellsWithData = 1, Errors = 0, Observations = 1, DurationSeconds = 1, Store = "s",
            };
            // Another run's follower is not open here: its events are dropped, as a gone follower's are on SQS.
            queues.Publish(Completed(Guid.NewGuid()), InProcessQueues.FollowQueue(Guid.NewGuid()));
            // Published with no follow queue, an event that no service consumes goes nowhere.
            queues.Publish(Completed(runId), null);
            await Task.Delay(200);
            Assert.False(mine.Completed.Task.IsCompleted);
            queues.Publish(Completed(runId), InProcessQueues.FollowQueue(runId));
            Assert.Equal(runId, (await mine.Completed.Task.WaitAsync(TimeSpan.FromSeconds(10))).RunId);
        }
        finally { await host.StopAsync(); }
    }

    [Fact]
    public void The_transport_refuses_a_broker_s_options()
    {
        var services = new ServiceCollection();
        Assert.Throws<ArgumentException>(() => services.AddZaggInProcess(new MessagingOptions { Transport = "rabbitmq" }, _ => { }));
    }
}
