namespace Zagg.TestSupport;

/// <summary>What tests compare between two runs' stores: every chunk file of their arrays.</summary>
public static class StoreChunks
{
    /// <summary>Every file of <paramref name="store"/> (relative path → bytes) but the metadata (zarr.json) and the run records (.zagg/).</summary>
    public static SortedDictionary<string, byte[]> Read(string store)
    {
        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (string f in Directory.GetFiles(store, "*", SearchOption.AllDirectories))
        {
            string rel = Path.GetRelativePath(store, f);
            if (rel.StartsWith(".zagg", StringComparison.Ordinal) || rel.EndsWith("zarr.json", StringComparison.Ordinal)) continue;
            files[rel] = File.ReadAllBytes(f);
        }
        return files;
    }
}
