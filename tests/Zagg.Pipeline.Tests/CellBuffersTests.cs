using Xunit;
using Zagg.Pipeline.Aggregation;

namespace Zagg.Pipeline.Tests;

/// <summary>Long cell arrays are kept for later cells, within a budget, and given to a request they fit closely.</summary>
public class CellBuffersTests
{
    [Fact]
    public void A_long_array_given_back_serves_the_next_request_it_fits_within_twice_its_length()
    {
        // short: an element type no other code rents long arrays of, so no other test takes this one in between.
        int length = 3 * CellBuffers.PooledLength;
        var first = CellBuffers.Rent<short>(length);
        Assert.Equal(length, first.Length); // allocated at its length (none kept yet)
        long before = CellBuffers.KeptNow;
        CellBuffers.Return(first);
        if (CellBuffers.KeptNow == before) return; // the budget was full (other tests' arrays kept): nothing to check
        Assert.NotSame(first, CellBuffers.Rent<short>(length / 2 - 1)); // more than twice as long as asked: not given
        var again = CellBuffers.Rent<short>(length / 2 + 1);
        Assert.Same(first, again);
        Assert.Equal(before, CellBuffers.KeptNow);
        var other = CellBuffers.Rent<short>(length); // none kept now: a new one
        Assert.NotSame(first, other);
        CellBuffers.Return(other);
        CellBuffers.Return(again);
        Assert.InRange(CellBuffers.KeptNow, 0, CellBuffers.KeptBytes);
    }

    [Fact]
    public void Kept_arrays_stay_within_the_budget()
    {
        // 5 MiB of ints each: the 32 MiB budget keeps six at most, whatever else is kept.
        var arrays = new int[10][];
        for (int i = 0; i < arrays.Length; i++) arrays[i] = CellBuffers.Rent<int>(5 << 18);
        foreach (var a in arrays) CellBuffers.Return(a);
        Assert.InRange(CellBuffers.KeptNow, 0, CellBuffers.KeptBytes);
        for (int i = 0; i < arrays.Length; i++) arrays[i] = CellBuffers.Rent<int>(5 << 18); // take them back out
        foreach (var a in arrays) Assert.True(a.Length >= 5 << 18);
    }
}
