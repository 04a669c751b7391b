using Xunit;
using Zagg.Hdf5.IO;

namespace Zagg.Hdf5.Tests;

/// <summary>A read fetches the chunks it needs and metadata, nothing else.</summary>
public class ByteCountTests
{
    [Theory]
    [MemberData(nameof(FixtureTests.Files), MemberType = typeof(FixtureTests))]
    public async Task A_one_percent_row_range_fetches_only_its_chunk_plus_metadata(string file)
    {
        await using var h5 = await Hdf5File.OpenAsync(Truth.Fixture(file));
        var d = await h5.GetDatasetAsync("/layouts/ea_gzip"); // 3000 rows in 30 gzip chunks of 100
        var chunks = await d.ChunksAsync();
        Assert.Equal(30, chunks.Count);
        long dataBefore = h5.Statistics.Bytes - h5.MetadataStatistics.Bytes;
        var part = await d.ReadAsync<double>(1210, 1240); // 1% of the rows, inside chunk 12
        long dataBytes = h5.Statistics.Bytes - h5.MetadataStatistics.Bytes - dataBefore;
        var needed = chunks.Single(c => c.Offset[0] == 1200);
        Assert.Equal(needed.StoredSize, dataBytes);
        long all = chunks.Sum(c => c.StoredSize);
        Assert.True(dataBytes * 20 < all, $"{dataBytes} of {all} stored bytes fetched for 1% of the rows");
        var (_, _, truth) = Truth.Values("/layouts/ea_gzip");
        Assert.Equal(BitConverter.ToDouble(truth, 8 * 1210), part[0]);
        // Metadata comes in cached blocks (a local file's are 4 KiB pages): a handful of requests, not one per structure.
        Assert.InRange(h5.MetadataStatistics.Requests, 1, 16);
    }

    [Fact]
    public async Task Metadata_is_read_in_pages_from_a_local_file_and_in_64_KiB_blocks_from_a_remote_one()
    {
        string path = Truth.Fixture("latest.h5");
        await using var local = await Hdf5File.OpenAsync(path);
        await using var remote = await Hdf5File.OpenAsync(new Remote(new FileByteSource(path)), ownsSource: true);
        foreach (var h5 in new[] { local, remote })
        {
            var d = await h5.GetDatasetAsync("/layouts/ea_gzip");
            await d.ChunksAsync();
        }
        // Every block but the file's last is whole: a local file's metadata is pages, a remote one's 64 KiB blocks.
        long fileLength = new FileInfo(path).Length;
        Assert.InRange(local.MetadataStatistics.Bytes, 1, local.MetadataStatistics.Requests * 4096L);
        Assert.True(local.MetadataStatistics.Bytes > (local.MetadataStatistics.Requests - 1) * 4096L || fileLength < 4096);
        Assert.InRange(remote.MetadataStatistics.Bytes, 1, remote.MetadataStatistics.Requests * 65536L);
        Assert.True(remote.MetadataStatistics.Bytes > (remote.MetadataStatistics.Requests - 1) * 65536L || fileLength < 65536);
        Assert.True(local.MetadataStatistics.Bytes < remote.MetadataStatistics.Bytes,
            $"local {local.MetadataStatistics.Bytes} bytes, remote {remote.MetadataStatistics.Bytes}");
    }

    /// <summary>A local file as a remote source would be seen (<see cref="IByteSource.IsLocal"/> false).</summary>
    private sealed class Remote(IByteSource inner) : IByteSource
    {
        public string Name => inner.Name;
        public long Length => inner.Length;
        public ByteSourceStatistics Statistics => inner.Statistics;
        public ValueTask ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken = default) => inner.ReadAsync(offset, destination, cancellationToken);
        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    [Fact]
    public async Task Neighbouring_chunks_are_fetched_in_one_request()
    {
        await using var h5 = await Hdf5File.OpenAsync(Truth.Fixture("latest.h5"));
        var d = await h5.GetDatasetAsync("/layouts/ea_gzip");
        var chunks = (await d.ChunksAsync()).Where(c => c.Offset[0] >= 500 && c.Offset[0] < 1500).OrderBy(c => c.Address).ToList();
        await d.ChunksAsync();
        long requestsBefore = h5.Statistics.Requests - h5.MetadataStatistics.Requests;
        await d.ReadBytesAsync(500, 1500);
        long requests = h5.Statistics.Requests - h5.MetadataStatistics.Requests - requestsBefore;
        Assert.Equal(10, chunks.Count);
        Assert.Equal(1, requests); // ten chunks within the coalescing gap: one ranged read
        h5.CoalesceGap = 0;
        long before2 = h5.Statistics.Requests - h5.MetadataStatistics.Requests;
        await d.ReadBytesAsync(500, 1500);
        long contiguousRuns = 1 + chunks.Zip(chunks.Skip(1)).Count(p => p.First.Address + p.First.StoredSize != p.Second.Address);
        Assert.Equal(contiguousRuns, h5.Statistics.Requests - h5.MetadataStatistics.Requests - before2);
    }
}

public class ConcurrencyTests
{
    [Theory]
    [MemberData(nameof(FixtureTests.Files), MemberType = typeof(FixtureTests))]
    public async Task Every_dataset_read_at_once_from_one_file_matches_h5py(string file)
    {
        await using var h5 = await Hdf5File.OpenAsync(Truth.Fixture(file));
        var paths = Truth.DatasetPaths().Where(p => !p.StartsWith("/unsupported/")).ToList();
        var reads = paths.Select(async p =>
        {
            var d = await h5.GetDatasetAsync(p);
            return d.Datatype.IsVariableLengthString ? null : await d.ReadBytesAsync();
        }).ToList();
        var results = await Task.WhenAll(reads);
        for (int i = 0; i < paths.Count; i++)
            if (results[i] is { } bytes) Assert.True(Truth.Values(paths[i]).Data.AsSpan().SequenceEqual(bytes), paths[i]);
        var strings = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ => await (await h5.GetDatasetAsync("/strings/vlen")).ReadStringsAsync()));
        Assert.All(strings, s => Assert.Equal(["x", "hello", "\u00e9t\u00e9"], s));
    }
}
