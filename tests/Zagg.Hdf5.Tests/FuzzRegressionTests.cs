using System.Text.Json;
using Xunit;

namespace Zagg.Hdf5.Tests;

/// <summary>
/// Cases the fuzz campaigns found this reader wrong on (Fixtures/fuzz/found: the mutated files as the campaign wrote
/// them), with libhdf5's verdict on each recorded by tools/fixtures/fuzz_found.py in truth.json: its error (or a
/// crash), or the values it reads. Where libhdf5 does not read a file, this reader must refuse it with an
/// <see cref="Hdf5Exception"/> naming what is wrong; where libhdf5 reads it, this reader must read the same values.
/// </summary>
public class FuzzRegressionTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "fuzz", "found");

    private static readonly Dictionary<string, JsonElement> Truth =
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(File.ReadAllText(Path.Combine(Folder, "truth.json")))!;

    private static byte[] Load(string file) => File.ReadAllBytes(Path.Combine(Folder, file));

    [Theory]
    // A filter pipeline message listing no filters: libhdf5 fails allocating its zero entries (H5O__pline_decode).
    [InlineData("structure-15-14530.h5", "filter pipeline message lists no filters")]
    // Fill value message flags 0xFF: bits 6-7 are reserved; libhdf5: "unknown flag for fill value message".
    [InlineData("structure-15-30170.h5", "unknown flag bits 0xC0 in fill value message")]
    // A dense attribute's heap ID claims a tiny object longer than the ID (was an ArgumentOutOfRangeException).
    [InlineData("structure-15-35729.h5", "tiny object of 15 bytes is longer than its 8-byte heap ID")]
    // The same in a dense link's heap ID; libhdf5 crashes (signal 11) on this file.
    [InlineData("structure-15-37095.h5", "tiny object of 10 bytes is longer than its 7-byte heap ID")]
    // A fixed array data block's client id 0 under a header of client 1 (libhdf5: "incorrect fixed array class").
    [InlineData("structure-15-312830.h5", "client id 0 differs from the header's 1")]
    // A fixed array data block naming another header (libhdf5: "wrong fixed array header address").
    [InlineData("structure-16-417750.h5", "names the header at")]
    // The superblock's end-of-file address set to 16 and 15, before the root object header at 24: libhdf5 refuses the
    // header, "address of object past end of allocation" (H5C__verify_len_eoa), though the file's 2,523 bytes hold it.
    [InlineData("structure-17-358230.h5", "object header of / at 24: address 24 is past the end of allocation (EOA 16")]
    [InlineData("structure-17-485510.h5", "object header of / at 24: address 24 is past the end of allocation (EOA 15")]
    // /g/chunked's deflate filter with no client value, and with level 2147483648 (the last seed-17 kind: libhdf5's
    // H5Z__filter_deflate refuses both, "invalid deflate aggression level"; PureHDF and this reader inflated them).
    [InlineData("structure-17-303150.h5", "deflate filter's client data () is not one compression level of 0–9")]
    [InlineData("structure-17-446830.h5", "deflate filter's client data (2147483648) is not one compression level of 0–9")]
    // The same rules on a hand-made file (tools/fixtures/hdf5_filter_params.py), and shuffle's (H5Z__filter_shuffle).
    [InlineData("filter_deflate_level10.h5", "/x: chunk at (0): deflate filter's client data (10) is not one compression level of 0–9")]
    [InlineData("filter_deflate_no_level.h5", "deflate filter's client data () is not one compression level")]
    [InlineData("filter_shuffle_size0.h5", "/x: chunk at (0): shuffle filter's client data (0) is not one element size over 0")]
    [InlineData("filter_shuffle_no_size.h5", "shuffle filter's client data () is not one element size over 0")]
    // A deflated chunk whose zlib header asks for a preset dictionary (random seed 19, one of 8 such cases in 1 M): zlib
    // answers Z_NEED_DICT, which .NET raises as a ZLibException — it escaped as one; libhdf5: "inflate() failed".
    [InlineData("random-19-449430.h5", "deflated chunk is corrupt")]
    // A deflated chunk whose zlib header names another compression method: InvalidDataException (not an IOException).
    [InlineData("random-19-5.h5", "deflated chunk is corrupt")]
    // A damaged deflate stream (CI random seed 20261121, case 28: one byte of a chunk): .NET raises InvalidDataException,
    // which is not an IOException — it escaped when the catch was widened to IOException for the case above.
    [InlineData("random-20261121-28.h5", "deflated chunk is corrupt")]
    public async Task A_file_libhdf5_does_not_read_is_refused_with_an_Hdf5Exception(string file, string message)
    {
        Assert.Equal(JsonValueKind.String, Truth[file].ValueKind); // libhdf5's error, not values
        var e = await Assert.ThrowsAnyAsync<Hdf5Exception>(() => OurReader.ReadAllAsync(Load(file), file, CancellationToken.None));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.StartsWith(file + ": ", e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// /implicit's maximum dimension set to 1,073,741,864 (134 M chunks of 8): the reader listed every chunk of the
    /// maximum grid and hung; libhdf5 reads the 40 values, its implicit index numbering chunks over the maximum
    /// dimensions but reading only those of the extent.
    /// </summary>
    [Fact]
    public async Task An_implicit_index_over_a_huge_maximum_dimension_reads_as_libhdf5_reads_it()
    {
        const string file = "structure-15-769042.h5";
        var values = await OurReader.ReadAllAsync(Load(file), file, CancellationToken.None);
        int compared = 0;
        foreach (var property in Truth[file].EnumerateObject())
        {
            Assert.Equal(property.Value.GetString(), Convert.ToHexString(values[property.Name].Bytes!));
            compared++;
        }
        Assert.True(compared >= 8, $"only {compared} datasets compared");
    }

    /// <summary>
    /// A v2 B-tree chunk record's scaled offset with its top bit set (1, 2^63): this reader wrapped it to the element
    /// offset of chunk (1, 0) and read it there. libhdf5 compares scaled offsets unsigned, so the records are out of
    /// order and its binary search misses chunk (1, 0): it reads the fill value there (truth.json). A tree whose records
    /// are out of order is refused as damaged (README: a structure libhdf5 would read otherwise than a plain walk).
    /// </summary>
    [Fact]
    public async Task A_v2_btree_record_out_of_unsigned_order_is_refused()
    {
        const string file = "structure-15-737210.h5";
        Assert.Equal(JsonValueKind.Object, Truth[file].ValueKind);
        var e = await Assert.ThrowsAnyAsync<Hdf5Exception>(() => OurReader.ReadAllAsync(Load(file), file, CancellationToken.None));
        Assert.Contains("/btree_v2", e.Message, StringComparison.Ordinal);
        Assert.Contains("beyond any dataspace", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Object header message flags (tools/fixtures/hdf5_message_flags.py): refused where libhdf5 refuses them.</summary>
    [Theory]
    [InlineData("flags_shared_dontshare.h5", "bad flag combination 0x07")]
    [InlineData("flags_was_unknown_unmarked.h5", "bad flag combination 0x21")]
    [InlineData("flags_was_unknown_fail_for_write.h5", "bad flag combination 0x39")]
    [InlineData("flags_shareable_layout.h5", "a class that cannot be shared, is flagged shareable")]
    [InlineData("flags_unknown_fail_always.h5", "message of unknown type 0x1A is flagged 'fail if unknown'")]
    [InlineData("flags_bogus_fail_always.h5", "message of unknown type 0x09 is flagged 'fail if unknown'")]
    public async Task Message_flags_libhdf5_refuses_are_refused(string file, string message)
    {
        Assert.Equal(JsonValueKind.String, Truth[file].ValueKind);
        var e = await Assert.ThrowsAnyAsync<Hdf5Exception>(() => OurReader.ReadAllAsync(Load(file), file, CancellationToken.None));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    /// <summary>Every found file libhdf5 reads whole is read with its values (message flags it accepts, the implicit index).</summary>
    [Theory]
    [InlineData("flags_unknown_fail_for_write.h5")]
    [InlineData("flags_was_unknown_marked.h5")]
    [InlineData("flags_shareable_pipeline.h5")]
    [InlineData("flags_known_fail_always.h5")]
    [InlineData("structure-15-769042.h5")]
    public async Task A_file_libhdf5_reads_is_read_with_its_values(string file)
    {
        var values = await OurReader.ReadAllAsync(Load(file), file, CancellationToken.None);
        int compared = 0;
        foreach (var property in Truth[file].EnumerateObject())
        {
            Assert.Equal(property.Value.GetString(), Convert.ToHexString(values[property.Name].Bytes!));
            compared++;
        }
        Assert.True(compared > 0);
    }

    /// <summary>
    /// Structure campaign, seed 20261121 case 6951: empty.h5's /zero_strings (shape (0,), |S4) with a datatype size of
    /// 4294967295. libhdf5 (h5py, tools/fixtures/fuzz_found.py) reads the file whole, its number datasets as before; the
    /// string padding change made the read of its 0 elements rent a buffer of -1 bytes (ArgumentOutOfRangeException).
    /// The type is now listed as oversized and never read; the rest of the file reads as libhdf5 reads it.
    /// </summary>
    [Fact]
    public async Task A_datatype_of_4_GiB_elements_is_listed_and_the_rest_read_as_libhdf5_reads_it()
    {
        var original = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "wild", "empty.h5"));
        var data = (byte[])original.Clone();
        var structure = await Hdf5Structure.WalkAsync(data);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(4404), uint.MaxValue);
        structure.FixChecksums(data, 4404, 4);
        var before = await OurReader.ReadAllAsync(original, "empty.h5", CancellationToken.None);
        var after = await OurReader.ReadAllAsync(data, "mutated.h5", CancellationToken.None);
        Assert.True(before.ContainsKey("/zero_strings"));
        Assert.Equal(before.Keys.Where(k => k != "/zero_strings").Order(), after.Keys.Order());
        foreach (var (path, values) in after) Assert.True(values.SameAs(before[path]), path);
        await using var h5 = await Hdf5File.OpenAsync(new Zagg.Hdf5.IO.MemoryByteSource(data, "mutated.h5"));
        var d = await h5.GetDatasetAsync("/zero_strings");
        Assert.True(d.Datatype.IsOversized);
        Assert.False(d.Datatype.IsSupported);
        Assert.Equal("string of over 2 GiB", d.Datatype.NumpyDescr);
        var e = await Assert.ThrowsAsync<Hdf5UnsupportedException>(() => d.ReadBytesAsync());
        Assert.Contains("string of over 2 GiB is not supported", e.Message);
    }

    /// <summary>
    /// Files 512 bytes longer than the end-of-file address their superblock records (tools/fixtures/hdf5_eoa.py), one
    /// address moved into those bytes: /x's object header (copied 16 past the EOA, or at it) or /x's contiguous data.
    /// libhdf5 refuses each (truth.json) and reads /y; so does this reader, naming the address and the EOA.
    /// </summary>
    [Theory]
    [InlineData("eoa_header.h5", "object header of /x at 2096: address 2096 is past the end of allocation (EOA 2080")]
    [InlineData("eoa_header_at.h5", "object header of /x at 2080: address 2080 is past the end of allocation (EOA 2080")]
    [InlineData("eoa_data.h5", "/x: address 2096 is past the end of allocation (EOA 2080")]
    public async Task An_object_past_the_end_of_allocation_is_refused_and_the_rest_read(string file, string message)
    {
        Assert.Equal(JsonValueKind.String, Truth[file].ValueKind);
        var data = Load(file);
        await using var h5 = await Hdf5File.OpenAsync(new Zagg.Hdf5.IO.MemoryByteSource(data, file));
        var e = await Assert.ThrowsAnyAsync<Hdf5Exception>(async () => await (await h5.GetDatasetAsync("/x")).ReadAsync<int>());
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.StartsWith(file + ": ", e.Message, StringComparison.Ordinal);
        Assert.Equal(new[] { 4, 5, 6, 7 }, await (await h5.GetDatasetAsync("/y")).ReadAsync<int>());
        Assert.Equal(2080 + 512, data.Length); // a file longer than its allocation opens and reads below it
    }

    /// <summary>
    /// A speculative metadata read stops at the end of allocation, as libhdf5 trims its speculative loads: eoa_header_at
    /// with its EOA moved to 8 bytes into /x's object header leaves 8 of its 16 prefix bytes (the header itself runs past
    /// the EOA), so it is refused (h5py: "bad object header chunk size"), and /y, below the EOA, reads.
    /// </summary>
    [Fact]
    public async Task An_object_header_running_past_the_end_of_allocation_is_refused()
    {
        var data = Load("eoa_header.h5");
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(40), 2096 + 8);
        await using var h5 = await Hdf5File.OpenAsync(new Zagg.Hdf5.IO.MemoryByteSource(data, "moved.h5"));
        var e = await Assert.ThrowsAnyAsync<Hdf5Exception>(() => h5.GetDatasetAsync("/x"));
        Assert.StartsWith("moved.h5: object header of /x at 2096", e.Message, StringComparison.Ordinal);
        Assert.Equal(new[] { 4, 5, 6, 7 }, await (await h5.GetDatasetAsync("/y")).ReadAsync<int>());
    }

    /// <summary>A stored end-of-file address left undefined (all bits set): libhdf5 refuses the file as truncated.</summary>
    [Fact]
    public async Task An_undefined_end_of_file_address_is_refused_as_truncated()
    {
        var data = Load("eoa_data.h5");
        data.AsSpan(40, 8).Fill(0xFF); // superblock 0, sizes 8: the end-of-file address
        var e = await Assert.ThrowsAsync<Hdf5Exception>(() => Hdf5File.OpenAsync(new Zagg.Hdf5.IO.MemoryByteSource(data, "undefined.h5")));
        Assert.StartsWith("undefined.h5: truncated file: eof = 2592, stored_eof = undefined", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_found_file_has_libhdf5s_verdict()
    {
        var files = Directory.GetFiles(Folder, "*.h5").Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(files, Truth.Keys.Order().ToArray());
    }
}
