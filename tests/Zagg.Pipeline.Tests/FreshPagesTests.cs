using Xunit;
using Zagg.Pipeline.Aggregation;

namespace Zagg.Pipeline.Tests;

/// <summary>Mapping an array's pages ahead (<see cref="FreshPages"/>) never changes what it holds.</summary>
public class FreshPagesTests
{
    [Theory]
    [InlineData(10)]
    [InlineData(100_000)]
    [InlineData(1 << 20)]
    public void Populating_keeps_the_contents_whole_pages_or_not(int length)
    {
        var array = GC.AllocateUninitializedArray<int>(length);
        for (int i = 0; i < length; i++) array[i] = i * 7 + 1;
        FreshPages.Populate(array, length);
        for (int i = 0; i < length; i++) Assert.Equal(i * 7 + 1, array[i]);
        // A part of the array, and a fresh one filled after.
        FreshPages.Populate(array, length / 3);
        var fresh = GC.AllocateUninitializedArray<bool>(length, pinned: true);
        FreshPages.Populate(fresh, length);
        Array.Fill(fresh, true);
        Assert.All(fresh, Assert.True);
        Assert.Equal(length * 7 - 6, array[^1]);
    }
}
