using Xunit;
using Zagg.Hdf5.Chunks;

namespace Zagg.Hdf5.Tests;

/// <summary>
/// Reading many row ranges at once: the chunks they need are fetched up front (each once, coalesced), the reads that
/// follow give h5py's values without asking the source, and a disposed prefetch leaves reads to the source again.
/// </summary>
public class ChunkPrefetchTests
{
    private static readonly (string Path, int Start, int Stop)[] Rows =
    [
        ("/layouts/ea_gzip", 1150, 1420),   // extensible array, gzip
        ("/layouts/ea_gzip", 2950, 3000),
        ("/layouts/fa_paged", 10, 700),     // fixed array, paged
        ("/layouts/unlimited", 300, 2400),  // B-tree v2 or v1
        ("/layouts/implicit", 0, 300),      // implicit index
        ("/layouts/chunked_2d", 5, 41),     // 2-D chunks
        ("/layouts/compact", 2, 9),         // not chunked: read as before
    ];

    private static long DataBytes(Hdf5File h5) => h5.Statistics.Bytes - h5.MetadataStatistics.Bytes;

    [Theory]
    [MemberData(nameof(FixtureTests.Files), MemberType = typeof(FixtureTests))]
    public async Task Prefetched_rows_read_as_h5py_does_without_asking_the_source(string file)
    {
        await using var h5 = await Hdf5File.OpenAsync(Truth.Fixture(file));
        var datasets = new List<(Hdf5Dataset, int, int)>();
        foreach (var (path, start, stop) in Rows) datasets.Add((await h5.GetDatasetAsync(path), start, stop));
        long before = DataBytes(h5);
        using (var prefetch = await ChunkPrefetch.FetchAsync(datasets.Select(d => new DatasetRows(d.Item1, d.Item2, d.Item3))))
        {
            Assert.True(prefetch.Chunks > 0);
            Assert.True(prefetch.Requests < prefetch.Chunks); // coalesced
            Assert.Equal(0, prefetch.Failed);
            Assert.True(DataBytes(h5) - before >= prefetch.Bytes);
            // The gaps merged across are at most a quarter of the chunks' bytes.
            Assert.InRange(prefetch.Bytes, prefetch.ChunkBytes, prefetch.ChunkBytes + prefetch.ChunkBytes / ChunkPrefetch.MaxWasteDenominator);
            long requests = h5.Statistics.Requests;
            foreach (var (d, start, stop) in datasets)
            {
                if (d.Layout == "compact") continue;
                var (_, shape, data) = Truth.Values(d.Path);
                long row = shape.Skip(1).Aggregate(1L, (a, b) => a * b) * (data.Length / shape.Aggregate(1L, (a, b) => a * b));
                Assert.Equal(data.AsSpan((int)(start * row), (int)((stop - start) * row)).ToArray(), await d.ReadBytesAsync(start, stop));
            }
            Assert.Equal(requests, h5.Statistics.Requests); // every chunk came from the prefetch
        }
        // Once disposed, a read asks the source again.
        long after = h5.Statistics.Requests;
        await datasets[0].Item1.ReadBytesAsync(1150, 1420);
        Assert.True(h5.Statistics.Requests > after);
    }

    [Fact]
    public async Task Rows_outside_a_dataset_are_refused()
    {
        await using var h5 = await Hdf5File.OpenAsync(Truth.Fixture("latest.h5"));
        var d = await h5.GetDatasetAsync("/layouts/ea_gzip");
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ChunkPrefetch.FetchAsync([new DatasetRows(d, 10, 3001)]));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ChunkPrefetch.FetchAsync([new DatasetRows(d, 10, 5)]));
    }
}
