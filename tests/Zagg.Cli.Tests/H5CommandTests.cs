using Xunit;
using Zagg.Hdf5;

namespace Zagg.Cli.Tests;

public class H5CommandTests
{
    private static string Fixture => Path.Combine(AppContext.BaseDirectory, "Fixtures", "latest.h5");

    [Fact]
    public void Ls_lists_groups_and_datasets_with_their_storage()
    {
        var r = CliRunner.Run("h5", "ls", Fixture, "--attributes");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("/gt1l/land_ice_segments/\n", r.Out);
        Assert.Contains("/gt1l/land_ice_segments/h_li  <f4  (5003,)  chunked  chunks (1000,) (fixed-array)  shuffle+gzip(6)\n", r.Out);
        Assert.Contains("/layouts/ea_many  <i4  (1400,)  chunked  chunks (2,) (extensible-array)  max (unlimited,)", r.Out);
        Assert.Contains("/types/be_f8  >f8  (1000,)  contiguous\n", r.Out);
        Assert.Contains("    @units = \"meters\"", r.Out);
        Assert.Contains("    @short_name = \"ATL06\"", r.Out);
    }

    [Fact]
    public async Task Read_writes_npy_files_equal_to_the_library_read()
    {
        string dir = Directory.CreateTempSubdirectory("zagg-h5").FullName;
        try
        {
            var r = CliRunner.Run("h5", "read", Fixture, "/types/be_i4", "gt1l/land_ice_segments/latitude", "/strings/vlen", "/layouts/chunked_2d", "--slice", "1:-1", "--out", dir, "--verbose");
            Assert.Equal(0, r.ExitCode);
            Assert.Contains("fetched", r.Error);
            await using var h5 = await Hdf5File.OpenAsync(Fixture);
            var (descr, shape, data) = ReadNpy(Path.Combine(dir, "types", "be_i4.npy"));
            Assert.Equal(">i4", descr);
            Assert.Equal([998L], shape);
            Assert.Equal(await (await h5.GetDatasetAsync("/types/be_i4")).ReadBytesAsync(1, 999), data);
            (descr, shape, data) = ReadNpy(Path.Combine(dir, "layouts", "chunked_2d.npy"));
            Assert.Equal([55L, 13L], shape);
            Assert.Equal(await (await h5.GetDatasetAsync("/layouts/chunked_2d")).ReadBytesAsync(1, 56), data);
            (descr, shape, data) = ReadNpy(Path.Combine(dir, "strings", "vlen.npy"));
            Assert.Equal("|S5", descr);
            Assert.Equal("hello", System.Text.Encoding.UTF8.GetString(data).TrimEnd('\0'));
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>
    /// A reversed or empty slice follows NumPy and h5py (h5py 3.7: <c>d[5:2]</c> and <c>d[5:5]</c> give an empty
    /// array of the dataset's dtype, <c>d[20:30]</c> past the end too): an empty array of shape (0, …), not an error.
    /// </summary>
    [Theory]
    [InlineData("5:2")]
    [InlineData("5:5")]
    [InlineData("-2:-5")]
    [InlineData("2000:3000")]
    public void A_reversed_or_empty_slice_writes_an_empty_array_as_h5py_reads_it(string slice)
    {
        string dir = Directory.CreateTempSubdirectory("zagg-h5").FullName;
        try
        {
            var r = CliRunner.Run("h5", "read", Fixture, "/types/be_i4", "/layouts/chunked_2d", "--slice", slice, "--out", dir);
            Assert.Equal(0, r.ExitCode);
            var (descr, shape, data) = ReadNpy(Path.Combine(dir, "types", "be_i4.npy"));
            Assert.Equal(">i4", descr);
            Assert.Equal([0L], shape);
            Assert.Empty(data);
            (_, shape, data) = ReadNpy(Path.Combine(dir, "layouts", "chunked_2d.npy"));
            Assert.Equal([0L, 13L], shape);
            Assert.Empty(data);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData("5:2", 10, 5, 5)]
    [InlineData("-3:-1", 10, 7, 9)]
    [InlineData(":", 10, 0, 10)]
    [InlineData("20:30", 10, 10, 10)]
    [InlineData("-20:3", 10, 0, 3)]
    public void Slice_bounds_follow_numpy(string slice, long rows, long start, long stop) =>
        Assert.Equal((start, stop), Zagg.Cli.Commands.H5Commands.ParseSlice(slice, rows, scalar: false));

    [Fact]
    public void Read_of_every_dataset_by_default()
    {
        string dir = Directory.CreateTempSubdirectory("zagg-h5").FullName;
        try
        {
            var r = CliRunner.Run("h5", "read", Fixture, "--out", dir);
            Assert.Equal(0, r.ExitCode);
            Assert.True(Directory.GetFiles(dir, "*.npy", SearchOption.AllDirectories).Length > 60);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData(new[] { "h5", "ls", "/nonexistent.h5" }, "/nonexistent.h5: cannot be opened")]
    [InlineData(new[] { "h5", "read", "FIXTURE", "/nope", "--out", "/tmp/zagg-none" }, "no dataset /nope")]
    [InlineData(new[] { "h5", "read", "FIXTURE", "/types/i1", "--slice", "a:b", "--out", "/tmp/zagg-none" }, "'a' is not a whole number")]
    [InlineData(new[] { "h5", "read", "FIXTURE", "/layouts/scalar", "--slice", "1:2", "--out", "/tmp/zagg-none" }, "does not apply to a scalar")]
    public void Errors_name_what_is_wrong(string[] args, string message)
    {
        var r = CliRunner.Run(args.Select(a => a == "FIXTURE" ? Fixture : a).ToArray());
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(message, r.Error);
    }

    [Fact]
    public void A_file_that_is_not_hdf5_is_named()
    {
        string path = Path.GetTempFileName();
        File.WriteAllText(path, "not an hdf5 file at all, just text that is long enough to look at");
        try
        {
            var r = CliRunner.Run("h5", "ls", path);
            Assert.Equal(1, r.ExitCode);
            Assert.Contains($"{path}: not an HDF5 file", r.Error);
        }
        finally { File.Delete(path); }
    }

    private static string Granule => Path.Combine(AppContext.BaseDirectory, "demo", "ATL06_20240101000000_01012210_007_01.h5");

    /// <summary>A copy of the demo granule (written by libhdf5) damaged by <paramref name="damage"/>, in a fresh folder.</summary>
    private static string Damaged(string name, Func<byte[], byte[]> damage)
    {
        string dir = Directory.CreateTempSubdirectory("zagg-h5-damaged").FullName;
        string path = Path.Combine(dir, name);
        File.WriteAllBytes(path, damage(File.ReadAllBytes(Granule)));
        return path;
    }

    /// <summary>The whole of stderr is one line "zagg: error: FILE: …" (no stack trace), and the exit code is 1.</summary>
    private static void AssertOneLineError(CliResult r, string file, string what)
    {
        Assert.Equal(1, r.ExitCode);
        var lines = r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, "stderr has more than one line:\n" + r.Error);
        Assert.StartsWith($"zagg: error: {file}: ", lines[0]);
        Assert.Contains(what, lines[0]);
        Assert.DoesNotContain("   at ", r.Error);
    }

    // libhdf5 1.10.8 (h5py) refuses these three with "truncated file: eof = N, sblock->base_addr = 0, stored_eof = 420502".
    [Theory]
    [InlineData("ls", 96)]
    [InlineData("read", 96)]
    [InlineData("ls", 50)]
    [InlineData("read", 50)]
    [InlineData("ls", 90)]
    [InlineData("read", 90)]
    public void A_cut_granule_is_refused_at_open_in_one_line(string verb, int keep)
    {
        long size = new FileInfo(Granule).Length;
        int length = keep == 96 ? 96 : (int)(size * keep / 100);
        string path = Damaged($"cut{keep}.h5", b => b[..length]);
        try
        {
            string[] args = verb == "ls" ? ["h5", "ls", path] : ["h5", "read", path, "--out", Path.Combine(Path.GetDirectoryName(path)!, "out")];
            var r = CliRunner.Run(args);
            AssertOneLineError(r, path, $"truncated file: eof = {length}, stored_eof = {size}");
            Assert.False(Directory.Exists(Path.Combine(Path.GetDirectoryName(path)!, "out")));
        }
        finally { Directory.Delete(Path.GetDirectoryName(path)!, true); }
    }

    [Fact]
    public void A_cut_granule_is_refused_even_where_the_bytes_a_read_needs_exist()
    {
        // The first chunk of this dataset lies in the first 10 % of the file, yet the file is refused as libhdf5 does.
        long size = new FileInfo(Granule).Length;
        string path = Damaged("cut90.h5", b => b[..(int)(size * 9 / 10)]);
        try
        {
            var r = CliRunner.Run("h5", "read", path, "/gt1l/land_ice_segments/atl06_quality_summary", "--slice", "0:10", "--out", Path.Combine(Path.GetDirectoryName(path)!, "out"));
            AssertOneLineError(r, path, "truncated file: eof = ");
        }
        finally { Directory.Delete(Path.GetDirectoryName(path)!, true); }
    }

    /// <summary>Overwrites the middle of the first stored chunk of a deflated dataset (libhdf5: "inflate() failed").</summary>
    private static async Task<string> WithCorruptChunk()
    {
        long address, stored;
        await using (var h5 = await Hdf5File.OpenAsync(Granule))
        {
            var chunk = (await (await h5.GetDatasetAsync("/gt1l/land_ice_segments/atl06_quality_summary")).ChunksAsync())[0];
            (address, stored) = (chunk.Address, chunk.StoredSize);
        }
        return Damaged("chunk.h5", b =>
        {
            b.AsSpan((int)address + 10, (int)stored - 20).Fill(0xAB);
            return b;
        });
    }

    [Fact]
    public async Task A_corrupt_deflate_chunk_fails_the_read_in_one_line()
    {
        string path = await WithCorruptChunk();
        try
        {
            Assert.Equal(0, CliRunner.Run("h5", "ls", path).ExitCode); // the metadata is intact
            var r = CliRunner.Run("h5", "read", path, "/gt1l/land_ice_segments/atl06_quality_summary", "--out", Path.Combine(Path.GetDirectoryName(path)!, "out"));
            AssertOneLineError(r, path, "/gt1l/land_ice_segments/atl06_quality_summary: chunk at (0)");
            r = CliRunner.Run("h5", "read", path, "--out", Path.Combine(Path.GetDirectoryName(path)!, "all"));
            Assert.Equal(1, r.ExitCode);
            Assert.Contains($"zagg: error: {path}: /gt1l/land_ice_segments/atl06_quality_summary: chunk at (0)", r.Error);
            // The datasets read before the damaged one are not left behind as if the read had worked (nor their temporary files).
            Assert.Empty(Directory.GetFiles(Path.Combine(Path.GetDirectoryName(path)!, "all"), "*", SearchOption.AllDirectories));
            Assert.DoesNotContain(" -> ", r.Out);
        }
        finally { Directory.Delete(Path.GetDirectoryName(path)!, true); }
    }

    [Fact]
    public void A_damaged_group_fails_the_listing_walk_in_one_line()
    {
        // The last symbol table node ("SNOD") of the file loses its signature: the walk reaches it after listing others.
        string path = Damaged("group.h5", b =>
        {
            int at = b.AsSpan().LastIndexOf("SNOD"u8);
            Assert.True(at > 0);
            "XXXX"u8.CopyTo(b.AsSpan(at));
            return b;
        });
        try
        {
            var r = CliRunner.Run("h5", "ls", path);
            AssertOneLineError(r, path, "SNOD");
            Assert.Contains("/\n", r.Out);
            r = CliRunner.Run("h5", "read", path, "--out", Path.Combine(Path.GetDirectoryName(path)!, "out"));
            AssertOneLineError(r, path, "SNOD");
        }
        finally { Directory.Delete(Path.GetDirectoryName(path)!, true); }
    }

    [Fact]
    public void A_dataset_named_explicitly_that_cannot_be_read_exits_non_zero()
    {
        string dir = Directory.CreateTempSubdirectory("zagg-h5").FullName;
        try
        {
            var r = CliRunner.Run("h5", "read", Fixture, "/types/be_i4", "/unsupported/compound", "--out", dir);
            AssertOneLineError(r, Fixture, "/unsupported/compound: datatype");
            Assert.Empty(Directory.GetFiles(dir, "*.npy", SearchOption.AllDirectories)); // refused before writing anything
            r = CliRunner.Run("h5", "read", Fixture, "--out", dir); // not named: skipped with a message
            Assert.Equal(0, r.ExitCode);
            Assert.Contains("zagg: skipping /unsupported/compound", r.Error);
        }
        finally { Directory.Delete(dir, true); }
    }

    private static string Wild(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "wild", name);

    [Fact]
    public void Null_dataspaces_are_listed_as_null_and_empty_ones_with_their_shape()
    {
        var r = CliRunner.Run("h5", "ls", Wild("empty.h5"), "--attributes");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("/null_f8  <f8  null  ", r.Out);
        Assert.Contains("/scalar_f8  <f8  ()  ", r.Out);
        Assert.Contains("/zero_by_3_chunked  |u1  (0, 3)  chunked", r.Out);
        Assert.Contains("    @null_attr = null (<f4)\n", r.Out);
        Assert.Contains("    @empty_attr = [] (0,) (<i4)\n", r.Out);
        Assert.Contains("    @empty_2d_attr = [] (0, 2) (<f8)\n", r.Out);
        Assert.Contains("    @scalar_attr = -3\n", r.Out);
    }

    [Fact]
    public void Empty_datasets_are_written_as_numpy_writes_them_and_null_ones_skipped()
    {
        string dir = Directory.CreateTempSubdirectory("zagg-h5").FullName;
        try
        {
            var r = CliRunner.Run("h5", "read", Wild("empty.h5"), "--out", dir);
            Assert.Equal(0, r.ExitCode);
            Assert.Contains("zagg: skipping /null_f8: null dataspace (no data)", r.Error);
            Assert.Contains("zagg: skipping /null_i4: null dataspace (no data)", r.Error);
            // Truth: the bytes numpy.save wrote for what h5py read from each dataset (Fixtures/wild/empty_npy).
            var expected = Directory.GetFiles(Wild("empty_npy"), "*.npy").Select(f => Path.GetFileName(f)).Order().ToArray();
            Assert.Equal(6, expected.Length);
            Assert.Subset(Directory.GetFiles(dir, "*.npy").Select(f => Path.GetFileName(f)).ToHashSet(), expected.ToHashSet());
            Assert.False(File.Exists(Path.Combine(dir, "null_f8.npy")));
            foreach (string name in expected)
                Assert.Equal(File.ReadAllBytes(Path.Combine(Wild("empty_npy"), name)), File.ReadAllBytes(Path.Combine(dir, name)));
            r = CliRunner.Run("h5", "read", Wild("empty.h5"), "/null_f8", "--out", dir); // named explicitly: still no array
            Assert.Equal(0, r.ExitCode);
            Assert.Contains("zagg: skipping /null_f8: null dataspace (no data)", r.Error);
            Assert.False(File.Exists(Path.Combine(dir, "null_f8.npy")));
        }
        finally { Directory.Delete(dir, true); }
    }

    private static string Strings(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "strings", name);

    [Fact]
    public void Fixed_length_strings_are_written_and_listed_as_h5py_reads_them_whatever_their_padding()
    {
        string dir = Directory.CreateTempSubdirectory("zagg-h5").FullName;
        try
        {
            var r = CliRunner.Run("h5", "read", Strings("strings.h5"), "--out", dir);
            Assert.Equal(0, r.ExitCode);
            // Truth: the bytes numpy.save wrote for what h5py read from each dataset (Fixtures/strings/strings_npy).
            var expected = Directory.GetFiles(Strings("strings_npy"), "*.npy").Select(f => Path.GetFileName(f)).Order().ToArray();
            Assert.Equal(18, expected.Length);
            foreach (string name in expected)
                Assert.Equal(File.ReadAllBytes(Path.Combine(Strings("strings_npy"), name)), File.ReadAllBytes(Path.Combine(dir, name)));
        }
        finally { Directory.Delete(dir, true); }
        var ls = CliRunner.Run("h5", "ls", Strings("strings.h5"), "--attributes");
        Assert.Equal(0, ls.ExitCode);
        // As h5py gives them: null-terminated up to the first null, space-padded without trailing spaces.
        Assert.Contains("    @nullterm_ascii = [\"abcdefgh\", \"ab\", \"\", \"a b  \", \"ab\", \"\", \"ab  \", \"é€\", \"éeé€\"]\n", ls.Out);
        Assert.Contains("    @spacepad_utf8 = [\"abcdefgh\", \"ab\", \"\", \"a b\", \"ab\\x00cd\", \"\\x00abc\", \"ab  \", \"é€\", \"éeé€\"]\n", ls.Out);
        Assert.Contains("    @spacepad_ascii_scalar = \"x y\"\n", ls.Out);
        Assert.Contains("    @vlen_utf8 = \"héllo wörld\"\n", ls.Out);
    }

    private static (string, long[], byte[]) ReadNpy(string path)
    {
        using var s = File.OpenRead(path);
        return Npy.Read(s);
    }

    [Fact]
    public void A_granule_whose_dimensions_claim_more_than_one_read_holds_is_one_line_naming_the_dataset()
    {
        // A demo granule with its 1-D datasets' dimension and maximum (each length n stored as the pair n, n) set to
        // 2^31 elements: the header parses, a read of the whole dataset cannot be one array.
        string demo = Path.Combine(AppContext.BaseDirectory, "demo", "ATL06_20240101000000_01012210_007_01.h5");
        byte[] bytes = File.ReadAllBytes(demo);
        var r0 = CliRunner.Run("h5", "ls", demo);
        var m = System.Text.RegularExpressions.Regex.Match(r0.Out, @"/gt1l/land_ice_segments/latitude  <f8  \((\d+),\)");
        Assert.True(m.Success, r0.Out);
        ulong n = ulong.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        byte[] pair = [.. BitConverter.GetBytes(n), .. BitConverter.GetBytes(n)], huge = [.. BitConverter.GetBytes(1UL << 31), .. BitConverter.GetBytes(1UL << 31)];
        int patched = 0;
        for (int at = bytes.AsSpan().IndexOf(pair); at >= 0; at = bytes.AsSpan(at + 16).IndexOf(pair) is int next and >= 0 ? at + 16 + next : -1)
        {
            huge.CopyTo(bytes, at);
            patched++;
        }
        Assert.True(patched > 0);
        string dir = Directory.CreateTempSubdirectory("zagg-h5-huge").FullName;
        try
        {
            string file = Path.Combine(dir, Path.GetFileName(demo));
            File.WriteAllBytes(file, bytes);
            var r = CliRunner.Run("catalog", "--files", file, "--output", Path.Combine(dir, "c.json"));
            Assert.Equal(1, r.ExitCode);
            Assert.Contains("/land_ice_segments/", r.Error);
            Assert.Contains($"rows 0 to {1L << 31} hold more than the {Array.MaxLength} bytes one read can return: a damaged dimension, or a dataset beyond this reader", r.Error);
            Assert.Single(r.Error.TrimEnd('\n').Split('\n'));
            Assert.False(File.Exists(Path.Combine(dir, "c.json")));
        }
        finally { Directory.Delete(dir, true); }
    }
}
