using System.IO.Compression;
using System.Text.Json;
using Xunit;

namespace Zagg.Hdf5.Tests;

/// <summary>What h5py (libhdf5 1.10.8) read from the files of tools/fixtures/hdf5_wild.py (Fixtures/wild).</summary>
internal static class WildTruth
{
    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "wild", name);

    public static JsonElement Meta { get; } = JsonDocument.Parse(File.ReadAllText(Fixture("wild_truth.json"))).RootElement;

    private static readonly Lazy<Dictionary<string, (string Descr, long[] Shape, byte[] Data)>> Arrays = new(() =>
    {
        var result = new Dictionary<string, (string, long[], byte[])>();
        using var zip = ZipFile.OpenRead(Fixture("wild_truth.npz"));
        foreach (var entry in zip.Entries)
        {
            using var s = entry.Open();
            result[entry.FullName[..^4]] = Npy.Read(s);
        }
        return result;
    });

    public static (string Descr, long[] Shape, byte[] Data) Values(string key) => Arrays.Value[key];

    public static IEnumerable<string> Keys(string prefix) => Arrays.Value.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Order();
}

/// <summary>
/// Kind 1 of issue 15: H5Pset_chunk_opts(H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS) (data layout message version 4,
/// flag bit 0) makes libhdf5 store partial edge chunks unfiltered; they must read as h5py reads them.
/// </summary>
public class PartialEdgeChunkTests
{
    public static TheoryData<string> Datasets() => new(WildTruth.Keys("partial_edge/").Select(k => k["partial_edge".Length..]));

    [Theory]
    [MemberData(nameof(Datasets))]
    public async Task Partial_edge_chunks_stored_unfiltered_read_as_libhdf5_reads_them(string path)
    {
        await using var h5 = await Hdf5File.OpenAsync(WildTruth.Fixture("partial_edge.h5"));
        var d = await h5.GetDatasetAsync(path);
        var (descr, shape, data) = WildTruth.Values("partial_edge" + path);
        Assert.Equal(descr, d.Datatype.NumpyDescr);
        Assert.Equal(shape, d.Shape);
        Assert.Equal(data, await d.ReadBytesAsync());
        // Row ranges that end in, start in, and lie within the last (partial) chunk.
        long rows = shape[0], rowBytes = data.Length / rows;
        foreach (var (start, stop) in new[] { (0L, rows - 1), (rows - 1, rows), (1L, rows), (rows / 2, rows) })
            Assert.Equal(data.AsSpan((int)(start * rowBytes), (int)((stop - start) * rowBytes)).ToArray(), await d.ReadBytesAsync(start, stop));
    }

    [Fact]
    public async Task The_fixture_uses_the_indexes_that_take_filters()
    {
        await using var h5 = await Hdf5File.OpenAsync(WildTruth.Fixture("partial_edge.h5"));
        Assert.Equal("fixed-array", (await h5.GetDatasetAsync("/track_f8")).ChunkIndex);
        Assert.Equal("extensible-array", (await h5.GetDatasetAsync("/i4_shuffle_deflate_ea")).ChunkIndex);
        Assert.Equal("btree-v2", (await h5.GetDatasetAsync("/f4_2d_bt2")).ChunkIndex);
        Assert.Equal(["shuffle", "gzip(6)"], (await h5.GetDatasetAsync("/f4_2d")).Filters);
    }
}

/// <summary>
/// Kind 2 of issue 15: H5Pset_sizes. Every field is read with the size the specification names for it (offsets
/// or lengths), for every combination of 2, 4 and 8 bytes libhdf5 writes, in superblock versions 0–3.
/// </summary>
public class OffsetAndLengthSizeTests
{
    public static TheoryData<string> Files()
        => new(WildTruth.Meta.GetProperty("sizes").EnumerateObject().Where(p => p.Value.GetString() == "written").Select(p => p.Name));

    [Fact]
    public void Every_combination_is_there() => Assert.Equal(36, WildTruth.Meta.GetProperty("sizes").EnumerateObject().Count(p => p.Value.GetString() == "written"));

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Files_with_any_sizes_of_offsets_and_lengths_read_as_libhdf5_reads_them(string name)
    {
        await using var h5 = await Hdf5File.OpenAsync(WildTruth.Fixture(name + ".h5"));
        Assert.Equal(name[8] - '0', h5.FormatVersion);
        foreach (string path in new[] { "/g/chunked", "/contiguous" })
        {
            var d = await h5.GetDatasetAsync(path);
            var (descr, shape, data) = WildTruth.Values("sizes" + path);
            Assert.Equal(descr, d.Datatype.NumpyDescr);
            Assert.Equal(shape, d.Shape);
            Assert.Equal(data, await d.ReadBytesAsync());
        }
        var answer = await (await h5.GetGroupAsync("/g")).TryGetAttributeAsync("answer");
        Assert.NotNull(answer);
        Assert.Equal(BitConverter.ToInt64(WildTruth.Values("sizes/g@answer").Data), answer.GetNumbers<long>().Single());
        Assert.Equal(["/contiguous", "/g"], (await h5.Root.ChildrenAsync()).Select(c => c.Path));
    }
}

/// <summary>
/// Kind 3 of issue 15: a null dataspace (h5py.Empty) is told apart from a scalar; empty datasets and attributes
/// keep their shapes. Truth: wild_truth.json, written from what h5py reads ("null" where h5py gives h5py.Empty).
/// </summary>
public class NullAndEmptyDataspaceTests
{
    [Fact]
    public async Task Null_scalar_and_empty_datasets_are_told_apart()
    {
        await using var h5 = await Hdf5File.OpenAsync(WildTruth.Fixture("empty.h5"));
        foreach (var p in WildTruth.Meta.GetProperty("empty").EnumerateObject())
        {
            var d = await h5.GetDatasetAsync("/" + p.Name);
            if (p.Value.ValueKind == JsonValueKind.String)
            {
                Assert.Equal("null", p.Value.GetString());
                Assert.True(d.IsNull, p.Name);
                Assert.Equal(0, d.ElementCount);
                Assert.Empty(await d.ReadBytesAsync());
                continue;
            }
            Assert.False(d.IsNull, p.Name);
            Assert.Equal(p.Value.EnumerateArray().Select(x => x.GetInt64()), d.Shape);
            Assert.Equal(d.Shape.Length == 0 ? 8 : 0, (await d.ReadBytesAsync()).Length);
        }
    }

    [Fact]
    public async Task Pages_of_a_fixed_array_never_written_read_as_the_fill_value()
    {
        await using var h5 = await Hdf5File.OpenAsync(WildTruth.Fixture("empty.h5"));
        var d = await h5.GetDatasetAsync("/fa_unwritten_pages");
        Assert.Equal("fixed-array", d.ChunkIndex);
        Assert.Equal(WildTruth.Values("empty/fa_unwritten_pages").Data, await d.ReadBytesAsync());
        Assert.Equal(5, (await d.ChunksAsync()).Count);
    }

    [Fact]
    public async Task Null_and_empty_attributes_are_told_apart()
    {
        await using var h5 = await Hdf5File.OpenAsync(WildTruth.Fixture("empty.h5"));
        var attributes = (await h5.Root.AttributesAsync()).ToDictionary(a => a.Name);
        foreach (var p in WildTruth.Meta.GetProperty("empty_attributes").EnumerateObject())
        {
            var a = attributes[p.Name];
            bool isNull = p.Value.ValueKind == JsonValueKind.String;
            Assert.Equal(isNull, a.IsNull);
            if (!isNull) Assert.Equal(p.Value.EnumerateArray().Select(x => x.GetInt64()), a.Shape);
        }
        Assert.Empty(attributes["empty_2d_attr"].GetNumbers<double>());
        Assert.Equal([-3.0], attributes["scalar_attr"].GetNumbers<double>());
    }
}
