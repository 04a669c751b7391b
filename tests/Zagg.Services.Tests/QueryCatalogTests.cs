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
