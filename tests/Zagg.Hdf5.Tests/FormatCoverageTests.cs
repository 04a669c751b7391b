using Xunit;

namespace Zagg.Hdf5.Tests;

/// <summary>The fixtures exercise the structures they are meant to: checked here, not assumed.</summary>
public class FormatCoverageTests
{
    [Theory]
    [InlineData("earliest.h5", 0)]
    [InlineData("v108.h5", 2)]
    [InlineData("latest.h5", 3)]
    public async Task Superblock_versions(string file, int version)
    {
        await using var h5 = await Hdf5File.OpenAsync(Truth.Fixture(file));
        Assert.Equal(version, h5.FormatVersion);
    }

    [Fact]
    public async Task The_latest_format_uses_every_v4_chunk_index()
    {
        await using var h5 = await Hdf5File.OpenAsync(Truth.Fixture("latest.h5"));
        async Task<string?> Index(string path) => (await h5.GetDatasetAsync(path)).ChunkIndex;
        Assert.Equal("single-chunk", await Index("/layouts/single_chunk"));
        Assert.Equal("implicit", await Index("/layouts/implicit"));
        Assert.Equal("fixed-array", await Index("/layouts/chunked_2d"));
        Assert.Equal("fixed-array", await Index("/layouts/fa_paged"));
        Assert.Equal("extensible-array", await Index("/layouts/ea_many"));
        Assert.Equal("extensible-array", await Index("/layouts/ea_gzip"));
        Assert.Equal("btree-v2", await Index("/layouts/unlimited_2d"));
        Assert.Equal("btree-v2", await Index("/layouts/bt2_gzip"));
        Assert.Equal("compact", (await h5.GetDatasetAsync("/layouts/compact")).Layout);
    }

    [Theory]
    [InlineData("earliest.h5")]
    [InlineData("v108.h5")] // HDF5 1.8 structures: link messages and dense groups, but layout v3 with v1 B-trees
    public async Task Older_formats_index_chunks_with_version_1_btrees(string file)
    {
        await using var h5 = await Hdf5File.OpenAsync(Truth.Fixture(file));
        foreach (string path in new[] { "/layouts/single_chunk", "/layouts/ea_many", "/layouts/unlimited_2d", "/layouts/fa_paged" })
            Assert.Equal("btree-v1", (await h5.GetDatasetAsync(path)).ChunkIndex);
        var names = await (await h5.GetGroupAsync("/many_links")).NamesAsync();
        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"d{i:00}"), names);
    }

    [Theory]
    [InlineData("earliest.h5")]
    [InlineData("v108.h5")]
    [InlineData("latest.h5")]
    public async Task Groups_list_their_members(string file)
    {
        await using var h5 = await Hdf5File.OpenAsync(Truth.Fixture(file));
        var root = await h5.Root.NamesAsync();
        Assert.Equal(["empty_group", "fills", "filters", "gt1l", "gt2r", "layouts", "many_attrs", "many_links", "strings", "types", "unsupported"], root.Order());
        Assert.Empty(await (await h5.GetGroupAsync("/empty_group")).NamesAsync());
        Assert.Equal(12, (await (await h5.GetGroupAsync("/many_links")).NamesAsync()).Count);
        Assert.Equal(12, (await (await h5.GetGroupAsync("/many_attrs")).AttributesAsync()).Count);
        var lis = await (await h5.GetGroupAsync("/gt1l/land_ice_segments")).ChildrenAsync();
        Assert.Contains(lis, o => o is Hdf5Dataset { Path: "/gt1l/land_ice_segments/h_li" });
    }
}

/// <summary>Valid HDF5 this reader does not decode: listed, and refused by name, never misread.</summary>
public class UnsupportedFeatureTests
{
    [Theory]
    [InlineData("earliest.h5", "/unsupported/compound", "Compound")]
    [InlineData("latest.h5", "/unsupported/compound", "Compound")]
    [InlineData("latest.h5", "/unsupported/enum", "Enumerated")]
    public async Task Reading_names_the_feature_and_the_path(string file, string path, string feature)
    {
        await using var h5 = await Hdf5File.OpenAsync(Truth.Fixture(file));
        var d = await h5.GetDatasetAsync(path);
        Assert.False(d.Datatype.IsSupported);
        var e = await Assert.ThrowsAsync<Hdf5UnsupportedException>(() => d.ReadBytesAsync());
        Assert.Contains(path, e.Message);
        Assert.Contains(feature, e.Message);
        await Assert.ThrowsAsync<Hdf5Exception>(() => d.ReadAsync<double>());
    }
}

/// <summary>Superblock version 1, written by the C API (tools/fixtures/superblock1.c) since h5py cannot ask for it.</summary>
public class Superblock1Tests
{
    [Fact]
    public async Task A_version_1_superblock_file_reads_like_h5py_reads_it()
    {
        await using var h5 = await Hdf5File.OpenAsync(Truth.Fixture("superblock1.h5"));
        Assert.Equal(1, h5.FormatVersion);
        using var zip = System.IO.Compression.ZipFile.OpenRead(Truth.Fixture("superblock1.npz"));
        foreach (var entry in zip.Entries)
        {
            using var s = entry.Open();
            var (descr, shape, data) = Npy.Read(s);
            var d = await h5.GetDatasetAsync("/" + entry.FullName[..^4]);
            Assert.Equal(shape, d.Shape);
            Assert.Equal(descr, d.Datatype.NumpyDescr);
            Assert.Equal(data, await d.ReadBytesAsync());
        }
        Assert.Equal(2, zip.Entries.Count);
    }
}

/// <summary>Files from HDF5 before 1.6 carry only the old fill value message; made here by blanking the new one.</summary>
public class OldFillValueTests
{
    [Fact]
    public async Task The_old_fill_value_message_alone_fills_unwritten_chunks()
    {
        byte[] bytes = File.ReadAllBytes(Truth.Fixture("earliest.h5"));
        ulong address;
        await using (var h5 = await Hdf5File.OpenAsync(Truth.Fixture("earliest.h5")))
            address = (await h5.GetDatasetAsync("/fills/partial")).Address;
        // Version 1 object header: 16-byte prefix, then messages of type(2) size(2) flags(1) reserved(3) data.
        int at = (int)address + 16, blanked = 0;
        int count = BitConverter.ToUInt16(bytes, (int)address + 2);
        for (int m = 0; m < count; m++)
        {
            int type = BitConverter.ToUInt16(bytes, at), size = BitConverter.ToUInt16(bytes, at + 2);
            if (type == 0x0005) { bytes[at] = 0; bytes[at + 1] = 0; blanked++; }
            at += 8 + size;
        }
        Assert.Equal(1, blanked);
        await using var patched = await Hdf5File.OpenAsync(new IO.MemoryByteSource(bytes, "earliest-old-fill.h5"));
        var d = await patched.GetDatasetAsync("/fills/partial");
        Assert.Equal(BitConverter.GetBytes(-9999f), d.FillValue!.Value.ToArray());
        Assert.Equal(Truth.Values("/fills/partial").Data, await d.ReadBytesAsync());
    }
}
