using Xunit;
using Zagg.Pipeline.Aggregation;

namespace Zagg.Pipeline.Tests;

/// <summary>The gathered points keep each column in its source dtype, widening one that meets a float64 later.</summary>
public class GatheredPointsTests
{
    [Fact]
    public void A_float32_column_stays_float32_until_a_float64_granule_widens_it_exactly()
    {
        using var g = new GatheredPoints(2);
        long[] cells = [5, -1, 6, 7, 70]; // parent 1 at depth 1 (shift 2): children 4–7; −1 and 70 lie elsewhere
        Assert.True(g.ReadsSingle(0, sourceIsSingle: true));
        Assert.False(g.ReadsSingle(1, sourceIsSingle: false));
        g.Add(cells, 1, 2, 4, [[0.1f, 9f, 0.2f, 0.3f, 9f], null], [null, [1, 9, 2, 3, 9]], quality: [0, 0, 1, 0, 0], good: 0);
        Assert.Equal(2, g.Count); // 6 fails the quality filter
        Assert.Equal([1, 3], g.Child[..2]);
        Assert.NotNull(g.Singles[0]);
        Assert.Equal((double)0.3f, g.Value(0, 1));
        Assert.False(g.ReadsSingle(0, sourceIsSingle: false)); // a float64 granule: the column widens
        Assert.Null(g.Singles[0]);
        Assert.Equal([(double)0.1f, (double)0.3f], g.Doubles[0]![..2]);
        g.Add(cells.AsSpan(0, 1), 1, 2, 4, [null, null], [[0.5], [4]], quality: null, good: 0);
        Assert.Equal([(double)0.1f, (double)0.3f, 0.5], g.Doubles[0]![..3]);
        Assert.Equal([1.0, 3, 4], g.Doubles[1]![..3]);
        Assert.False(g.ReadsSingle(1, sourceIsSingle: true)); // a double column is not narrowed
    }

    [Fact]
    public void Growing_keeps_every_point()
    {
        using var g = new GatheredPoints(1);
        var cells = new long[5000];
        var values = new float[5000];
        for (int i = 0; i < cells.Length; i++) { cells[i] = 4 + i % 4; values[i] = i; }
        for (int round = 0; round < 3; round++)
        {
            Assert.True(g.ReadsSingle(0, sourceIsSingle: true));
            g.Add(cells, 1, 2, 4, [values], [null], quality: null, good: 0);
        }
        Assert.Equal(15000, g.Count);
        for (int i = 0; i < g.Count; i++)
        {
            Assert.Equal(i % 5000 % 4, g.Child[i]);
            Assert.Equal(i % 5000, g.Value(0, i));
        }
    }
}
