using System.Globalization;
using Amazon.SQS;
using Amazon.SQS.Model;
using Xunit;
using Zagg.Cli.Commands;
using Zagg.Contracts;
using Zagg.Messaging;
using Zagg.Messaging.Sqs;
using Zagg.TestSupport;
using Zagg.TestSupport.Lambda;

namespace Zagg.Lambda.Tests;

/// <summary>
/// The real linux-x64 <c>bootstrap</c>, started by the fake Lambda service, fed by fauxqs through the fake's event source
/// mapping: its cells equal the in-process zagg run's byte for byte; a poison cell ends in the worker's dead-letter queue
/// while every other cell is written; a process killed mid-batch loses nothing; 50 cells through one process keep its
/// resident memory flat.
/// </summary>
[Collection("bootstrap")]
public class BootstrapTests(FauxqsServer fauxqs) : IClassFixture<FauxqsServer>
{
    /// <summary>A deployment's queues on fauxqs: the worker queue (redrive to its DLQ after <paramref name="maxReceives"/>) and consolidation.</summary>
    private sealed record Deployment(string Prefix, string WorkerUrl, string DeadLetterUrl, string ConsolidationUrl);

    private async Task<Deployment> DeployAsync(IAmazonSQS sqs, int maxReceives = 2, int visibilitySeconds = 3)
    {
        var names = new SqsQueueNames("t" + Guid.NewGuid().ToString("N")[..10]);
        string worker = names.Of(Queues.Worker);
        string dlq = (await sqs.CreateQueueAsync(SqsQueueNames.DeadLetter(worker))).QueueUrl;
        string dlqArn = (await sqs.GetQueueAttributesAsync(dlq, ["QueueArn"])).QueueARN;
        string workerUrl = (await sqs.CreateQueueAsync(new CreateQueueRequest
        {
            QueueName = worker,
            Attributes = new()
            {
                ["VisibilityTimeout"] = visibilitySeconds.ToString(CultureInfo.InvariantCulture),
                ["RedrivePolicy"] = $"{{\"deadLetterTargetArn\":\"{dlqArn}\",\"maxReceiveCount\":\"{maxReceives}\"}}",
            },
        })).QueueUrl;
        string consolidation = (await sqs.CreateQueueAsync(names.Of(Queues.Consolidation))).QueueUrl;
        return new Deployment(names.Prefix, workerUrl, dlq, consolidation);
    }

    /// <param name="gen0Bytes">
    /// When set, the GC's generation-0 budget (<c>DOTNET_GCgen0size</c>): the runtime sizes it from the processor's
    /// last-level cache, which some hosts report as hundreds of MiB (an Intel Xeon VM here: 300 MiB of L3), so that a few
    /// dozen cells' garbage fits in generation 0 and no collection runs at all. A memory test pins it, to see what is kept.
    /// </param>
    private async Task<FakeLambdaRuntime> StartFunctionAsync(IAmazonSQS sqs, Deployment d, int batchSize, int maxReceives = 2, int? gen0Bytes = null)
    {
        string bootstrap = await Bootstrap.LinuxX64Async();
        var fake = await FakeLambdaRuntime.StartAsync(new SqsEventSource(sqs, d.WorkerUrl, batchSize));
        var env = new Dictionary<string, string?>(fauxqs.Environment.Select(kv => KeyValuePair.Create(kv.Key, (string?)kv.Value)))
        {
            ["ZAGG_SQS_PREFIX"] = d.Prefix,
            ["ZAGG_LAMBDA_MAX_RECEIVES"] = maxReceives.ToString(CultureInfo.InvariantCulture),
            ["DOTNET_gcServer"] = "0",
        };
        if (gen0Bytes is int g) env["DOTNET_GCgen0size"] = g.ToString("x", CultureInfo.InvariantCulture);
        fake.StartFunction(bootstrap, [], env);
        return fake;
    }

    private static async Task SendAsync(IAmazonSQS sqs, string queueUrl, IEnumerable<AggregateCell> cells)
    {
        foreach (var chunk in cells.Chunk(10))
            await sqs.SendMessageBatchAsync(new SendMessageBatchRequest
            {
                QueueUrl = queueUrl,
                Entries = chunk.Select((c, i) => new SendMessageBatchRequestEntry($"e{i}", SqsEnvelope.Wrap(c).ToJson())).ToList(),
            });
    }

    /// <summary>Drains a queue's envelopes into <paramref name="into"/> (deleting them), until <paramref name="done"/> or the timeout.</summary>
    private static async Task DrainUntilAsync(IAmazonSQS sqs, string queueUrl, List<object> into, Func<bool> done, TimeSpan timeout, FakeLambdaRuntime fake)
    {
        var until = DateTime.UtcNow + timeout;
        while (!done())
        {
            if (DateTime.UtcNow > until)
                throw new TimeoutException($"{into.Count} results after {timeout.TotalSeconds:F0} s; bootstrap log:\n{string.Join('\n', fake.Log.TakeLast(30))}");
            var r = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = queueUrl, MaxNumberOfMessages = 10, WaitTimeSeconds = 1 });
            foreach (var m in r.Messages ?? [])
            {
                into.Add(SqsEnvelope.Parse(m.Body).Open());
                await sqs.DeleteMessageAsync(queueUrl, m.ReceiptHandle);
            }
        }
    }

    private static int Distinct(List<object> results) => results.OfType<CellAggregated>().Select(c => c.CatalogIndex).Distinct().Count();

    private static string ReferenceStore(TestSet set)
    {
        string store = set.Store("reference.zarr");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = ZaggCli.Run(["run", "--catalog", set.CatalogPath, "--store", store], TextReader.Null, stdout, stderr);
        Assert.True(code == 0, stderr.ToString());
        return store;
    }

    [NeedsFauxqsFact]
    public async Task A_run_whose_cells_the_bootstrap_executes_equals_the_in_process_run_byte_for_byte()
    {
        using var set = await TestSet.CreateAsync();
        using var sqs = fauxqs.Client();
        var d = await DeployAsync(sqs);
        string store = set.Store();
        var cells = await set.PlanAsync(store, Guid.NewGuid());
        Assert.Equal(7, cells.Count);
        await using var fake = await StartFunctionAsync(sqs, d, batchSize: 3);
        await SendAsync(sqs, d.WorkerUrl, cells);
        var results = new List<object>();
        await DrainUntilAsync(sqs, d.ConsolidationUrl, results, () => Distinct(results) == cells.Count, TimeSpan.FromMinutes(3), fake);

        var reference = TestSet.Chunks(ReferenceStore(set));
        var lambda = TestSet.Chunks(store);
        Assert.NotEmpty(reference);
        Assert.Equal(reference.Keys, lambda.Keys);
        foreach (var (key, bytes) in reference) Assert.True(bytes.AsSpan().SequenceEqual(lambda[key]), $"{key} differs");
        Assert.All(fake.Outcomes, o => Assert.Equal(InvocationOutcomeKind.Response, o.Kind));
        Assert.Equal(1, fake.Starts);
    }

    /// <summary>
    /// zagg run --backend aws, as a user runs it against a deployed stack: the control services in the zagg process on
    /// SQS, no local worker, the cells executed by the real bootstrap behind the fake Lambda service; the store equals
    /// the in-process run's, and the estimate and measured cost lines frame the run.
    /// </summary>
    [NeedsFauxqsFact]
    public async Task Zagg_run_with_the_aws_backend_sends_its_cells_to_the_lambda_and_equals_the_in_process_run()
    {
        using var set = await TestSet.CreateAsync();
        using var sqs = fauxqs.Client();
        // The stack's worker queue has the Lambda's visibility (900 s); the control queues are the stack's too.
        var d = await DeployAsync(sqs, maxReceives: 4, visibilitySeconds: 900);
        foreach (string queue in new[] { Queues.Catalog, Queues.Template, Queues.Dispatcher })
        {
            string name = $"{d.Prefix}-{queue}";
            string dlq = (await sqs.CreateQueueAsync(SqsQueueNames.DeadLetter(name))).QueueUrl;
            string arn = (await sqs.GetQueueAttributesAsync(dlq, ["QueueArn"])).QueueARN;
            await sqs.CreateQueueAsync(new CreateQueueRequest
            {
                QueueName = name,
                Attributes = new() { ["RedrivePolicy"] = $"{{\"deadLetterTargetArn\":\"{arn}\",\"maxReceiveCount\":\"4\"}}" },
            });
        }
        await using var fake = await StartFunctionAsync(sqs, d, batchSize: 2, maxReceives: 4);
        string store = set.Store();
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { Path.Combine(AppContext.BaseDirectory, "zagg.dll"), "run", "--catalog", set.CatalogPath, "--store", store, "--backend", "aws", "--sqs-prefix", d.Prefix })
            psi.ArgumentList.Add(a);
        foreach (var (k, v) in fauxqs.Environment) psi.Environment[k] = v;
        psi.Environment["ZAGG_SQS_WAIT"] = "1";
        using var zagg = System.Diagnostics.Process.Start(psi)!;
        var stdout = zagg.StandardOutput.ReadToEndAsync();
        var stderr = zagg.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        try { await zagg.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException)
        {
            zagg.Kill(true);
            Assert.Fail($"zagg run --backend aws did not finish in 4 min:\n{await stdout}\n{await stderr}\nbootstrap:\n{string.Join('\n', fake.Log.TakeLast(30))}");
        }
        string output = await stdout;
        Assert.True(zagg.ExitCode == 0, $"{output}\n{await stderr}");
        Assert.Matches(@"(?m)^estimated cost \(us-west-2 prices of \d{4}-\d\d-\d\d, 512 MB arm64 Lambda\): \$\d+\.\d+ for 7 cells", output);
        Assert.Matches(@"(?m)^measured cost \(us-west-2 prices of \d{4}-\d\d-\d\d, 512 MB arm64 Lambda\): \$\d+\.\d+ for 7 cells", output);
        Assert.Contains("Done: ", output);
        Assert.Matches(@"(?m)^run \S+: 7 cells for the deployed stack's Lambdas, through SQS at ", output);
        Assert.DoesNotContain("worker process(es)", output);

        var reference = TestSet.Chunks(ReferenceStore(set));
        var lambda = TestSet.Chunks(store);
        Assert.NotEmpty(reference);
        Assert.Equal(reference.Keys, lambda.Keys);
        foreach (var (key, bytes) in reference) Assert.True(bytes.AsSpan().SequenceEqual(lambda[key]), $"{key} differs");
        // Every cell went through the Lambda: none was aggregated in the zagg process.
        Assert.True(fake.Outcomes.Count(o => o.Kind == InvocationOutcomeKind.Response) >= 4, $"{fake.Outcomes.Count} invocations");
        // zagg run looked the stack's queues up and altered none: the worker queue keeps the Lambda's visibility and redrive.
        var worker = (await sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest(d.WorkerUrl, ["VisibilityTimeout", "RedrivePolicy"]))).Attributes;
        Assert.Equal("900", worker["VisibilityTimeout"]);
        using var redrive = System.Text.Json.JsonDocument.Parse(worker["RedrivePolicy"]);
        Assert.Equal("4", redrive.RootElement.GetProperty("maxReceiveCount").ToString());
        Assert.EndsWith(SqsQueueNames.DeadLetter($"{d.Prefix}-{Queues.Worker}"), redrive.RootElement.GetProperty("deadLetterTargetArn").GetString());
    }

    [NeedsFauxqsFact]
    public async Task A_poison_cell_ends_in_the_dead_letter_queue_while_every_other_cell_is_written()
    {
        using var set = await TestSet.CreateAsync();
        using var sqs = fauxqs.Client();
        var d = await DeployAsync(sqs, maxReceives: 2, visibilitySeconds: 2);
        string store = set.Store();
        var cells = (await set.PlanAsync(store, Guid.NewGuid())).ToList();
        // A granule that is not HDF5: permanent, so its fault goes to consolidation at once; the message still ends in the DLQ.
        string junk = Path.Combine(set.Dir, "junk.h5");
        await File.WriteAllTextAsync(junk, "not an HDF5 file");
        var poison = cells[3] with { Granules = [junk] };
        cells[3] = poison;
        await using var fake = await StartFunctionAsync(sqs, d, batchSize: 4);
        await SendAsync(sqs, d.WorkerUrl, cells);
        var results = new List<object>();
        await DrainUntilAsync(sqs, d.ConsolidationUrl, results, () => Distinct(results) == cells.Count - 1 && results.OfType<SqsFault<AggregateCell>>().Any(), TimeSpan.FromMinutes(3), fake);

        var dead = new List<Message>();
        var until = DateTime.UtcNow.AddMinutes(1);
        while (dead.Count == 0 && DateTime.UtcNow < until)
            dead.AddRange((await sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = d.DeadLetterUrl, WaitTimeSeconds = 1 })).Messages ?? []);
        var deadCell = Assert.IsType<AggregateCell>(SqsEnvelope.Parse(Assert.Single(dead).Body).Open());
        Assert.Equal(poison.CatalogIndex, deadCell.CatalogIndex);
        var fault = results.OfType<SqsFault<AggregateCell>>().First();
        Assert.Equal(poison.CatalogIndex, fault.Message.CatalogIndex);
        Assert.Contains("junk.h5", Faults.Reason(fault));

        var reference = TestSet.Chunks(ReferenceStore(set));
        var lambda = TestSet.Chunks(store);
        // Every chunk but the poison cell's is there and equal.
        string poisonChunk = $"/c/{poison.CatalogIndex}";
        foreach (var (key, bytes) in reference)
        {
            if (key.Replace('\\', '/').EndsWith(poisonChunk, StringComparison.Ordinal)) { Assert.False(lambda.ContainsKey(key)); continue; }
            Assert.True(lambda.TryGetValue(key, out var got) && bytes.AsSpan().SequenceEqual(got), $"{key} missing or different");
        }
        Assert.Equal(1, fake.Starts);
    }

    [NeedsFauxqsFact]
    public async Task A_bootstrap_killed_mid_batch_loses_nothing()
    {
        using var set = await TestSet.CreateAsync();
        using var sqs = fauxqs.Client();
        var d = await DeployAsync(sqs, maxReceives: 5, visibilitySeconds: 2);
        string store = set.Store();
        var cells = await set.PlanAsync(store, Guid.NewGuid());
        await using var fake = await StartFunctionAsync(sqs, d, batchSize: 10, maxReceives: 5);
        await SendAsync(sqs, d.WorkerUrl, cells);
        await fake.WaitUntilAsync(() => fake.InFlight > 0, TimeSpan.FromMinutes(2), "a batch handed out");
        fake.Process!.Kill();
        var results = new List<object>();
        await DrainUntilAsync(sqs, d.ConsolidationUrl, results, () => Distinct(results) == cells.Count, TimeSpan.FromMinutes(3), fake);
        Assert.Contains(fake.Outcomes, o => o.Kind == InvocationOutcomeKind.Died);
        Assert.True(fake.Starts >= 2);
        Assert.Equal(TestSet.Chunks(ReferenceStore(set)).Keys, TestSet.Chunks(store).Keys);
        Assert.Empty((await sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = d.DeadLetterUrl, WaitTimeSeconds = 0 })).Messages ?? []);
    }

    [NeedsFauxqsFact]
    public async Task Fifty_cells_through_one_process_keep_its_resident_memory_flat()
    {
        using var set = await TestSet.CreateAsync();
        using var sqs = fauxqs.Client();
        var d = await DeployAsync(sqs);
        var cells = await set.PlanAsync(set.Store(), Guid.NewGuid());
        // 50 messages: the catalog's 7 cells over and over, each time a run of its own (a warm container serves many runs).
        var fifty = Enumerable.Range(0, 50).Select(i => cells[i % cells.Count] with { RunId = Guid.NewGuid() }).ToList();
        // Generation 0 pinned at 16 MiB: on a host whose processor reports a very large cache, the default budget lets the
        // garbage of all 50 cells pile up uncollected (seen: 95, 126, 156 MB after 10, 30, 50 cells), which says nothing of
        // what the worker keeps.
        await using var fake = await StartFunctionAsync(sqs, d, batchSize: 1, gen0Bytes: 16 << 20);
        var results = new List<object>();
        await SendAsync(sqs, d.WorkerUrl, fifty.Take(10));
        await DrainUntilAsync(sqs, d.ConsolidationUrl, results, () => results.Count >= 10, TimeSpan.FromMinutes(3), fake);
        long warm = ResidentKiB(fake.Process!.Id);
        await SendAsync(sqs, d.WorkerUrl, fifty.Skip(10).Take(20));
        await DrainUntilAsync(sqs, d.ConsolidationUrl, results, () => results.Count >= 30, TimeSpan.FromMinutes(4), fake);
        long middle = ResidentKiB(fake.Process!.Id);
        await SendAsync(sqs, d.WorkerUrl, fifty.Skip(30));
        await DrainUntilAsync(sqs, d.ConsolidationUrl, results, () => results.Count >= 50, TimeSpan.FromMinutes(4), fake);
        long end = ResidentKiB(fake.Process!.Id);
        Assert.Equal(1, fake.Starts);
        // Flat, not ratcheting: keeping each run's granules, located points and chunk caches (what
        // CellWorker.RetireRunsAsync releases) would add the same amount for every 20 runs. The last 20 cells may add at
        // most half of what the 20 before them added (the GC's heap settling), or 16 MiB, and the whole stays within 50 %
        // of the warm-up's resident set. Seen: 94–96 MB after 10 cells, 105–121 MB after 50.
        string seen = $"VmRSS after 10 cells {warm} KiB, after 30 {middle} KiB, after 50 {end} KiB";
        Assert.True(end - middle <= Math.Max(16 * 1024, (middle - warm) / 2), seen);
        Assert.True(end <= warm + warm / 2, seen);
    }

    private static long ResidentKiB(int pid)
    {
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
        throw new InvalidOperationException("no VmRSS");
    }

    [Fact]
    public async Task The_bootstrap_with_a_wrong_setting_posts_an_init_error_and_exits_1()
    {
        string bootstrap = await Bootstrap.LinuxX64Async();
        await using var fake = await FakeLambdaRuntime.StartAsync(new EventList());
        fake.StartFunction(bootstrap, [], new Dictionary<string, string?> { ["ZAGG_SQS_PREFIX"] = null, ["ZAGG_LAMBDA_ROLE"] = "worker" });
        await fake.WaitUntilAsync(() => !fake.InitErrors.IsEmpty && fake.Process is null, TimeSpan.FromMinutes(1), "an init error and the process's exit");
        Assert.Contains("ZAGG_SQS_PREFIX is not set", Assert.Single(fake.InitErrors));
        Assert.Contains(fake.Log, l => l.Contains("exited with 1", StringComparison.Ordinal));
        Assert.Equal(1, fake.Starts);
    }
}
