using Zagg.Contracts;
using Zagg.Pipeline.Config;
using Zagg.Pipeline.Catalogs;

namespace Zagg.Services.Tests;

/// <summary>A scratch folder with the demo granules (libhdf5-written), their catalog, and a store location.</summary>
internal sealed class TestRun : IDisposable
{
    public static readonly string TestSet = Path.Combine(AppContext.BaseDirectory, "TestSet");

    public string Dir { get; } = Directory.CreateTempSubdirectory("zagg-services").FullName;
    public string CatalogPath => Path.Combine(Dir, "catalog.json");
    public string Store => Path.Combine(Dir, "out.zarr");
    public GranuleCatalog Catalog { get; private set; } = null!;
    public Guid RunId { get; } = Guid.NewGuid();

    public static async Task<TestRun> CreateAsync(Action<string>? spoil = null)
    {
        var run = new TestRun();
        foreach (string f in Directory.GetFiles(TestSet, "*.h5")) File.Copy(f, Path.Combine(run.Dir, Path.GetFileName(f)));
        var files = Directory.GetFiles(run.Dir, "*.h5").Order().ToList();
        run.Catalog = await GranuleCatalog.FromFilesAsync(files, 6, ConfigLoader.Load("atl06"));
        run.Catalog.Save(run.CatalogPath);
        spoil?.Invoke(files[0]);
        return run;
    }

    public RunSpec Spec(RunSelection? selection = null) => new()
    {
        Config = ConfigReference.BuiltIn("atl06"),
        Catalog = CatalogPath,
        Store = Store,
        Selection = selection ?? new RunSelection(),
        RequestedAt = DateTimeOffset.UtcNow,
    };

    public RunRequested Request(RunSelection? selection = null) => new() { RunId = RunId, Spec = Spec(selection) };

    /// <summary>Every chunk file of the store's arrays (path → bytes), for comparing outputs.</summary>
    public static SortedDictionary<string, byte[]> Chunks(string store) => Zagg.TestSupport.StoreChunks.Read(store);

    public void Dispose()
    {
        try { Directory.Delete(Dir, true); } catch (IOException) { }
    }
}
