using Xunit;

namespace Zagg.Maps.Tests;

public class ColormapTests
{
    [Theory]
    // matplotlib: (viridis(0.0), viridis(1.0)) as 8-bit, e.g. matplotlib.colors.to_hex(cm.viridis(0)) = #440154.
    [InlineData("viridis", 0x44, 0x01, 0x54, 0xfd, 0xe7, 0x25)]
    [InlineData("magma", 0x00, 0x00, 0x04, 0xfc, 0xfd, 0xbf)]
    [InlineData("cividis", 0x00, 0x22, 0x4e, 0xfe, 0xe8, 0x38)]
    public void Ends_of_the_tables_are_matplotlibs(string name, int r0, int g0, int b0, int r1, int g1, int b1)
    {
        Assert.True(Colormap.TryGet(name, out var map));
        Assert.Equal(((byte)r0, (byte)g0, (byte)b0), map[0]);
        Assert.Equal(((byte)r1, (byte)g1, (byte)b1), map[255]);
    }

    [Fact]
    public void Every_shipped_table_loads() => Assert.All(Colormap.Names, n => Assert.True(Colormap.TryGet(n, out _)));

    [Fact]
    public void Unknown_names_are_refused() => Assert.False(Colormap.TryGet("jet", out _));

    [Theory]
    [InlineData(-5f, 0)]
    [InlineData(0f, 0)]
    [InlineData(0.5f, 128)]
    [InlineData(0.999f, 255)]
    [InlineData(1f, 255)]
    [InlineData(7f, 255)]
    public void Values_map_linearly_and_clamp(float v, int index) => Assert.Equal(index, Colormap.Index(v, 0, 1));

    [Fact]
    public void Percentiles_follow_numpys_linear_rule()
    {
        // numpy.percentile([1..100, nan], [2, 98]) over the finite values = [2.98, 98.02].
        var v = Enumerable.Range(1, 100).Select(i => (float)i).Append(float.NaN).ToArray();
        var (lo, hi) = ValueRange.Percentiles(v);
        Assert.Equal(2.98f, lo, 4);
        Assert.Equal(98.02f, hi, 4);
    }
}
