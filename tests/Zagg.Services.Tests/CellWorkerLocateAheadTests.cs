using System.Text.Json;
using Xunit;
using Zagg.Contracts;
using Zagg.Runs;

namespace Zagg.Services.Tests;

/// <summary>
/// The worker's hint (<see cref="CellWorker.LocateAheadAsync"/>) reaches past the cells taken at once: the later cells'
/// granules are located too, each once, in the order the cells come.
/// </summary>
public class CellWorkerLocateAheadTests
{
    private static readonly string TestSet = Path.Combine(AppContext.BaseDirectory, "TestSet");

    private static string[] Granules => JsonDocument.Parse(File.ReadAllText(Path.Combine(TestSet, "expected.json"))).RootElement
        .GetProperty("granules").EnumerateArray().Select(g => Path.Combine(TestSet, g.GetString()!)).ToArray();

    [Fact]
    public async Task The_hint_locates_the_later_cells_granules_once_each()
    {
        var g = Granules;
        Assert.True(g.Length >= 2, "the test set has two granules or more");
        // Three cells, one taken at once: the first cell's granule, then the others' (the first again in the last cell: once).
        IReadOnlyList<IReadOnlyList<string>> cells = [[g[0]], [g[1]], [.. g.Skip(1), g[0]]];
        await using var worker = new CellWorker();
        int located = await worker.LocateAheadAsync(Guid.NewGuid(), ConfigReference.BuiltIn("atl06"), 6, cells, cellsAtOnce: 1);
        Assert.Equal(g.Length, located);
    }

    [Fact]
    public async Task A_stopped_hint_locates_nothing_more()
    {
        using var stop = new CancellationTokenSource();
        stop.Cancel();
        await using var worker = new CellWorker();
        int located = await worker.LocateAheadAsync(Guid.NewGuid(), ConfigReference.BuiltIn("atl06"), 6, [Granules], cellsAtOnce: 1, stop.Token);
        Assert.Equal(0, located);
    }
}
