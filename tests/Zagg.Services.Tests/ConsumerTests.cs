using System.Text.Json;
using MassTransit;
using MassTransit.Testing;
using Xunit;
using Zagg.Catalog;
using Zagg.Consolidation;
using Zagg.Contracts;
using Zagg.Pipeline.Config;
using Zagg.Pipeline.Catalogs;
using Zagg.Dispatcher;
using Zagg.Runs;
using Zagg.Template;
using Zagg.Worker;
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
    public async Task Catalog_service_ends_a_run_whose_catalog_or_selection_is_wrong_without_retrying()
    {
        using var run = await TestRun.CreateAsync();
        await using var h = await Harness.StartAsync(x => x.AddCatalogService());
        var missing = run.Request() with { RunId = Guid.NewGuid(), Spec = run.Spec() with { Catalog = Path.Combine(run.Dir, "nope.json") } };
        await h.Test.Bus.Publish(missing);
        var done = await h.PublishedAsync<RunCompleted>(c => c.RunId == missing.RunId);
        Assert.Contains("catalog: ", done.Error);
        Assert.Contains("nope.json: cannot be read", done.Error);
        Assert.False(done.Succeeded);
        Assert.Single(h.Test.Consumed.Select<RunRequested>(m => m.Context.Message.RunId == missing.RunId)); // permanent: no retries

        var stranger = run.Request(new RunSelection { MortonCell = -6134114 }) with { RunId = Guid.NewGuid() };
        await h.Test.Bus.Publish(stranger);
        Assert.Contains("is not a cell of the catalog", (await h.PublishedAsync<RunCompleted>(c => c.RunId == stranger.RunId)).Error);
    }

    [Fact]
    public async Task Template_service_writes_the_template_once_per_run()
    {
        using var run = await TestRun.CreateAsync();
        await using var h = await Harness.StartAsync(x => x.AddTemplateService());
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
        Assert.Contains("already exists", refused.Error);
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
            Assert.Equal(run.Catalog.Cells[(int)c.ChunkIndex].Morton, c.ParentMorton);
            Assert.Equal(run.Catalog.Cells[(int)c.ChunkIndex].Granules, c.Granules);
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
            RunId = run.RunId, ChunkIndex = 2, ParentMorton = morton, ParentOrder = 6, ChildOrder = 12, Granules = granules,
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

    [Fact]
    public async Task Worker_retries_a_cell_with_a_corrupt_granule_then_reports_CellFailed_and_faults_it_to_the_error_queue()
    {
        using var run = await TestRun.CreateAsync(spoil: f =>
        {
            var bytes = File.ReadAllBytes(f);
            File.WriteAllBytes(f, bytes[..(bytes.Length / 2)]);
        });
        await Zagg.Pipeline.Output.DggsStore.CreateAsync(ZarrStores.Open(run.Store), ConfigLoader.Load("atl06").ToTemplate(6, 7));
        string victim = Directory.GetFiles(run.Dir, "*.h5").Order().First();
        int index = run.Catalog.Cells.ToList().FindIndex(c => c.Granules.Contains(victim));
        await using var h = await Harness.StartAsync(x => x.AddWorkerService());
        var (morton, granules) = run.Catalog.Cells[index];
        await (await h.Test.Bus.GetSendEndpoint(new Uri("queue:zagg-worker"))).Send(new AggregateCell
        {
            RunId = run.RunId, ChunkIndex = index, ParentMorton = morton, ParentOrder = 6, ChildOrder = 12, Granules = granules,
            Store = run.Store, Config = ConfigReference.BuiltIn("atl06"),
        });
        var failed = await h.PublishedAsync<CellFailed>();
        Assert.Equal(Harness.FastRetries.Retries + 1, failed.Attempts);
        Assert.Contains(victim, failed.Error);
        Assert.True(await h.Test.Published.Any<Fault<AggregateCell>>());
        Assert.Empty(h.Test.Published.Select<CellAggregated>());
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
            RunId = run.RunId, ChunkIndex = c.ChunkIndex, ParentMorton = c.ParentMorton, CellsWithData = 10, Observations = 100 + c.ChunkIndex,
            GranuleCount = c.Granules.Count, FilesProcessed = c.Granules.Count, DurationSeconds = 0.1, Worker = "w:1", Store = run.Store,
        };

        // The first consolidation instance sees three cells (one of them twice), then stops.
        // (Its provider stays until the end: MassTransit's log context is process-wide.)
        await using var first = await Harness.StartAsync(x => x.AddConsolidationService());
        {
            await first.Test.Bus.Publish(new CellsDispatched { RunId = run.RunId, Store = run.Store, Cells = 7, RequestedAt = DateTimeOffset.UtcNow });
            foreach (var c in cells.Take(3).Append(cells[0])) await first.Test.Bus.Publish(Result(c));
            Assert.True(await first.Test.Consumed.Any<CellAggregated>(m => m.Context.Message.ChunkIndex == cells[2].ChunkIndex));
            await Task.Delay(300);
            Assert.Empty(first.Test.Published.Select<RunCompleted>());
            await first.Test.Stop();
        }
        // A new instance (a restart) gets the rest, and one more duplicate: the run completes once, with every cell.
        await using var second = await Harness.StartAsync(x => x.AddConsolidationService());
        foreach (var c in cells.Skip(3).Append(cells[1])) await second.Test.Bus.Publish(Result(c));
        var completed = await second.PublishedAsync<RunCompleted>();
        Assert.Equal(7, completed.Cells);
        Assert.Equal(cells.Sum(c => 100 + c.ChunkIndex), completed.Observations);
        Assert.Equal(0, completed.Errors);
        await Task.Delay(300);
        Assert.Single(second.Test.Published.Select<RunCompleted>());
        var report = JsonDocument.Parse(File.ReadAllText(run.Store + ".report.json")).RootElement;
        Assert.Equal(7, report.GetProperty("cells").GetArrayLength());
        Assert.Contains("consolidated_metadata", File.ReadAllText(Path.Combine(run.Store, "zarr.json")));
    }

    [Fact]
    public async Task All_services_in_one_harness_reproduce_the_in_process_pipeline_byte_for_byte()
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

        string direct = Path.Combine(run.Dir, "direct.zarr");
        await PipelineRunner.RunAsync(new RunOptions { Config = ConfigLoader.Load("atl06"), Catalog = run.Catalog, Store = direct });
        Assert.Equal(TestRun.Chunks(direct), TestRun.Chunks(run.Store));
    }
}
