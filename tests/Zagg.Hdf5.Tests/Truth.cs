using System.IO.Compression;
using System.Text.Json;

namespace Zagg.Hdf5.Tests;

/// <summary>What h5py read from the fixtures (tools/fixtures/hdf5_fixtures.py).</summary>
internal static class Truth
{
    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    public static readonly string[] Files = ["earliest.h5", "v108.h5", "latest.h5"];

    public static JsonElement Meta { get; } = JsonDocument.Parse(File.ReadAllText(Fixture("truth.json"))).RootElement;

    private static readonly Lazy<Dictionary<string, (string Descr, long[] Shape, byte[] Data)>> Arrays = new(() =>
    {
        var result = new Dictionary<string, (string, long[], byte[])>();
        using var zip = ZipFile.OpenRead(Fixture("truth.npz"));
        foreach (var entry in zip.Entries)
        {
            using var s = entry.Open();
            result["/" + entry.FullName[..^4]] = Npy.Read(s);
        }
        return result;
    });

    public static (string Descr, long[] Shape, byte[] Data) Values(string path) => Arrays.Value[path];

    public static IEnumerable<string> DatasetPaths() => Meta.GetProperty("datasets").EnumerateObject().Select(p => p.Name);
}
