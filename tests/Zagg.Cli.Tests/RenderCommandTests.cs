using System.Buffers.Binary;
using Xunit;
using Zagg.Grid;
using Zagg.Pipeline.Output;
using Zagg.Zarr;
using Zagg.Zarr.Stores;

namespace Zagg.Cli.Tests;

/// <summary><c>zagg render</c>: its defaults, its outputs, and one clear line for every wrong input with no file left.</summary>
public sealed class RenderCommandTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("zagg-render").FullName;
    private string Store => Path.Combine(_dir, "s.zarr");

    public async Task InitializeAsync()
    {
        // Three parent cells of order 4 near the South Pole, compact layout, child order 7: h_mean = 1000 + child index.
        long[] parents = [GeoGrid.Locate(-75, 10, 4), GeoGrid.Locate(-80, 100, 4), GeoGrid.Locate(-72, -60, 4)];
        var store = await DggsStore.CreateAsync(new LocalStore(Store), new DggsTemplate
        {
            ParentOrder = 4, ChildOrder = 7, ParentCellCount = 3,
            Variables = [new("count", ZarrDataType.Int32), new("h_mean", ZarrDataType.Float32)],
        });
        for (int i = 0; i < 3; i++)
        {
            var count = new byte[64 * 4];
            var mean = new byte[64 * 4];
            for (int k = 0; k < 64; k++)
            {
                BitConverter.TryWriteBytes(count.AsSpan(k * 4), k + 1);
                BitConverter.TryWriteBytes(mean.AsSpan(k * 4), 1000f + k);
            }
            await store.WriteCellAsync(parents[i], i, new Dictionary<string, byte[]> { ["count"] = count, ["h_mean"] = mean });
        }
        await store.ConsolidateAsync();
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_dir, true);
        return Task.CompletedTask;
    }

    [Fact]
    public void Renders_a_PNG_with_sensible_defaults()
    {
        string png = Path.Combine(_dir, "m.png");
        var r = CliRunner.Run("render", Store, "--out", png);
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Contains("h_mean at order 7", r.Out);
        Assert.Contains("EPSG:3031", r.Out); // every cell is south of 50°S
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(png)[..4]);
    }

    [Fact]
    public void Renders_a_GeoTIFF_in_the_chosen_projection_and_variable()
    {
        string tif = Path.Combine(_dir, "m.tif");
        var r = CliRunner.Run("render", Store, "--variable", "count", "--projection", "equirect", "--resolution", "0.1deg", "--out", tif);
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Contains("count at order 7", r.Out);
        var bytes = File.ReadAllBytes(tif);
        Assert.Equal((byte)'I', bytes[0]);
        Assert.Equal(42, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(2)));
    }

    [Theory]
    [InlineData("no variable 'h_nope' in ", "--variable", "h_nope")]
    [InlineData("holds order 7", "--order", "9")]
    [InlineData("--bbox 1,2,3", "--bbox", "1,2,3")]
    [InlineData("xmin < xmax", "--bbox", "5,0,1,1")]
    [InlineData("--projection mercator", "--projection", "mercator")]
    [InlineData("--colormap jet", "--colormap", "jet")]
    [InlineData("--range 5,1", "--range", "5,1")]
    [InlineData("--resolution 2 parsecs", "--resolution", "2 parsecs")]
    [InlineData("is given in metres", "--resolution", "0.1deg")]
    [InlineData("pixels is more than", "--resolution", "1m")]
    public void Wrong_input_is_one_line_and_no_file(string expected, string option, string value)
    {
        string png = Path.Combine(_dir, "bad.png");
        var r = CliRunner.Run("render", Store, option, value, "--out", png);
        Assert.Equal(1, r.ExitCode);
        Assert.Single(r.Error.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("zagg: error: ", r.Error);
        Assert.Contains(expected, r.Error);
        Assert.DoesNotContain("(Parameter", r.Error);
        Assert.False(File.Exists(png));
        Assert.Empty(Directory.GetFiles(_dir, "*bad*"));
    }

    [Fact]
    public void A_store_that_is_not_one_is_one_line()
    {
        string png = Path.Combine(_dir, "none.png");
        var r = CliRunner.Run("render", Path.Combine(_dir, "nothing.zarr"), "--out", png);
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith("zagg: error: ", r.Error);
        Assert.Contains("nothing.zarr: no Zarr store here (no zarr.json)", r.Error);
        Assert.False(File.Exists(png));
    }

    [Fact]
    public void An_output_that_is_neither_png_nor_tif_is_refused()
    {
        var r = CliRunner.Run("render", Store, "--out", Path.Combine(_dir, "m.jpg"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("must end in .png or .tif", r.Error);
    }
}
