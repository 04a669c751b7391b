using System.Text.Json.Nodes;
using Xunit;
using Zagg.Contracts;
using Zagg.Pipeline.Catalogs;
using Zagg.Pipeline.Config;
using Zagg.Runs;

namespace Zagg.Services.Tests;

/// <summary>The catalog step's checks, which every adapter (zagg run, the AppHost's catalog service, the Lambda) runs.</summary>
public class CatalogStepTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("zagg-catalog-step-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_cell_that_lists_one_local_granule_under_two_spellings_is_refused()
    {
        string granules = Directory.CreateDirectory(Path.Combine(_dir, "granules")).FullName;
        string source = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "TestSet"), "*.h5").Order().First();
        string granule = Path.Combine(granules, Path.GetFileName(source));
        File.Copy(source, granule);
        string link = Path.Combine(_dir, "link.h5");
        File.CreateSymbolicLink(link, granule);
        string catalogPath = Path.Combine(_dir, "catalog.json");
        (await GranuleCatalog.FromFilesAsync([granule], 6, ConfigLoader.Load("atl06"))).Save(catalogPath);
        var request = new RunRequested
        {
            RunId = Guid.NewGuid(),
            Spec = new RunSpec { Config = ConfigReference.BuiltIn("atl06"), Catalog = catalogPath, Store = Path.Combine(_dir, "out.zarr"), RequestedAt = DateTimeOffset.UtcNow },
        };
        // As written, each granule once: accepted.
        Assert.True((await RunPlanner.CheckCatalogAsync(request)).CatalogCells > 0);

        foreach (string other in new[] { Path.Combine(granules, "..", "granules", Path.GetFileName(granule)), link, new Uri(granule).AbsoluteUri })
        {
            var json = JsonNode.Parse(File.ReadAllText(catalogPath))!;
            var cells = json["catalog"]!.AsObject();
            string cell = cells.First().Key;
            cells[cell]!.AsArray().Add(other);
            string twice = Path.Combine(_dir, "twice.json");
            File.WriteAllText(twice, json.ToJsonString());
            var e = await Assert.ThrowsAsync<CatalogException>(() => RunPlanner.CheckCatalogAsync(request with { Spec = request.Spec with { Catalog = twice } }));
            Assert.Equal($"the catalog's cell {cell} lists one granule twice, as {granule} and {other}; its points would count twice", e.Message);
        }
    }
}
