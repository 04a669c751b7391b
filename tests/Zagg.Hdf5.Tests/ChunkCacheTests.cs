using Xunit;

namespace Zagg.Hdf5.Tests;

/// <summary>
/// The decoded-chunk cache: a chunk two neighbouring row ranges share is fetched and decoded once,
/// reads through it give h5py's values, and it holds no more than its budget.
/// </summary>
public class ChunkCacheTests
{
    private const string Path = "/layouts/ea_gzip"; // 3000 float64 rows in 30 gzip chunks of 100

    private static long DataBytes(Hdf5File h5) => h5.Statistics.Bytes - h5.MetadataStatistics.Bytes;

    private static double[] Truth(string path, int start, int stop)
    {
        var (_, _, data) = Tests.Truth.Values(path);
        return Enumerable.Range(start, stop - start).Select(i => BitConverter.ToDouble(data, 8 * i)).ToArray();
    }

    [Theory]
    [MemberData(nameof(FixtureTests.Files), MemberType = typeof(FixtureTests))]
    public async Task Neighbouring_ranges_decode_their_shared_chunk_once(string file)
    {
        var cache = new Hdf5ChunkCache(1 << 20);
        await using var h5 = await Hdf5File.OpenAsync(Tests.Truth.Fixture(file));
        h5.ChunkCache = cache;
        h5.CoalesceGap = 0; // fetched bytes are then exactly the chunks' stored bytes
        var d = await h5.GetDatasetAsync(Path);

        long before = DataBytes(h5);
        Assert.Equal(Truth(Path, 1150, 1240), await d.ReadAsync<double>(1150, 1240)); // ends inside chunk 12
        Assert.Equal(0, cache.Hits);
        long between = DataBytes(h5);
        Assert.Equal(Truth(Path, 1240, 1290), await d.ReadAsync<double>(1240, 1290)); // starts and ends inside it
        Assert.Equal(between, DataBytes(h5)); // nothing fetched: chunk 12 came from the cache
        Assert.Equal(1, cache.Hits);
        Assert.Equal(Truth(Path, 1290, 1420), await d.ReadAsync<double>(1290, 1420)); // chunk 12 again, then 13 whole, then 14
        Assert.Equal(2, cache.Hits);
        // Chunks 11 to 14, each fetched once.
        Assert.Equal((await d.ChunksAsync()).Where(c => c.Offset[0] is >= 1100 and < 1500).Sum(c => c.StoredSize), DataBytes(h5) - before);
    }

    [Fact]
    public async Task Without_a_cache_the_shared_chunk_is_fetched_again()
    {
        await using var h5 = await Hdf5File.OpenAsync(Tests.Truth.Fixture("latest.h5"));
        var d = await h5.GetDatasetAsync(Path);
        var chunk12 = (await d.ChunksAsync()).Single(c => c.Offset[0] == 1200);
        await d.ReadAsync<double>(1150, 1240);
        long between = DataBytes(h5);
        await d.ReadAsync<double>(1240, 1290);
        Assert.Equal(chunk12.StoredSize, DataBytes(h5) - between);
    }

    [Fact]
    public async Task Chunks_read_whole_are_not_kept_and_the_budget_holds()
    {
        var cache = new Hdf5ChunkCache(2 * 100 * 8); // two decoded chunks
        await using var h5 = await Hdf5File.OpenAsync(Tests.Truth.Fixture("latest.h5"));
        h5.ChunkCache = cache;
        var d = await h5.GetDatasetAsync(Path);
        await d.ReadAsync<double>(1200, 1500); // three whole chunks
        Assert.Equal(0, cache.Bytes);
        for (int start = 5; start < 3000; start += 100)
        {
            Assert.Equal(Truth(Path, start, start + 50), await d.ReadAsync<double>(start, start + 50));
            Assert.InRange(cache.Bytes, 0, cache.CapacityBytes);
        }
        Assert.Equal(cache.CapacityBytes, cache.Bytes);
        // The two most recent chunks are the ones kept.
        long between = DataBytes(h5);
        await d.ReadAsync<double>(2810, 2850);
        await d.ReadAsync<double>(2910, 2950);
        Assert.Equal(between, DataBytes(h5));
        await d.ReadAsync<double>(2710, 2750);
        Assert.NotEqual(between, DataBytes(h5));
    }

    [Fact]
    public async Task A_cache_shared_by_files_forgets_a_file_when_it_closes()
    {
        var cache = new Hdf5ChunkCache(1 << 20);
        await using var kept = await Hdf5File.OpenAsync(Tests.Truth.Fixture("latest.h5"));
        kept.ChunkCache = cache;
        await (await kept.GetDatasetAsync(Path)).ReadAsync<double>(10, 20);
        long one = cache.Bytes;
        Assert.True(one > 0);
        var closed = await Hdf5File.OpenAsync(Tests.Truth.Fixture("earliest.h5"));
        closed.ChunkCache = cache;
        Assert.Equal(Truth(Path, 10, 20), await (await closed.GetDatasetAsync(Path)).ReadAsync<double>(10, 20));
        Assert.Equal(2, cache.Misses); // each file decodes its own chunk
        Assert.Equal(2 * one, cache.Bytes);
        await closed.DisposeAsync();
        Assert.Equal(one, cache.Bytes);
    }

    [Fact]
    public async Task Rows_of_a_two_dimensional_dataset_come_right_through_the_cache()
    {
        const string path = "/layouts/chunked_2d"; // 57 x 13 float64 in chunks of 10 x 4
        var cache = new Hdf5ChunkCache(1 << 20);
        await using var h5 = await Hdf5File.OpenAsync(Tests.Truth.Fixture("latest.h5"));
        h5.ChunkCache = cache;
        var d = await h5.GetDatasetAsync(path);
        var (_, _, truth) = Tests.Truth.Values(path);
        foreach (var (start, stop) in new[] { (3, 17), (17, 25), (25, 57), (0, 3) })
        {
            var rows = await d.ReadBytesAsync(start, stop);
            Assert.Equal(truth.AsSpan(start * 13 * 8, (stop - start) * 13 * 8).ToArray(), rows);
        }
        Assert.True(cache.Hits > 0);
    }
}
