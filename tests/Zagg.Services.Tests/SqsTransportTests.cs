using System.Collections.Concurrent;
using System.Text.Json;
using Amazon.SQS.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;
using Zagg.Catalog;
using Zagg.Consolidation;
using Zagg.Contracts;
using Zagg.Dispatcher;
using Zagg.Messaging;
using Zagg.Messaging.Sqs;
using Zagg.Pipeline.Config;
using Zagg.Runs;
using Zagg.Template;
using Zagg.TestSupport;
using Zagg.Worker;

namespace Zagg.Services.Tests;

/// <summary>What a follow queue received: the run's events, as zagg run would see them.</summary>
internal sealed class FollowedEvents : ISqsHandler<RunCompleted>, ISqsHandler<CellAggregated>, ISqsHandler<SqsFault<AggregateCell>>, ISqsHandler<CellsDispatched>
{
    public TaskCompletionSource<RunCompleted> Completed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public ConcurrentQueue<(CellAggregated Cell, bool Redelivered)> Cells { get; } = new();
    public ConcurrentQueue<SqsFault<AggregateCell>> Faults { get; } = new();
    public TaskCompletionSource<SqsFault<AggregateCell>> FirstFault { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task HandleAsync(RunCompleted message, SqsHandlerContext context)
    {
        Completed.TrySetResult(message);
        return Task.CompletedTask;
    }

    public Task HandleAsync(CellAggregated message, SqsHandlerContext context)
    {
        Cells.Enqueue((message, context.Redelivered));
        return Task.CompletedTask;
    }

    public Task HandleAsync(SqsFault<AggregateCell> message, SqsHandlerContext context)
    {
        Faults.Enqueue(message);
        FirstFault.TrySetResult(message);
        return Task.CompletedTask;
    }

    public Task HandleAsync(CellsDispatched message, SqsHandlerContext context) => Task.CompletedTask;
}

/// <summary>A worker whose every attempt fails in a way that is not permanent.</summary>
internal sealed class AlwaysFailingWorker : ISqsHandler<AggregateCell>
{
    public int Attempts;

    public Task HandleAsync(AggregateCell message, SqsHandlerContext context)
    {
        Interlocked.Increment(ref Attempts);
        throw new TimeoutException($"cell {message.CatalogIndex}: the granule server timed out (receive {context.ReceiveCount})");
    }
}

public class SqsTransportTests : IAsyncLifetime
{
    private readonly FauxqsServer _sqs = new();

    public Task InitializeAsync() => _sqs.InitializeAsync();

    public Task DisposeAsync() => _sqs.DisposeAsync();

    private MessagingOptions Options(string prefix, int retries = 2) => new()
    {
        Transport = "sqs",
        SqsPrefix = prefix,
        SqsEndpoint = new Uri(_sqs.Endpoint),
        SqsRegion = "us-east-1",
        SqsWaitTime = TimeSpan.FromSeconds(1),
        Retries = retries,
        RetryMin = TimeSpan.FromMilliseconds(10),
        RetryMax = TimeSpan.FromMilliseconds(40),
        WorkerConcurrency = 2,
    };

    private async Task<IHost> StartAsync(MessagingOptions options, Action<SqsHandlerRegistry> handlers, Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddLogging(b => { if (Environment.GetEnvironmentVariable("ZAGG_TEST_LOG") == "1") b.AddSimpleConsole(); });
        // The SDK's default chain reads these; fauxqs accepts any.
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "fauxqs-test");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "fauxqs-test");
        services?.Invoke(builder.Services);
        builder.Services.AddZaggSqs(options, handlers);
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private async Task<string> FollowQueueAsync(MessagingOptions options, Guid runId)
    {
        string name = new SqsQueueNames(options.SqsPrefix!).Follow(runId);
        using var client = _sqs.Client();
        await client.CreateQueueAsync(name);
        return name;
    }

    private static async Task<List<string>> DrainAsync(Amazon.SQS.IAmazonSQS client, string queueName)
    {
        string url = (await client.GetQueueUrlAsync(queueName)).QueueUrl;
        var bodies = new List<string>();
        for (int i = 0; i < 5; i++)
        {
            var r = await client.ReceiveMessageAsync(new ReceiveMessageRequest(url) { MaxNumberOfMessages = 10, WaitTimeSeconds = 1 });
            foreach (var m in r.Messages ?? []) bodies.Add(m.Body);
            if (bodies.Count > 0 && (r.Messages?.Count ?? 0) == 0) break;
        }
        return bodies;
    }

    [NeedsFauxqsFact]
    public async Task A_run_over_SQS_writes_the_same_store_as_the_in_memory_run_and_a_damaged_granule_ends_in_the_DLQ()
    {
        // The in-memory run's chunks: the reference.
        using var reference = await TestRun.CreateAsync();
        await using (var h = await Harness.StartAsync(x =>
        {
            x.AddCatalogService(); x.AddTemplateService(); x.AddDispatcherService(); x.AddWorkerService(); x.AddConsolidationService();
        }))
        {
            await h.Test.Bus.Publish(reference.Request());
            Assert.True((await h.PublishedAsync<RunCompleted>()).Succeeded);
        }

        // The same run over SQS, each service in a host of its own.
        var options = Options("t1");
        using var run = await TestRun.CreateAsync();
        var events = new FollowedEvents();
        string follow = await FollowQueueAsync(options, run.RunId);
        var hosts = new List<IHost>
        {
            await StartAsync(options, x => x.AddCatalogHandlers()),
            await StartAsync(options, x => x.AddTemplateHandlers()),
            await StartAsync(options, x => x.AddDispatcherHandlers()),
            await StartAsync(options, x => x.AddWorkerHandlers()),
            await StartAsync(options, x => x.AddConsolidationHandlers()),
        };
        var client = await StartAsync(options, x => x.Follow<RunCompleted, FollowedEvents>(follow).Follow<CellAggregated, FollowedEvents>(follow)
            .Follow<SqsFault<AggregateCell>, FollowedEvents>(follow).Follow<CellsDispatched, FollowedEvents>(follow), s => s.AddSingleton(events));
        hosts.Add(client);
        try
        {
            await client.Services.GetRequiredService<SqsSender>().PublishAsync(run.Request(), follow, CancellationToken.None);
            var completed = await events.Completed.Task.WaitAsync(TimeSpan.FromSeconds(90));
            Assert.True(completed.Succeeded, completed.Error);
            Assert.Equal(7, completed.Cells);
            Assert.Equal(58789, completed.Observations);
            Assert.Equal(TestRun.Chunks(reference.Store), TestRun.Chunks(run.Store));
            Assert.Equal(7, events.Cells.Count);
        }
        finally
        {
            foreach (var h in hosts) { await h.StopAsync(); h.Dispose(); }
        }
    }

    [NeedsFauxqsFact]
    public async Task A_damaged_granule_faults_at_once_its_message_goes_to_the_DLQ_and_every_other_cell_is_written()
    {
        var options = Options("t2");
        using var run = await TestRun.CreateAsync(spoil: f =>
        {
            var bytes = File.ReadAllBytes(f);
            File.WriteAllBytes(f, bytes[..(bytes.Length / 2)]);
        });
        string victim = Directory.GetFiles(run.Dir, "*.h5").Order().First();
        var failing = RunPlanner.Select(run.Catalog, new RunSelection(), ConfigLoader.Load("atl06")).Where(c => c.Granules.Contains(victim)).ToList();
        Assert.NotEmpty(failing);
        var events = new FollowedEvents();
        string follow = await FollowQueueAsync(options, run.RunId);
        using var host = await StartAsync(options, x =>
        {
            x.AddCatalogHandlers(); x.AddTemplateHandlers(); x.AddDispatcherHandlers(); x.AddWorkerHandlers(); x.AddConsolidationHandlers();
            x.Follow<RunCompleted, FollowedEvents>(follow).Follow<SqsFault<AggregateCell>, FollowedEvents>(follow).Follow<CellAggregated, FollowedEvents>(follow);
        }, s => s.AddSingleton(events));
        try
        {
            await host.Services.GetRequiredService<SqsSender>().PublishAsync(run.Request(), follow, CancellationToken.None);
            var completed = await events.Completed.Task.WaitAsync(TimeSpan.FromSeconds(90));
            Assert.Null(completed.Error);
            Assert.Equal(7, completed.Cells);
            Assert.Equal(failing.Count, completed.Errors);
            Assert.Equal(7 - failing.Count, events.Cells.Count);
            var fault = Assert.Single(events.Faults, f => f.Message.CatalogIndex == failing[0].CatalogIndex);
            Assert.Equal(1, Zagg.Messaging.Faults.Attempts(fault));
            Assert.Contains(victim, Zagg.Messaging.Faults.Reason(fault));
            using var client = _sqs.Client();
            var dead = await DrainAsync(client, "t2-zagg-worker-dlq");
            Assert.Equal(failing.Count, dead.Count);
            var cell = Assert.IsType<AggregateCell>(SqsEnvelope.Parse(dead[0]).Open());
            Assert.Contains(victim, cell.Granules);
            var report = JsonDocument.Parse(File.ReadAllText(RunReport.LocationOf(run.Store))).RootElement.GetProperty("cells");
            Assert.Equal(7, report.GetArrayLength());
        }
        finally { await host.StopAsync(); }
    }

    [NeedsFauxqsFact]
    public async Task A_failure_that_is_not_permanent_comes_back_after_a_backoff_and_after_its_last_receive_faults_and_goes_to_the_DLQ()
    {
        var options = Options("t3", retries: 1);
        var runId = Guid.NewGuid();
        var events = new FollowedEvents();
        var worker = new AlwaysFailingWorker();
        string follow = await FollowQueueAsync(options, runId);
        using var host = await StartAsync(options, x =>
        {
            x.Handle<AggregateCell, AlwaysFailingWorker>(Queues.Worker, FailurePolicy.IsPermanent);
            // The faults go to consolidation too: its queue, here, is this host's to create.
            x.Owns(Queues.Consolidation);
            x.Follow<SqsFault<AggregateCell>, FollowedEvents>(follow);
        }, s => { s.AddSingleton(events); s.AddSingleton(worker); });
        try
        {
            var cell = new AggregateCell
            {
                RunId = runId, CatalogIndex = 3, ParentMorton = -5111131, ParentOrder = 6, Granules = ["/nowhere.h5"], Store = "/tmp/none",
                Config = ConfigReference.BuiltIn("atl06"),
            };
            await host.Services.GetRequiredService<SqsSender>().PublishAsync(cell, follow, CancellationToken.None);
            var fault = await events.FirstFault.Task.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(2, Zagg.Messaging.Faults.Attempts(fault)); // maxReceiveCount = retries + 1
            Assert.Contains("timed out (receive 2)", Zagg.Messaging.Faults.Reason(fault));
            using var client = _sqs.Client();
            var dead = await DrainAsync(client, "t3-zagg-worker-dlq");
            Assert.Equal(3, Assert.IsType<AggregateCell>(SqsEnvelope.Parse(Assert.Single(dead)).Open()).CatalogIndex);
            Assert.Equal(2, worker.Attempts);
            Assert.Single(events.Faults);
        }
        finally { await host.StopAsync(); }
    }

    [NeedsFauxqsFact]
    public async Task Sends_go_in_batches_of_ten_and_queues_are_created_idempotently_with_their_redrive_policy()
    {
        var options = Options("t4");
        using var host = await StartAsync(options, x => x.AddWorkerHandlers());
        using var host2 = await StartAsync(options, x => x.AddWorkerHandlers()); // a second worker creates the same queues again
        try
        {
            var sender = host.Services.GetRequiredService<SqsSender>();
            var envelopes = Enumerable.Range(0, 25).Select(i => SqsEnvelope.Wrap(new CellsDispatched { RunId = Guid.NewGuid(), Store = $"s{i}", Cells = i, RequestedAt = DateTimeOffset.UtcNow })).ToList();
            using var client = _sqs.Client();
            string url = (await client.CreateQueueAsync("t4-probe")).QueueUrl;
            await sender.SendAsync(url, envelopes, CancellationToken.None);
            var got = await DrainAsync(client, "t4-probe");
            Assert.Equal(25, got.Count);
            Assert.Equal(envelopes.Select(e => e.MessageId).Order(), got.Select(b => SqsEnvelope.Parse(b).MessageId).Order());
            string worker = (await client.GetQueueUrlAsync("t4-zagg-worker")).QueueUrl;
            var attributes = await client.GetQueueAttributesAsync(new GetQueueAttributesRequest(worker, ["RedrivePolicy"]));
            using var redrive = JsonDocument.Parse(attributes.Attributes["RedrivePolicy"]);
            Assert.EndsWith("t4-zagg-worker-dlq", redrive.RootElement.GetProperty("deadLetterTargetArn").GetString());
            Assert.Equal("3", redrive.RootElement.GetProperty("maxReceiveCount").ToString());
        }
        finally
        {
            await host.StopAsync();
            await host2.StopAsync();
        }
    }

    /// <summary>A queue as deployment/aws/template.yaml makes it: its DLQ, a redrive after 7 receives, a 900 s visibility timeout.</summary>
    private static async Task StackQueueAsync(Amazon.SQS.IAmazonSQS client, string name)
    {
        string dlq = (await client.CreateQueueAsync(SqsQueueNames.DeadLetter(name))).QueueUrl;
        string arn = (await client.GetQueueAttributesAsync(dlq, ["QueueArn"])).QueueARN;
        await client.CreateQueueAsync(new CreateQueueRequest
        {
            QueueName = name,
            Attributes = new() { ["VisibilityTimeout"] = "900", ["RedrivePolicy"] = $"{{\"deadLetterTargetArn\":\"{arn}\",\"maxReceiveCount\":\"7\"}}" },
        });
    }

    private static async Task<(string Visibility, string MaxReceives)> AttributesAsync(Amazon.SQS.IAmazonSQS client, string name)
    {
        string url = (await client.GetQueueUrlAsync(name)).QueueUrl;
        var a = (await client.GetQueueAttributesAsync(new GetQueueAttributesRequest(url, ["VisibilityTimeout", "RedrivePolicy"]))).Attributes;
        using var redrive = JsonDocument.Parse(a["RedrivePolicy"]);
        return (a["VisibilityTimeout"], redrive.RootElement.GetProperty("maxReceiveCount").ToString());
    }

    [NeedsFauxqsFact]
    public async Task A_host_configures_only_the_queues_of_its_services_and_against_a_stack_none()
    {
        using var client = _sqs.Client();
        // The worker queue of a deployed stack: its visibility is the Lambda's (six times its timeout).
        await StackQueueAsync(client, "t6-zagg-worker");
        var options = Options("t6");
        using (var control = await StartAsync(options, x => { x.AddCatalogHandlers(); x.AddDispatcherHandlers(); }))
        {
            await control.StopAsync();
        }
        Assert.Equal(("900", "7"), await AttributesAsync(client, "t6-zagg-worker"));
        // Its own queues it made, with its settings (visibility 30 s, retries + 1 receives).
        Assert.Equal(("30", "3"), await AttributesAsync(client, "t6-zagg-catalog"));
        Assert.Equal(("30", "3"), await AttributesAsync(client, "t6-zagg-dispatcher"));
        var none = await client.ListQueuesAsync(new ListQueuesRequest { QueueNamePrefix = "t6-zagg-template" });
        Assert.Empty(none.QueueUrls ?? []);

        // Against a stack (zagg run --backend aws): every queue is the stack's, looked up and left as it is.
        foreach (string queue in SqsQueueNames.Services) await StackQueueAsync(client, $"t7-{queue}");
        using (var stack = await StartAsync(Options("t7") with { SqsStackQueues = true }, x =>
        {
            x.AddCatalogHandlers(); x.AddTemplateHandlers(); x.AddDispatcherHandlers(); x.AddConsolidationHandlers();
        }))
        {
            await stack.StopAsync();
        }
        foreach (string queue in SqsQueueNames.Services) Assert.Equal(("900", "7"), await AttributesAsync(client, $"t7-{queue}"));

        // A stack without its worker queue: the start fails in one line naming the queue and the prefix, creating nothing.
        foreach (string queue in new[] { Queues.Catalog, Queues.Template, Queues.Dispatcher, Queues.Consolidation }) await StackQueueAsync(client, $"t8-{queue}");
        var e = await Assert.ThrowsAsync<SqsUnavailableException>(() => StartAsync(Options("t8") with { SqsStackQueues = true }, x => x.AddCatalogHandlers()));
        Assert.Contains("queue t8-zagg-worker does not exist: no stack is deployed with prefix t8", e.Message);
        Assert.DoesNotContain("\n", e.Message);
        var worker = await client.ListQueuesAsync(new ListQueuesRequest { QueueNamePrefix = "t8-zagg-worker" });
        Assert.Empty(worker.QueueUrls ?? []);
    }

    [Fact]
    public async Task A_host_that_cannot_reach_SQS_fails_to_start_with_one_line_naming_the_endpoint()
    {
        var options = new MessagingOptions { Transport = "sqs", SqsPrefix = "t5", SqsEndpoint = new Uri($"http://127.0.0.1:{LoopbackProcess.FreePort()}"), SqsRegion = "us-east-1" };
        var e = await Assert.ThrowsAsync<SqsUnavailableException>(() => StartAsync(options, x => x.AddWorkerHandlers()));
        Assert.StartsWith($"SQS at {options.SqsEndpoint.ToString().TrimEnd('/')}", e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }
}
