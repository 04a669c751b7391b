using Xunit;
using Zagg.Pipeline.Aggregation;

namespace Zagg.Pipeline.Tests;

/// <summary>The gathered points keep each column in its source dtype, widening one that meets a float64 later.</summary>
public class GatheredPointsTests
{
    [Fact]
    public void A_float32_column_stays_float32_until_a_float64_granule_widens_it_exactly()
    {
        using var g = new GatheredPoints(2, depth: 1);
        long[] cells = [5, -1, 6, 7, 70]; // parent 1 at depth 1 (shift 2): children 4–7; −1 and 70 lie elsewhere
        Assert.True(g.ReadsSingle(0, sourceIsSingle: true));
        Assert.False(g.ReadsSingle(1, sourceIsSingle: false));
        g.Add(cells, 1, 2, 4, [[0.1f, 9f, 0.2f, 0.3f, 9f], null], [null, [1, 9, 2, 3, 9]], quality: [0, 0, 1, 0, 0], good: 0);
        Assert.Equal(2, g.Count); // 6 fails the quality filter
        Assert.Equal(1, g.Child(0));
        Assert.Equal(3, g.Child(1));
        Assert.NotNull(g.NarrowChild); // 4 children: 16-bit child indices
        Assert.NotNull(g.Singles[0]);
        Assert.Equal((double)0.3f, g.Value(0, 1));
        Assert.False(g.ReadsSingle(0, sourceIsSingle: false)); // a float64 granule: the column widens
        Assert.Null(g.Singles[0]);
        Assert.Equal([(double)0.1f, (double)0.3f], g.Doubles[0]!.Segment(0).ToArray());
        g.Add(cells.AsSpan(0, 1), 1, 2, 4, [null, null], [[0.5], [4]], quality: null, good: 0);
        Assert.Equal([(double)0.1f, (double)0.3f, 0.5], g.Doubles[0]!.Segment(0).ToArray());
        Assert.Equal([1.0, 3, 4], g.Doubles[1]!.Segment(0).ToArray());
        Assert.False(g.ReadsSingle(1, sourceIsSingle: true)); // a double column is not narrowed
    }

    [Fact]
    public void Growing_past_a_segment_keeps_every_point()
    {
        using var g = new GatheredPoints(1, depth: 1);
        var cells = new long[50000];
        var values = new float[50000];
        for (int i = 0; i < cells.Length; i++) { cells[i] = 4 + i % 4; values[i] = i; }
        for (int round = 0; round < 3; round++)
        {
            Assert.True(g.ReadsSingle(0, sourceIsSingle: true));
            g.Add(cells, 1, 2, 4, [values], [null], quality: null, good: 0);
        }
        Assert.Equal(150000, g.Count); // three segments of 64 Ki, the last partly filled
        Assert.Equal(3, g.Singles[0]!.Segments.Count);
        for (int i = 0; i < g.Count; i++)
        {
            Assert.Equal(i % 50000 % 4, g.Child(i));
            Assert.Equal(i % 50000, g.Value(0, i));
        }
    }

    [Fact]
    public void Child_indices_are_16_bits_up_to_depth_8_and_32_bits_deeper()
    {
        using var narrow = new GatheredPoints(1, depth: GatheredPoints.MaxNarrowDepth);
        using var wide = new GatheredPoints(1, depth: GatheredPoints.MaxNarrowDepth + 1);
        Assert.NotNull(narrow.NarrowChild);
        Assert.Null(wide.NarrowChild);
        // The last child of parent 0 at each depth: 4^8 − 1 fits 16 bits, 4^9 − 1 needs more.
        long[] lastNarrow = [(1L << 16) - 1], lastWide = [(1L << 18) - 1];
        Assert.True(narrow.ReadsSingle(0, sourceIsSingle: true));
        Assert.True(wide.ReadsSingle(0, sourceIsSingle: true));
        narrow.Add(lastNarrow, 0, 16, 0, [[1f]], [null], quality: null, good: 0);
        wide.Add(lastWide, 0, 18, 0, [[1f]], [null], quality: null, good: 0);
        Assert.Equal(65535, narrow.Child(0));
        Assert.Equal(262143, wide.Child(0));
    }
}
