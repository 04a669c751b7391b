using System.Security.Cryptography;
using System.Text;

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

    /// <summary>
    /// What differs between two stores' chunks (<see cref="Read"/>): each key only one has, and each key whose bytes differ,
    /// with both lengths and SHA-256 prefixes; empty when they are the same. A failing comparison then names the chunk.
    /// </summary>
    public static string Differences(IReadOnlyDictionary<string, byte[]> expected, IReadOnlyDictionary<string, byte[]> actual)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        var text = new StringBuilder();
        foreach (var (key, bytes) in expected)
        {
            if (!actual.TryGetValue(key, out var other)) text.Append($"{key}: missing (expected {Describe(bytes)})\n");
            else if (!bytes.AsSpan().SequenceEqual(other)) text.Append($"{key}: expected {Describe(bytes)}, actual {Describe(other)}\n");
        }
        foreach (var (key, bytes) in actual)
            if (!expected.ContainsKey(key)) text.Append($"{key}: unexpected ({Describe(bytes)})\n");
        return text.ToString();
    }

    private static string Describe(byte[] bytes) => $"{bytes.Length} bytes, sha256 {Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]}";
}
