using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Xunit;
using Zagg.Contracts;
using Zagg.Lambda.Handlers;
using Zagg.Lambda.Runtime;
using Zagg.Lambda.Sqs;
using Zagg.Messaging;
using Zagg.Messaging.Sqs;
using Zagg.Runs;
using Zagg.Zarr.Stores;

namespace Zagg.Lambda.Tests;

/// <summary>The SQS batch handler and the worker role, in this process: partial batch responses, the dead-letter rule, idempotent redelivery.</summary>
public class HandlerTests
{
    private sealed class Results : ICellResultSender
    {
        public readonly ConcurrentQueue<CellAggregated> Aggregated = new();
        public readonly ConcurrentQueue<(AggregateCell Cell, string Reason, int Attempts)> Failed = new();

        public Task SendAggregatedAsync(CellAggregated result, SqsEnvelope cause, CancellationToken ct) { Aggregated.Enqueue(result); return Task.CompletedTask; }

        public Task SendFailedAsync(AggregateCell cell, SqsEnvelope cause, Exception error, int attempt, CancellationToken ct)
        {
            // What consolidation reads: the fault as the transport carries it.
            var fault = (SqsFault<AggregateCell>)SqsEnvelope.Parse(SqsEnvelope.Wrap(SqsFault<AggregateCell>.Create(cell, cause.MessageId, error, attempt), cause).ToJson()).Open();
            Failed.Enqueue((fault.Message, Faults.Reason(fault), Faults.Attempts(fault)));
            return Task.CompletedTask;
        }
    }

    private static SqsMessage Message(AggregateCell cell, int receive, string? id = null) => new()
    {
        MessageId = id ?? $"m-{cell.CatalogIndex}",
        Body = SqsEnvelope.Wrap(cell).ToJson(),
        Attributes = new Dictionary<string, string> { ["ApproximateReceiveCount"] = receive.ToString(System.Globalization.CultureInfo.InvariantCulture) },
    };

    private static LambdaInvocation Invocation(params SqsMessage[] records) =>
        new("req-1", DateTimeOffset.UtcNow.AddMinutes(5), FakeArn, null, JsonSerializer.SerializeToUtf8Bytes(new SqsEvent { Records = records }, RuntimeJsonContext.Default.SqsEvent));

    private const string FakeArn = "arn:aws:lambda:us-east-1:000000000000:function:zagg-worker";

    private static AggregateCellHandler Handler(CellWorker worker, Results results, int maxReceives = 3) =>
        new(worker, results, maxReceives, TextWriter.Null);

    private static string[] Failures(byte[] response) =>
        JsonSerializer.Deserialize(response, RuntimeJsonContext.Default.SqsBatchResponse)!.BatchItemFailures.Select(f => f.ItemIdentifier).ToArray();

    [Fact]
    public async Task One_bad_cell_fails_alone_and_is_reported_failed_on_its_last_receive()
    {
        using var set = await TestSet.CreateAsync();
        string store = set.Store();
        var cells = await set.PlanAsync(store, Guid.NewGuid());
        var poison = cells[1] with { Granules = [Path.Combine(set.Dir, "missing.h5")] };
        await using var worker = new CellWorker();
        var results = new Results();
        var batch = new SqsBatchHandler(Handler(worker, results), TextWriter.Null);

        byte[] first = await batch.HandleAsync(Invocation(Message(cells[0], 1), Message(poison, 1), Message(cells[2], 1), new SqsMessage { MessageId = "junk", Body = "{not json" }), default);
        Assert.Equal(["m-" + poison.CatalogIndex, "junk"], Failures(first));
        Assert.Equal(new[] { cells[0].CatalogIndex, cells[2].CatalogIndex }.Order(), results.Aggregated.Select(r => r.CatalogIndex).Order());
        // A missing granule is permanent: consolidation hears of it at once, and the message goes on towards the DLQ.
        var failed = Assert.Single(results.Failed);
        Assert.Equal(poison.CatalogIndex, failed.Cell.CatalogIndex);
        Assert.Contains("missing.h5", failed.Reason);
    }

    [Fact]
    public async Task A_transient_failure_is_reported_only_on_the_last_receive()
    {
        using var set = await TestSet.CreateAsync();
        var cells = await set.PlanAsync(set.Store(), Guid.NewGuid());
        // Nothing listens on loopback port 9: a transport error, which a later attempt may not meet.
        var flaky = cells[0] with { Granules = ["http://127.0.0.1:9/granule.h5"] };
        await using var worker = new CellWorker();
        var results = new Results();
        var batch = new SqsBatchHandler(Handler(worker, results, maxReceives: 2), TextWriter.Null);
        Assert.Single(Failures(await batch.HandleAsync(Invocation(Message(flaky, 1)), default)));
        Assert.Empty(results.Failed);
        Assert.Single(Failures(await batch.HandleAsync(Invocation(Message(flaky, 2)), default)));
        Assert.Equal(2, Assert.Single(results.Failed).Attempts);
    }

    [Fact]
    public async Task A_redelivered_cell_the_ledger_records_as_done_is_acknowledged_without_rewriting()
    {
        using var set = await TestSet.CreateAsync();
        string store = set.Store();
        var runId = Guid.NewGuid();
        var cells = await set.PlanAsync(store, runId);
        await using var worker = new CellWorker();
        var results = new Results();
        var batch = new SqsBatchHandler(Handler(worker, results), TextWriter.Null);

        Assert.Empty(Failures(await batch.HandleAsync(Invocation(Message(cells[0], 1)), default)));
        var done = Assert.Single(results.Aggregated);
        Assert.True(done.ChildCellsWithData > 0);
        // Consolidation records the cell; then the chunk disappears, so a rewrite would show.
        var ledger = new RunLedger(ZarrStores.Open(store), runId);
        await ledger.RecordAsync(new CellRecord { CatalogIndex = done.CatalogIndex, ParentMorton = done.ParentMorton, Succeeded = true, ChildCellsWithData = done.ChildCellsWithData });
        var chunks = TestSet.Chunks(store).Keys.ToList();
        Assert.NotEmpty(chunks);
        foreach (string c in chunks) File.Delete(Path.Combine(store, c));

        Assert.Empty(Failures(await batch.HandleAsync(Invocation(Message(cells[0], 2)), default)));
        Assert.Single(results.Aggregated);
        Assert.Empty(TestSet.Chunks(store));

        // Redelivered but not yet in the ledger (the result may have been lost): done again, the same bytes.
        Assert.Empty(Failures(await batch.HandleAsync(Invocation(Message(cells[1], 2)), default)));
        Assert.True(results.Aggregated.Last().Redelivered);
    }

    [Fact]
    public async Task A_batch_cut_by_its_deadline_reports_the_cells_not_done_as_failed()
    {
        using var set = await TestSet.CreateAsync();
        var cells = await set.PlanAsync(set.Store(), Guid.NewGuid());
        await using var worker = new CellWorker();
        var results = new Results();
        var batch = new SqsBatchHandler(Handler(worker, results), TextWriter.Null);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        Assert.Equal(["m-" + cells[0].CatalogIndex, "m-" + cells[1].CatalogIndex],
            Failures(await batch.HandleAsync(Invocation(Message(cells[0], 1), Message(cells[1], 1)), cancelled.Token)));
        Assert.Empty(results.Aggregated);
    }

    [Fact]
    public void Settings_name_what_is_wrong_in_one_line()
    {
        Assert.Contains("ZAGG_SQS_PREFIX is not set", Assert.Throws<LambdaSettingsException>(() => LambdaSettings.From(_ => null)).Message);
        var bad = new Dictionary<string, string> { ["ZAGG_LAMBDA_ROLE"] = "worker", ["ZAGG_SQS_PREFIX"] = "a b" };
        Assert.Contains("ZAGG_SQS_PREFIX", Assert.Throws<LambdaSettingsException>(() => LambdaSettings.From(k => bad.GetValueOrDefault(k))).Message);
        bad["ZAGG_SQS_PREFIX"] = "zagg-test";
        bad["ZAGG_LAMBDA_ROLE"] = "cook";
        Assert.Contains("'cook'", Assert.Throws<LambdaSettingsException>(() => LambdaSettings.From(k => bad.GetValueOrDefault(k))).Message);
        bad["ZAGG_LAMBDA_ROLE"] = "worker";
        bad["ZAGG_LAMBDA_MAX_RECEIVES"] = "0";
        Assert.Contains("ZAGG_LAMBDA_MAX_RECEIVES", Assert.Throws<LambdaSettingsException>(() => LambdaSettings.From(k => bad.GetValueOrDefault(k))).Message);
        bad.Remove("ZAGG_LAMBDA_MAX_RECEIVES");
        var ok = LambdaSettings.From(k => bad.GetValueOrDefault(k));
        Assert.Equal(4, ok.MaxReceives);
        Assert.Equal(LambdaSettings.Worker, ok.Role);
    }
}
