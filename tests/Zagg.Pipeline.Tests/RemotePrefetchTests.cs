using System.Collections.Concurrent;
using Xunit;
using Zagg.Hdf5.IO;
using Zagg.Pipeline.Aggregation;
using Zagg.Pipeline.Config;

namespace Zagg.Pipeline.Tests;

/// <summary>
/// Over remote links a cell opens and prefetches its granules ahead of its ordered pass. A cell with more granules than
/// the run keeps open (8) must still open each once and read its bytes once: the prefetched chunks belong to the open
/// file, so a granule closed between its prefetch and its turn would be read again, one request per chunk (a 17×
/// slower cell at 80 ms in bench's --remote harness before the prefetch held its granules open).
/// </summary>
public class RemotePrefetchTests
{
    private static string[] Files => DemoTestSet.Granules;
    private static long Parent => DemoTestSet.Parent;
    private static PipelineConfig Atl06() => DemoTestSet.Atl06();

    /// <summary>A local file presented as a remote object (not <see cref="IByteSource.IsLocal"/>), counting what is read.</summary>
    private sealed class CountedRemote(string path, Action<long> counted) : IByteSource
    {
        private readonly FileByteSource _inner = new(path);
        public string Name => _inner.Name;
        public long Length => _inner.Length;
        public ByteSourceStatistics Statistics => _inner.Statistics;
        public bool IsLocal => false;

        public ValueTask ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken = default)
        {
            counted(destination.Length);
            return _inner.ReadAsync(offset, destination, cancellationToken);
        }

        public ValueTask DisposeAsync() => _inner.DisposeAsync();
    }

    [Fact]
    public async Task A_cell_of_more_granules_than_stay_open_opens_each_once_and_equals_the_local_run()
    {
        // 24 links, each a granule of its own to the reader, over the committed granules (each several times).
        string[] files = Files;
        var paths = Enumerable.Range(0, 24).Select(i => files[i % files.Length]).ToArray();
        var links = Enumerable.Range(0, 24).Select(i => $"https://granules.test/{i}/{Path.GetFileName(paths[i])}").ToArray();

        var config = Atl06();
        await using var local = new CellAggregator(config, parentOrder: 6);
        var expected = await local.AggregateAsync(Parent, paths);
        Assert.Equal(CellOutcome.Aggregated, expected.Result.Outcome);

        var opens = new ConcurrentDictionary<string, int>();
        long bytes = 0;
        await using var remote = new CellAggregator(config, parentOrder: 6, (url, ct) =>
        {
            opens.AddOrUpdate(url, 1, (_, n) => n + 1);
            string path = paths[Array.IndexOf(links, url)];
            return Task.FromResult<IByteSource>(new CountedRemote(path, n => Interlocked.Add(ref bytes, n)));
        });
        var actual = await remote.AggregateAsync(Parent, links);

        Assert.Equal(CellOutcome.Aggregated, actual.Result.Outcome);
        Assert.Equal(expected.Result.TotalObs, actual.Result.TotalObs);
        foreach (var (name, chunk) in expected.Chunks) Assert.Equal(chunk, actual.Chunks[name]);
        Assert.Equal(links.Length, opens.Count);
        Assert.All(opens, o => Assert.True(o.Value == 1, $"{o.Key} opened {o.Value} times"));

        // The same cell again in a fresh run, link by link as cells of one granule: what each granule costs read alone.
        long alone = 0;
        foreach (string link in links)
        {
            await using var single = new CellAggregator(config, parentOrder: 6, (url, ct) =>
                Task.FromResult<IByteSource>(new CountedRemote(paths[Array.IndexOf(links, url)], n => Interlocked.Add(ref alone, n))));
            await single.AggregateAsync(Parent, [link]);
        }
        Assert.True(bytes <= alone, $"the cell read {bytes:N0} bytes; its granules read one by one, {alone:N0}");
    }
}
