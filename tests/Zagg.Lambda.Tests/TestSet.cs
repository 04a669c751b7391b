using Zagg.Contracts;
using Zagg.Pipeline.Catalogs;
using Zagg.Pipeline.Config;
using Zagg.Runs;

namespace Zagg.Lambda.Tests;

/// <summary>A scratch folder with the demo granules (libhdf5-written), their catalog (7 parent cells), and the run's cells as the dispatcher plans them.</summary>
internal sealed class TestSet : IDisposable
{
    public static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "TestSet");

    public string Dir { get; } = Directory.CreateTempSubdirectory("zagg-lambda").FullName;
    public string CatalogPath => Path.Combine(Dir, "catalog.json");
    public string Store(string name = "out.zarr") => Path.Combine(Dir, name);

    public static async Task<TestSet> CreateAsync()
    {
        var set = new TestSet();
        foreach (string f in Directory.GetFiles(Folder, "*.h5")) File.Copy(f, Path.Combine(set.Dir, Path.GetFileName(f)));
        var files = Directory.GetFiles(set.Dir, "*.h5").Order().ToList();
        (await GranuleCatalog.FromFilesAsync(files, 6, ConfigLoader.Load("atl06"))).Save(set.CatalogPath);
        return set;
    }

    /// <summary>Writes the store's template and returns the AggregateCell messages the dispatcher sends (the same steps as the services).</summary>
    public async Task<IReadOnlyList<AggregateCell>> PlanAsync(string store, Guid runId)
    {
        var request = new RunRequested
        {
            RunId = runId,
            Spec = new RunSpec { Config = ConfigReference.BuiltIn("atl06"), Catalog = CatalogPath, Store = store, RequestedAt = DateTimeOffset.UtcNow },
        };
        var ready = await RunPlanner.CheckCatalogAsync(request);
        var (template, _) = await RunPlanner.WriteTemplateAsync(ready);
        return (await RunPlanner.DispatchAsync(template)).Cells;
    }

    /// <summary>Every chunk file of the store's arrays (path → bytes), for comparing outputs.</summary>
    public static SortedDictionary<string, byte[]> Chunks(string store) => Zagg.TestSupport.StoreChunks.Read(store);

    public void Dispose()
    {
        try { Directory.Delete(Dir, true); } catch (IOException) { }
    }
}
