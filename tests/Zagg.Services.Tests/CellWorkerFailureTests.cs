using System.Text.Json;
using Xunit;
using Zagg.Contracts;
using Zagg.Grid;
using Zagg.Pipeline.Config;
using Zagg.Runs;

namespace Zagg.Services.Tests;

/// <summary>
/// The cell worker tells failures retrying cannot mend (a dataset the config names is missing, a
/// damaged granule) from transport failures: only the latter are CellFailedException with Permanent false.
/// </summary>
public class CellWorkerFailureTests
{
    private static readonly string TestSet = Path.Combine(AppContext.BaseDirectory, "TestSet");
    private static readonly JsonElement Expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestSet, "expected.json"))).RootElement;
    private static string[] Granules => Expected.GetProperty("granules").EnumerateArray().Select(g => Path.Combine(TestSet, g.GetString()!)).ToArray();
    private static long ParentMorton => Morton.FromNested(Expected.GetProperty("conventions").GetProperty("authalic")[0].GetProperty("parent").GetInt64(), 6);

    private static AggregateCell Cell(IReadOnlyList<string> granules, ConfigReference config) => new()
    {
        RunId = Guid.NewGuid(), CatalogIndex = 0, ParentMorton = ParentMorton, ParentOrder = 6,
        Granules = granules, Store = Path.Combine(Path.GetTempPath(), $"zagg-never-{Guid.NewGuid():N}.zarr"), Config = config,
    };

    [Fact]
    public async Task A_dataset_missing_from_the_granules_is_permanent()
    {
        string yaml = ConfigLoader.Find("atl06").Yaml.Replace("land_ice_segments/h_li\"", "land_ice_segments/h_li_missing\"");
        await using var worker = new CellWorker();
        var e = await Assert.ThrowsAsync<CellFailedException>(() => worker.ProcessAsync(Cell(Granules, ConfigReference.Text(yaml, "typo.yaml")), redelivered: false));
        Assert.True(e.Permanent);
        Assert.Contains("h_li_missing", e.Message);
    }

    [Fact]
    public async Task A_damaged_granule_is_permanent()
    {
        string dir = Directory.CreateTempSubdirectory("zagg-damaged").FullName;
        try
        {
            string damaged = Path.Combine(dir, "damaged.h5");
            var bytes = await File.ReadAllBytesAsync(Granules[0]);
            await File.WriteAllBytesAsync(damaged, bytes.AsMemory(0, bytes.Length / 2).ToArray());
            await using var worker = new CellWorker();
            var e = await Assert.ThrowsAsync<CellFailedException>(() => worker.ProcessAsync(Cell([damaged], ConfigReference.BuiltIn("atl06")), redelivered: false));
            Assert.True(e.Permanent);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task A_granule_server_that_does_not_answer_is_retried()
    {
        // Nothing listens on loopback port 9: a transport error, which a later attempt may not meet.
        await using var worker = new CellWorker();
        var e = await Assert.ThrowsAsync<CellFailedException>(() => worker.ProcessAsync(Cell(["http://127.0.0.1:9/granule.h5"], ConfigReference.BuiltIn("atl06")), redelivered: false));
        Assert.False(e.Permanent);
        Assert.Contains("cannot be reached", e.Message);
    }
}
