using Amazon.SQS.Model;
using Xunit;
using Zagg.Contracts;
using Zagg.Messaging.Sqs;
using Zagg.TestSupport;
using Zagg.TestSupport.Lambda;

namespace Zagg.Lambda.Tests;

/// <summary>Runs a test only where an arm64 bootstrap can run under qemu (<see cref="QemuArm64.Missing"/>) and fauxqs is installed.</summary>
public sealed class NeedsQemuArm64FactAttribute : FactAttribute
{
    public NeedsQemuArm64FactAttribute()
    {
        if (QemuArm64.Missing() is { } why) Skip = why;
        else if (FauxqsServer.Script is null) Skip = "fauxqs is not installed (npm ci --prefix tools/node)";
    }
}

/// <summary>The linux-arm64 bootstrap (what Lambda runs on Graviton), emulated by qemu, aggregates a cell to the same chunk bytes.</summary>
[Collection("bootstrap")]
public class Arm64Tests(FauxqsServer fauxqs) : IClassFixture<FauxqsServer>
{
    [NeedsQemuArm64Fact]
    public async Task The_arm64_bootstrap_under_qemu_writes_the_same_chunk_bytes()
    {
        string bootstrap = await Bootstrap.PublishAsync("linux-arm64");
        using var set = await TestSet.CreateAsync();
        using var sqs = fauxqs.Client();
        var names = new SqsQueueNames("a" + Guid.NewGuid().ToString("N")[..10]);
        string worker = (await sqs.CreateQueueAsync(names.Of(Zagg.Messaging.Queues.Worker))).QueueUrl;
        string consolidation = (await sqs.CreateQueueAsync(names.Of(Zagg.Messaging.Queues.Consolidation))).QueueUrl;
        string store = set.Store();
        var cell = (await set.PlanAsync(store, Guid.NewGuid()))[0];

        await using var fake = await FakeLambdaRuntime.StartAsync(new SqsEventSource(sqs, worker, 1));
        fake.Timeout = TimeSpan.FromMinutes(5); // emulated: several times slower than native
        var env = new Dictionary<string, string?>(fauxqs.Environment.Select(kv => KeyValuePair.Create(kv.Key, (string?)kv.Value))) { ["ZAGG_SQS_PREFIX"] = names.Prefix };
        fake.StartFunction(QemuArm64.Qemu, QemuArm64.Arguments(bootstrap), env);
        await sqs.SendMessageAsync(worker, SqsEnvelope.Wrap(cell).ToJson());

        CellAggregated? done = null;
        var until = DateTime.UtcNow.AddMinutes(5);
        while (done is null)
        {
            Assert.True(DateTime.UtcNow < until, "no result within 5 min; log:\n" + string.Join('\n', fake.Log.TakeLast(30)));
            foreach (var m in (await sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = consolidation, WaitTimeSeconds = 1 })).Messages ?? [])
                done = SqsEnvelope.Parse(m.Body).Open() as CellAggregated;
        }
        Assert.Equal(cell.CatalogIndex, done.CatalogIndex);
        Assert.True(done.ChildCellsWithData > 0);

        // The same cell in this (x64) process, through the same CellWorker.
        string reference = set.Store("reference.zarr");
        var refCell = (await set.PlanAsync(reference, Guid.NewGuid()))[0];
        await using (var local = new Zagg.Runs.CellWorker()) await local.ProcessAsync(refCell, redelivered: false);
        var expected = TestSet.Chunks(reference);
        var got = TestSet.Chunks(store);
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Keys, got.Keys);
        foreach (var (key, bytes) in expected) Assert.True(bytes.AsSpan().SequenceEqual(got[key]), $"{key} differs");
    }
}
