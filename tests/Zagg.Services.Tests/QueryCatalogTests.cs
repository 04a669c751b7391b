using Xunit;
using Zagg.Contracts;
using Zagg.Pipeline.Catalogs;
using Zagg.Runs;
using Zagg.TestSupport;

namespace Zagg.Services.Tests;

/// <summary>A RunRequested that carries a catalog query: the catalog service's step builds the catalog with zagg catalog's code.</summary>
public class QueryCatalogTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("zagg-query-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private RunRequested Request(CatalogQuery query) => new()
    {
        RunId = Guid.NewGuid(),
        Spec = new RunSpec
        {
            Config = ConfigReference.BuiltIn("atl06"), Catalog = Path.Combine(_dir, "catalog.json"), Query = query,
            Store = Path.Combine(_dir, "out.zarr"), RequestedAt = DateTimeOffset.UtcNow,
        },
    };

    [Fact]
    public async Task The_catalog_step_builds_and_writes_the_querys_catalog()
    {
        await using var cmr = await FakeCmr.StartAsync(FakeCmr.DemoRecords());
        var m = Request(new CatalogQuery { StartDate = "2024-01-01", EndDate = "2024-01-31", CmrUrl = cmr.Url });
        // The query travels in the message (ContractJson, as on SQS).
        var back = ContractJson.Deserialize<RunRequested>(ContractJson.Serialize(m));
        Assert.Equal(cmr.Url, back.Spec.Query!.CmrUrl);
        var ready = await RunPlanner.CheckCatalogAsync(back);
        var catalog = GranuleCatalog.Load(m.Spec.Catalog);
        Assert.Equal(catalog.Cells.Count, ready.CatalogCells);
        Assert.True(ready.CatalogCells > 0);
        Assert.Equal(6, ready.ParentOrder);
        Assert.Equal("2024-01-31", catalog.Metadata["end_date"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_catalog_goes_beside_the_runs_ledger_with_its_progress_and_survives_an_overwrite()
    {
        await using var cmr = await FakeCmr.StartAsync([.. FakeCmr.DemoRecords(), .. UmmRecords.Filler(2500)]);
        string store = Path.Combine(_dir, "out.zarr");
        var runId = Guid.NewGuid();
        var m = new RunRequested
        {
            RunId = runId,
            Spec = new RunSpec
            {
                Config = ConfigReference.BuiltIn("atl06"), Catalog = RunLedger.CatalogLocation(store, runId), Store = store, RequestedAt = DateTimeOffset.UtcNow,
                Query = new CatalogQuery { StartDate = "2024-01-01", EndDate = "2024-01-31", CmrUrl = cmr.Url },
                Selection = new RunSelection { Overwrite = true },
            },
        };
        Assert.Equal(Path.Combine(store, ".zagg", "runs", runId.ToString("N"), "catalog.json"), m.Spec.Catalog);
        // An existing store zagg wrote (--overwrite replaces no other), which the run overwrites.
        await Zagg.Pipeline.Output.DggsStore.CreateAsync(new Zagg.Zarr.Stores.LocalStore(store), ConfigReferences.Load(m.Spec.Config).ToTemplate(6, 1));
        File.WriteAllText(Path.Combine(store, "old"), "x");

        var ready = await RunPlanner.CheckCatalogAsync(m);
        var catalog = GranuleCatalog.Load(m.Spec.Catalog);
        Assert.Equal(catalog.Cells.Count, ready.CatalogCells);
        var progress = await new RunLedger(new Zagg.Zarr.Stores.LocalStore(store), runId).ReadCatalogProgressAsync();
        Assert.NotNull(progress);
        Assert.True(progress.Built);
        Assert.Equal(2, progress.Pages); // 2,504 granules in pages of 2,000
        Assert.Equal(2504, progress.Hits);
        Assert.Equal(catalog.Cells.Count, progress.Cells);
        Assert.Equal(m.Spec.Catalog, progress.Catalog);
        Assert.Equal(catalog.Metadata["granules_found"]!.GetValue<int>(), progress.GranulesFound);

        // The template step clears the old store but this run's ledger, so the dispatcher still reads the catalog.
        var (template, written) = await RunPlanner.WriteTemplateAsync(ready);
        Assert.True(written);
        Assert.False(File.Exists(Path.Combine(store, "old")));
        var dispatch = await RunPlanner.DispatchAsync(template);
        Assert.Equal(catalog.Cells.Count, dispatch.Cells.Count);
        Assert.Equal(m.Spec.Catalog, (await new RunLedger(new Zagg.Zarr.Stores.LocalStore(store), runId).ReadPlanAsync())!.Catalog);
    }

    [Fact]
    public async Task A_searchs_wait_is_told_to_the_services_log_and_kept_in_the_ledger_until_its_next_page()
    {
        var ledger = new RunLedger(new Zagg.Zarr.Stores.LocalStore(Path.Combine(_dir, "out.zarr")), Guid.NewGuid());
        var told = new List<string>();
        var progress = new LedgerSearchProgress(ledger, told.Add);
        progress.Report(new Zagg.Pipeline.Catalogs.Search.SearchProgress(1, 2000, 2504, "CMR at http://x: page 2 (…): 503 Service Unavailable; retry 1 of 5 in 1.2 s"));
        Assert.Equal(["CMR at http://x: page 2 (…): 503 Service Unavailable; retry 1 of 5 in 1.2 s"], told); // the service's log
        await progress.FlushAsync();
        var waiting = await ledger.ReadCatalogProgressAsync();
        Assert.Equal((1, 2000L, 2504L), (waiting!.Pages, waiting.Granules, waiting.Hits!.Value));
        Assert.Equal("CMR at http://x: page 2 (…): 503 Service Unavailable; retry 1 of 5 in 1.2 s", waiting.Waiting);
        progress.Report(new Zagg.Pipeline.Catalogs.Search.SearchProgress(2, 2504, 2504));
        await progress.FlushAsync();
        var answered = await ledger.ReadCatalogProgressAsync();
        Assert.Equal(2, answered!.Pages);
        Assert.Null(answered.Waiting);
        Assert.Single(told); // a page's report is not a notice
    }

    [Fact]
    public async Task A_query_run_into_an_existing_store_is_refused_before_the_search()
    {
        await using var cmr = await FakeCmr.StartAsync(FakeCmr.DemoRecords());
        var m = Request(new CatalogQuery { StartDate = "2024-01-01", EndDate = "2024-01-31", CmrUrl = cmr.Url });
        Directory.CreateDirectory(m.Spec.Store);
        File.WriteAllText(Path.Combine(m.Spec.Store, "zarr.json"), "{}");
        var e = await Assert.ThrowsAsync<StoreExistsException>(() => RunPlanner.CheckCatalogAsync(m));
        Assert.Contains("zagg run --overwrite replaces it", e.Message);
        Assert.Empty(cmr.Requests);
        Assert.False(File.Exists(m.Spec.Catalog));
    }

    [Fact]
    public async Task A_wrong_query_is_a_permanent_catalog_failure()
    {
        await using var cmr = await FakeCmr.StartAsync(FakeCmr.DemoRecords());
        var e = await Assert.ThrowsAsync<CatalogException>(() => RunPlanner.CheckCatalogAsync(Request(new CatalogQuery { StartDate = "2024-02-01", EndDate = "2024-01-01", CmrUrl = cmr.Url })));
        Assert.Equal("query: the end date 2024-01-01 is before the start date 2024-02-01", e.Message);
        Assert.True(FailurePolicy.IsPermanent(e));
        Assert.False(File.Exists(Path.Combine(_dir, "catalog.json")));
        Assert.Empty(cmr.Requests);
    }
}
