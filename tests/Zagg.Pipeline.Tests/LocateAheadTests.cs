using Xunit;
using Zagg.Hdf5.IO;
using Zagg.Pipeline.Aggregation;

namespace Zagg.Pipeline.Tests;

/// <summary>
/// <see cref="CellAggregator.LocateAheadAsync"/>, the hint that a run's granules will be aggregated soon: the cells that
/// follow give the same bytes and the same failures as without it, it reads remote granules not at all, and it stops
/// when cancelled.
/// </summary>
public class LocateAheadTests
{
    private static string[] Granules => DemoTestSet.Granules;

    /// <summary>Every authalic parent cell of the demo granules (NESTED ids at order 6).</summary>
    private static long[] Parents => DemoTestSet.Expected.GetProperty("conventions").GetProperty("authalic").EnumerateArray()
        .Select(c => c.GetProperty("parent").GetInt64()).ToArray();

    [Fact]
    public async Task Cells_after_the_hint_give_the_same_bytes_as_without_it()
    {
        var config = DemoTestSet.Atl06();
        await using var plain = new CellAggregator(config, parentOrder: 6);
        await using var hinted = new CellAggregator(config, parentOrder: 6);
        Assert.Equal(Granules.Length, await hinted.LocateAheadAsync([.. Granules, Granules[0]]));
        // Located already: a second hint opens nothing.
        Assert.Equal(0, await hinted.LocateAheadAsync(Granules));
        int cellsWithData = 0;
        foreach (long parent in Parents)
        {
            var expected = await plain.AggregateAsync(parent, Granules);
            var actual = await hinted.AggregateAsync(parent, Granules);
            Assert.Equal(expected.Result.TotalObs, actual.Result.TotalObs);
            Assert.Equal(expected.Result.Outcome, actual.Result.Outcome);
            Assert.Equal(expected.Chunks.Keys.Order(), actual.Chunks.Keys.Order());
            foreach (var (name, bytes) in expected.Chunks) Assert.True(bytes.AsSpan().SequenceEqual(actual.Chunks[name]), $"cell {parent} {name}");
            if (expected.Result.CellsWithData > 0) cellsWithData++;
        }
        Assert.Equal(Parents.Length, cellsWithData);
    }

    [Fact]
    public async Task A_granule_the_hint_cannot_read_fails_its_cell_as_it_would_without_the_hint()
    {
        string dir = Directory.CreateTempSubdirectory("zagg-ahead").FullName;
        try
        {
            string truncated = Path.Combine(dir, Path.GetFileName(Granules[0]));
            var bytes = await File.ReadAllBytesAsync(Granules[0]);
            await File.WriteAllBytesAsync(truncated, bytes.AsMemory(0, bytes.Length * 6 / 10).ToArray());
            string missing = Path.Combine(dir, "no-such-granule.h5");
            string[] granules = [truncated, missing, .. Granules[1..]];
            var config = DemoTestSet.Atl06();
            await using var plain = new CellAggregator(config, parentOrder: 6);
            await using var hinted = new CellAggregator(config, parentOrder: 6);
            // The two it cannot read are skipped, not thrown.
            Assert.Equal(Granules.Length - 1, await hinted.LocateAheadAsync(granules));
            long parent = DemoTestSet.Parent;
            var expected = (await plain.AggregateAsync(parent, granules)).Result;
            var actual = (await hinted.AggregateAsync(parent, granules)).Result;
            Assert.Equal(CellOutcome.GranulesFailed, actual.Outcome);
            Assert.Equal(expected.Outcome, actual.Outcome);
            Assert.Equal(expected.FilesProcessed, actual.FilesProcessed);
            Assert.Equal(expected.TotalObs, actual.TotalObs);
            Assert.Equal(expected.FailureMessage, actual.FailureMessage);
            Assert.Equal(expected.GranuleFailures.Select(f => (f.Granule, f.Kind, f.Message)), actual.GranuleFailures.Select(f => (f.Granule, f.Kind, f.Message)));
            Assert.Equal(2, actual.GranuleFailures.Count);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task Remote_granules_are_left_to_the_cells_and_a_cancelled_hint_opens_nothing()
    {
        int opened = 0;
        var config = DemoTestSet.Atl06();
        await using var aggregator = new CellAggregator(config, parentOrder: 6, (url, ct) =>
        {
            Interlocked.Increment(ref opened);
            return Task.FromResult<IByteSource>(new FileByteSource(url));
        });
        Assert.Equal(0, await aggregator.LocateAheadAsync(["https://127.0.0.1:9/a.h5", "s3://bucket/b.h5", "http://127.0.0.1:9/c.h5"]));
        Assert.Equal(0, opened);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        Assert.Equal(0, await aggregator.LocateAheadAsync(Granules, cancelled.Token));
        Assert.Equal(0, opened);
        Assert.Equal(Granules.Length, await aggregator.LocateAheadAsync(Granules));
        Assert.Equal(Granules.Length, opened);
    }
}
