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

    private static (string, long[], byte[]) ReadNpy(string path)
    {
        using var s = File.OpenRead(path);
        return Npy.Read(s);
    }
}
