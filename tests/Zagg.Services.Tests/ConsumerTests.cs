using System.Text.Json;
using MassTransit;
using MassTransit.Testing;
using Xunit;
using Zagg.Catalog;
using Zagg.Consolidation;
using Zagg.Contracts;
using Zagg.Pipeline.Config;
using Zagg.Dispatcher;
using Zagg.Runs;
using Zagg.Template;
using Zagg.Worker;
using Zagg.Messaging;
using Zagg.Zarr.Stores;

namespace Zagg.Services.Tests;

/// <summary>Each service's consumers with MassTransit's in-memory test harness, over the demo granules.</summary>
public class ConsumerTests
{
    private static readonly JsonElement Expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestRun.TestSet, "expected.json"))).RootElement;

    private static long ExpectedObservations(long parentNested) => Expected.GetProperty("conventions").GetProperty("authalic").EnumerateArray()
        .Where(c => c.GetProperty("parent").GetInt64() == parentNested)
        .Sum(c => c.GetProperty("children").EnumerateObject().Sum(ch => ch.Value.GetProperty("count").GetInt64()));

    [Fact]
    public async Task Catalog_service_checks_the_catalog_and_publishes_CatalogReady()
    {
        using var run = await TestRun.CreateAsync();
        await using var h = await Harness.StartAsync(x => x.AddCatalogService());
        await h.Test.Bus.Publish(run.Request());
        var ready = await h.PublishedAsync<CatalogReady>();
        Assert.Equal((run.RunId, 6, 7), (ready.RunId, ready.ParentOrder, ready.CatalogCells));
    }

    [Fact]
    public async Task A_run_whose_catalog_or_selection_is_wrong_faults_once_and_consolidation_ends_it_with_the_reason()
    {
        using var run = await TestRun.CreateAsync();
        await using var h = await Harness.StartAsync(x =>
        {
            x.AddCatalogService();
            x.AddConsolidationService();
        });
        var missing = run.Request() with { RunId = Guid.NewGuid(), Spec = run.Spec() with { Catalog = Path.Combine(run.Dir, "nope.json") } };
        await h.Test.Bus.Publish(missing);
        var done = await h.PublishedAsync<RunCompleted>(c => c.RunId == missing.RunId);
        Assert.Contains("catalog: ", done.Error);
        Assert.Contains("nope.json: cannot be read", done.Error);
        Assert.False(done.Succeeded);
        var fault = await h.PublishedAsync<Fault<RunRequested>>(f => f.Message.RunId == missing.RunId);
        Assert.Equal(1, Faults.Attempts(fault)); // permanent: no retries

        var stranger = run.Request(new RunSelection { MortonCell = -6134114 }) with { RunId = Guid.NewGuid() };
        await h.Test.Bus.Publish(stranger);
        Assert.Contains("is not a cell of the catalog", (await h.PublishedAsync<RunCompleted>(c => c.RunId == stranger.RunId)).Error);

        // A catalog of no cells stops at the catalog step, at once (the template step used to fail on it, and be retried).
        string empty = Path.Combine(run.Dir, "empty.json");
        var emptied = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(run.CatalogPath))!;
        emptied["catalog"] = new System.Text.Json.Nodes.JsonObject();
        File.WriteAllText(empty, emptied.ToJsonString());
        var nothing = run.Request() with { RunId = Guid.NewGuid(), Spec = run.Spec() with { Catalog = empty } };
        await h.Test.Bus.Publish(nothing);
        Assert.Equal("catalog: the catalog lists no parent cells: there is nothing to aggregate", (await h.PublishedAsync<RunCompleted>(c => c.RunId == nothing.RunId)).Error);
        Assert.Equal(1, Faults.Attempts(await h.PublishedAsync<Fault<RunRequested>>(f => f.Message.RunId == nothing.RunId)));
    }

    [Fact]
    public async Task Template_service_writes_the_template_once_per_run()
    {
        using var run = await TestRun.CreateAsync();
        await using var h = await Harness.StartAsync(x =>
        {
            x.AddTemplateService();
            x.AddConsolidationService();
        });
        var ready = new CatalogReady { RunId = run.RunId, Spec = run.Spec(new RunSelection { Overwrite = true }), ParentOrder = 6, CatalogCells = 7 };
        await h.Test.Bus.Publish(ready);
        var template = await h.PublishedAsync<TemplateReady>();
        Assert.Equal((6, 12, 7), (template.ParentOrder, template.ChildOrder, template.CatalogCells));
        Assert.True(File.Exists(Path.Combine(run.Store, "zarr.json")));

        // A chunk written, then the same CatalogReady redelivered (overwrite!): the chunk stays.
        string chunk = Path.Combine(run.Store, "12", "count", "c", "0");
        Directory.CreateDirectory(Path.GetDirectoryName(chunk)!);
        File.WriteAllBytes(chunk, [1, 2, 3]);
        await h.Test.Bus.Publish(ready);
        await h.PublishedAsync<TemplateReady>(t => h.Test.Published.Select<TemplateReady>().Count() >= 2);
        Assert.True(File.Exists(chunk));

        // Another run over an existing store without overwrite: refused, by name.
        var other = ready with { RunId = Guid.NewGuid(), Spec = run.Spec() };
        await h.Test.Bus.Publish(other);
        var refused = await h.PublishedAsync<RunCompleted>(c => c.RunId == other.RunId);
        Assert.StartsWith("template: ", refused.Error);
        Assert.Contains("already exists", refused.Error);
        Assert.Equal(1, Faults.Attempts(await h.PublishedAsync<Fault<CatalogReady>>(f => f.Message.RunId == other.RunId)));
    }

    [Fact]
    public async Task Dispatcher_plans_the_run_and_sends_the_largest_cells_first()
    {
        using var run = await TestRun.CreateAsync();
        await using var h = await Harness.StartAsync(x => x.AddDispatcherService());
        var template = new TemplateReady { RunId = run.RunId, Spec = run.Spec(), ParentOrder = 6, ChildOrder = 12, CatalogCells = 7 };
        await h.Test.Bus.Publish(template);
        var dispatched = await h.PublishedAsync<CellsDispatched>();
        Assert.Equal(7, dispatched.Cells);
        Assert.True(await h.Test.Sent.Any<AggregateCell>());
        await Task.Delay(200);
        var cells = h.Test.Sent.Select<AggregateCell>().Select(m => m.Context.Message).ToList();
        Assert.Equal(7, cells.Count);
        Assert.Equal(cells.Select(c => c.Granules.Count).OrderDescending(), cells.Select(c => c.Granules.Count));
        Assert.Equal(run.Catalog.Cells.Select(c => c.Morton).Order(), cells.Select(c => c.ParentMorton).Order());
        foreach (var c in cells)
        {
            Assert.Equal(run.Catalog.Cells[(int)c.CatalogIndex].Morton, c.ParentMorton);
            Assert.Equal(run.Catalog.Cells[(int)c.CatalogIndex].Granules, c.Granules);
        }
        var plan = await new RunLedger(ZarrStores.Open(run.Store), run.RunId).ReadPlanAsync();
        Assert.Equal(7, plan!.Cells.Count);

        var two = template with { RunId = Guid.NewGuid(), Spec = run.Spec(new RunSelection { MaxCells = 2 }) };
        await h.Test.Bus.Publish(two);
        Assert.Equal(2, (await h.PublishedAsync<CellsDispatched>(d => d.RunId == two.RunId)).Cells);
    }

    [Fact]
    public async Task Worker_aggregates_a_cell_writes_its_chunk_and_a_second_delivery_writes_the_same_bytes()
    {
        using var run = await TestRun.CreateAsync();
        var config = ConfigLoader.Load("atl06");
        await Zagg.Pipeline.Output.DggsStore.CreateAsync(ZarrStores.Open(run.Store), config.ToTemplate(6, 7));
        await using var h = await Harness.StartAsync(x => x.AddWorkerService());
        var (morton, granules) = run.Catalog.Cells[2];
        var message = new AggregateCell
        {
            RunId = run.RunId, CatalogIndex = 2, ParentMorton = morton, ParentOrder = 6, Granules = granules,
            Store = run.Store, Config = ConfigReference.BuiltIn("atl06"),
        };
        var endpoint = await h.Test.Bus.GetSendEndpoint(new Uri("queue:zagg-worker"));
        await endpoint.Send(message);
        var done = await h.PublishedAsync<CellAggregated>();
        Assert.Equal(ExpectedObservations(Zagg.Grid.Morton.ToNested(morton, out _)), done.Observations);
        Assert.Equal(granules.Count, done.FilesProcessed);
        var first = TestRun.Chunks(run.Store);
        Assert.NotEmpty(first);

        await endpoint.Send(message);
        await h.PublishedAsync<CellAggregated>(_ => h.Test.Published.Select<CellAggregated>().Count() >= 2);
        Assert.Equal(first, TestRun.Chunks(run.Store));
    }

    /// <summary>The message that aggregates the run's third cell (catalog index 2).</summary>
    private static AggregateCell CellTwo(TestRun run)
    {
        var (morton, granules) = run.Catalog.Cells[2];
        return new AggregateCell
        {
            RunId = run.RunId, CatalogIndex = 2, ParentMorton = morton, ParentOrder = 6, Granules = granules,
            Store = run.Store, Config = ConfigReference.BuiltIn("atl06"),
        };
    }

    [Fact]
    public async Task A_redelivered_cell_is_skipped_only_when_the_ledger_records_it_aggregated()
    {
        using var run = await TestRun.CreateAsync();
        var m = CellTwo(run);
        long morton = m.ParentMorton;
        Assert.False(await CellWorker.IsRecordedAsync(m)); // no ledger yet
        var ledger = new RunLedger(ZarrStores.Open(run.Store), run.RunId);
        await ledger.RecordAsync(CellRecord.Failed(m, "unreadable", 3, "host:1"));
        Assert.False(await CellWorker.IsRecordedAsync(m)); // a failure is done again
        await ledger.RecordAsync(new CellRecord { CatalogIndex = 2, ParentMorton = morton, Succeeded = true, ChildCellsWithData = 5 });
        Assert.True(await CellWorker.IsRecordedAsync(m));
        Assert.False(await CellWorker.IsRecordedAsync(m with { CatalogIndex = 3 }));
        Assert.False(await CellWorker.IsRecordedAsync(m with { RunId = Guid.NewGuid() })); // another run's ledger
        // A record that cannot be read says no: the cell is done again.
        File.WriteAllText(Path.Combine(run.Store, ".zagg", "runs", run.RunId.ToString("N"), "cells", "2.json"), "{");
        Assert.False(await CellWorker.IsRecordedAsync(m));
    }

    [Fact]
    public async Task The_sqs_worker_acknowledges_a_redelivered_cell_the_ledger_records_without_aggregating_it_again()
    {
        using var run = await TestRun.CreateAsync();
        var m = CellTwo(run);
        long morton = m.ParentMorton;
        // The ledger records the cell aggregated, but the store has no template: aggregating the cell again would fail.
        await new RunLedger(ZarrStores.Open(run.Store), run.RunId)
            .RecordAsync(new CellRecord { CatalogIndex = 2, ParentMorton = morton, Succeeded = true, ChildCellsWithData = 5 });
        await using var worker = new CellWorker();
        var handler = new AggregateCellHandler(worker);

        var redelivered = new Zagg.Messaging.Sqs.SqsHandlerContext(Zagg.Messaging.Sqs.SqsEnvelope.Wrap(m), receiveCount: 2, CancellationToken.None);
        await handler.HandleAsync(m, redelivered);
        Assert.Empty(redelivered.Outbox); // acknowledged: nothing published, nothing aggregated

        // Delivered the first time, the same message is aggregated whatever the ledger says (here: it fails on the missing template).
        var first = new Zagg.Messaging.Sqs.SqsHandlerContext(Zagg.Messaging.Sqs.SqsEnvelope.Wrap(m), receiveCount: 1, CancellationToken.None);
        var e = await Assert.ThrowsAsync<CellFailedException>(() => handler.HandleAsync(m, first));
        Assert.StartsWith("writing the cell to ", e.Message);
    }

    [Fact]
    public async Task A_cell_with_a_damaged_granule_faults_at_once_unretried_and_consolidation_reports_it_failed_with_its_attempt()
    {
        using var run = await TestRun.CreateAsync(spoil: f =>
        {
            var bytes = File.ReadAllBytes(f);
            File.WriteAllBytes(f, bytes[..(bytes.Length / 2)]);
        });
        var config = ConfigLoader.Load("atl06");
        await Zagg.Pipeline.Output.DggsStore.CreateAsync(ZarrStores.Open(run.Store), config.ToTemplate(6, 7));
        string victim = Directory.GetFiles(run.Dir, "*.h5").Order().First();
        var cells = RunPlanner.Select(run.Catalog, new RunSelection(), config);
        var failing = cells.Where(c => c.Granules.Contains(victim)).ToList();
        Assert.NotEmpty(failing);
        await new RunLedger(ZarrStores.Open(run.Store), run.RunId).WritePlanAsync(new RunPlan(cells, DateTimeOffset.UtcNow));
        await using var h = await Harness.StartAsync(x =>
        {
            x.AddWorkerService();
            x.AddConsolidationService();
        });
        await h.Test.Bus.Publish(new CellsDispatched { RunId = run.RunId, Store = run.Store, Cells = cells.Count, RequestedAt = DateTimeOffset.UtcNow });
        var workers = await h.Test.Bus.GetSendEndpoint(Queues.WorkerAddress);
        foreach (var c in cells)
            await workers.Send(new AggregateCell
            {
                RunId = run.RunId, CatalogIndex = c.CatalogIndex, ParentMorton = c.ParentMorton, ParentOrder = 6, Granules = c.Granules,
                Store = run.Store, Config = ConfigReference.BuiltIn("atl06"),
            });

        var completed = await h.PublishedAsync<RunCompleted>(c => c.RunId == run.RunId);
        Assert.Null(completed.Error);
        Assert.Equal(cells.Count, completed.Cells);
        Assert.Equal(failing.Count, completed.Errors);
        var fault = await h.PublishedAsync<Fault<AggregateCell>>();
        Assert.Equal(1, Faults.Attempts(fault)); // a damaged granule is permanent: not retried
        Assert.Contains(victim, Faults.Reason(fault));
        Assert.DoesNotContain(h.Test.Published.Select<CellAggregated>(), m => failing.Any(f => f.CatalogIndex == m.Context.Message.CatalogIndex));
        var reported = JsonDocument.Parse(File.ReadAllText(RunReport.LocationOf(run.Store))).RootElement.GetProperty("cells").EnumerateArray()
            .Where(c => c.GetProperty("error").ValueKind == JsonValueKind.String).Select(c => c.GetProperty("error").GetString()!).ToList();
        Assert.Equal(failing.Count, reported.Count);
        Assert.All(reported, e => Assert.StartsWith("failed after 1 attempt(s): ", e));
        Assert.All(reported, e => Assert.Contains(victim, e));
    }

    [Fact]
    public async Task Consolidation_counts_a_cell_reported_twice_once_and_survives_a_restart()
    {
        using var run = await TestRun.CreateAsync();
        var config = ConfigLoader.Load("atl06");
        await Zagg.Pipeline.Output.DggsStore.CreateAsync(ZarrStores.Open(run.Store), config.ToTemplate(6, 7));
        var cells = RunPlanner.Select(run.Catalog, new RunSelection(), config);
        await new RunLedger(ZarrStores.Open(run.Store), run.RunId).WritePlanAsync(new RunPlan(cells, DateTimeOffset.UtcNow));
        CellAggregated Result(PlannedCell c) => new()
        {
            RunId = run.RunId, CatalogIndex = c.CatalogIndex, ParentMorton = c.ParentMorton, ChildCellsWithData = 10, Observations = 100 + c.CatalogIndex,
            GranuleCount = c.Granules.Count, FilesProcessed = c.Granules.Count, DurationSeconds = 0.1, Worker = "w:1", Store = run.Store,
        };

        // The first consolidation instance sees three cells (one of them twice), then stops.
        // (Its provider stays until the end: MassTransit's log context is process-wide.)
        await using var first = await Harness.StartAsync(x => x.AddConsolidationService());
        {
            await first.Test.Bus.Publish(new CellsDispatched { RunId = run.RunId, Store = run.Store, Cells = 7, RequestedAt = DateTimeOffset.UtcNow });
            foreach (var c in cells.Take(3).Append(cells[0])) await first.Test.Bus.Publish(Result(c));
            Assert.True(await first.Test.Consumed.Any<CellAggregated>(m => m.Context.Message.CatalogIndex == cells[2].CatalogIndex));
            await Task.Delay(300);
            Assert.Empty(first.Test.Published.Select<RunCompleted>());
            await first.Test.Stop();
        }
        // A new instance (a restart) gets the rest, and one more duplicate: the run completes once, with every cell.
        await using var second = await Harness.StartAsync(x => x.AddConsolidationService());
        foreach (var c in cells.Skip(3).Append(cells[1])) await second.Test.Bus.Publish(Result(c));
        var completed = await second.PublishedAsync<RunCompleted>();
        Assert.Equal(7, completed.Cells);
        Assert.Equal(cells.Sum(c => 100 + c.CatalogIndex), completed.Observations);
        Assert.Equal(0, completed.Errors);
        await Task.Delay(300);
        Assert.Single(second.Test.Published.Select<RunCompleted>());
        var report = JsonDocument.Parse(File.ReadAllText(run.Store + ".report.json")).RootElement;
        Assert.Equal(7, report.GetProperty("cells").GetArrayLength());
        Assert.Contains("consolidated_metadata", File.ReadAllText(Path.Combine(run.Store, "zarr.json")));
    }

    [Fact]
    public async Task All_services_in_one_harness_write_every_childs_count_as_numpy_computed_it()
    {
        using var run = await TestRun.CreateAsync();
        await using var h = await Harness.StartAsync(x =>
        {
            x.AddCatalogService();
            x.AddTemplateService();
            x.AddDispatcherService();
            x.AddWorkerService();
            x.AddConsolidationService();
        });
        await h.Test.Bus.Publish(run.Request());
        var completed = await h.PublishedAsync<RunCompleted>();
        Assert.True(completed.Succeeded, completed.Error);
        Assert.Equal(7, completed.Cells);
        Assert.Equal(58789, completed.Observations);

        var dggs = await Zagg.Pipeline.Output.DggsStore.OpenAsync(ZarrStores.Open(run.Store));
        foreach (var cell in Expected.GetProperty("conventions").GetProperty("authalic").EnumerateArray())
        {
            long parent = cell.GetProperty("parent").GetInt64();
            int index = run.Catalog.Cells.ToList().FindIndex(c => c.Morton == Zagg.Grid.Morton.FromNested(parent, 6));
            var count = await dggs.Arrays["count"].ReadChunkAsync([dggs.ChunkOf(parent, index)]);
            var children = cell.GetProperty("children").EnumerateObject().ToDictionary(p => int.Parse(p.Name), p => p.Value.GetProperty("count").GetInt32());
            for (int i = 0; i < 4096; i++)
                Assert.Equal(children.GetValueOrDefault(i), BitConverter.ToInt32(count, i * 4));
        }
    }

    [Fact]
    public async Task A_message_of_a_newer_contract_version_is_refused_unretried_and_faults()
    {
        using var run = await TestRun.CreateAsync();
        await using var h = await Harness.StartAsync(x => x.AddConsolidationService());
        var newer = new CellsDispatched { Version = ContractVersion.Current + 1, RunId = run.RunId, Store = run.Store, Cells = 1, RequestedAt = DateTimeOffset.UtcNow };
        await h.Test.Bus.Publish(newer);
        var fault = await h.PublishedAsync<Fault<CellsDispatched>>();
        Assert.Equal(1, Faults.Attempts(fault));
        Assert.Contains($"CellsDispatched has contract version {ContractVersion.Current + 1}", Faults.Reason(fault));
        var consumed = Assert.Single(h.Test.Consumed.Select<CellsDispatched>());
        Assert.IsType<ContractVersionException>(consumed.Exception);
        await Task.Delay(300);
        Assert.Single(h.Test.Published.Select<Fault<CellsDispatched>>());
        // The consumer never ran: no ledger was opened for the run.
        Assert.False(Directory.Exists(Path.Combine(run.Store, ".zagg")));
    }
}
