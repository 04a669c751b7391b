using Zagg.TestSupport;
using Xunit;
using Zagg.Hdf5.IO;

namespace Zagg.Hdf5.Tests;

/// <summary>
/// A read that fails once leaves nothing behind: whichever read of a file fails (superblock, object
/// headers, B-trees, heaps, chunk indexes, chunks), asking again gives the bytes a clean pass gives.
/// </summary>
public class TransientFailureTests
{
    private static async Task<Dictionary<string, byte[]>> ReadAllAsync(Hdf5File h5, bool retry)
    {
        var result = new Dictionary<string, byte[]>();
        foreach (string path in Truth.DatasetPaths().Where(p => !p.StartsWith("/unsupported/", StringComparison.Ordinal)))
        {
            try { result[path] = await (await h5.GetDatasetAsync(path)).ReadBytesAsync(); }
            catch (IOException) when (retry) { result[path] = await (await h5.GetDatasetAsync(path)).ReadBytesAsync(); }
        }
        return result;
    }

    [Theory]
    [MemberData(nameof(FixtureTests.Files), MemberType = typeof(FixtureTests))]
    public async Task A_failed_read_anywhere_is_not_remembered(string file)
    {
        var counting = new FileByteSource(Truth.Fixture(file));
        Dictionary<string, byte[]> clean;
        await using (var h5 = await Hdf5File.OpenAsync(counting))
            clean = await ReadAllAsync(h5, retry: false);
        long reads = counting.Statistics.Requests;
        await counting.DisposeAsync();
        Assert.True(reads > 3);

        for (long failAt = 1; failAt <= reads; failAt++)
        {
            long n = 0;
            long at = failAt;
            await using var source = new FailsOnce(new FileByteSource(Truth.Fixture(file)), () => Interlocked.Increment(ref n) == at);
            Hdf5File h5;
            try { h5 = await Hdf5File.OpenAsync(source); }
            catch (IOException) { h5 = await Hdf5File.OpenAsync(source); }
            await using (h5)
            {
                var again = await ReadAllAsync(h5, retry: true);
                Assert.Equal(clean.Keys, again.Keys);
                foreach (var (path, bytes) in clean) Assert.True(bytes.AsSpan().SequenceEqual(again[path]), $"{file}: read {failAt} failed, then {path} differs");
            }
            Assert.True(Interlocked.Read(ref n) >= at, $"{file}: read {failAt} was never made");
        }
    }
}

/// <summary>A local path that cannot be a granule says what it is, and that asking again will not help.</summary>
public class FileSourceOpenTests
{
    [Fact]
    public void A_folder_is_named_a_folder_not_access_denied()
    {
        string dir = Directory.CreateTempSubdirectory("zagg-granule").FullName;
        try
        {
            var e = Assert.Throws<Hdf5SourceException>(() => new FileByteSource(dir));
            Assert.Equal($"{dir}: a folder, not an HDF5 file", e.Message);
            Assert.False(e.IsTransient);
        }
        finally { Directory.Delete(dir); }
    }

    [Fact]
    public void A_missing_file_is_permanent_and_named()
    {
        string path = Path.Combine(Path.GetTempPath(), $"zagg-missing-{Guid.NewGuid():N}.h5");
        var e = Assert.Throws<Hdf5SourceException>(() => new FileByteSource(path));
        Assert.StartsWith($"{path}: cannot be opened: ", e.Message);
        Assert.False(e.IsTransient);
    }
}
