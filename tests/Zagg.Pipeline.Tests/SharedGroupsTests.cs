using Xunit;
using Zagg.Pipeline.Aggregation;

namespace Zagg.Pipeline.Tests;

/// <summary>A group shared by several parent cells is read once: the first cell gets it whole, the others the rows kept for them.</summary>
public class SharedGroupsTests
{
    private static GroupValues Whole(int n)
    {
        var v = new GroupValues(0, n, 1, pooled: true);
        v.Singles[0] = v.Allocate<float>(n);
        for (int i = 0; i < n; i++) v.Singles[0]![i] = i;
        v.Pass = v.Allocate<bool>(n);
        for (int i = 0; i < n; i++) v.Pass[i] = i % 2 == 0;
        return v;
    }

    [Fact]
    public async Task The_first_cell_reads_whole_the_others_share_their_rows_and_the_last_drops_the_entry()
    {
        var shared = new SharedGroups(maxBytes: 1 << 20);
        int reads = 0;
        Task<(GroupValues, GroupValues)> Read()
        {
            reads++;
            var whole = Whole(10);
            return Task.FromResult((whole, whole.Slice(4, 6)));
        }
        using var first = await shared.TakeAsync(("g.h5", "gt1l"), 3, Read);
        Assert.Equal((0, 10), (first.First, first.Length));
        var second = await shared.TakeAsync(("g.h5", "gt1l"), 3, Read);
        Assert.Equal((4, 6), (second.First, second.Length));
        Assert.Equal([4f, 5, 6, 7, 8, 9], second.Singles[0]!.AsSpan(0, 6).ToArray());
        Assert.Equal([true, false, true, false, true, false], second.Pass!);
        Assert.True(shared.Contains(("g.h5", "gt1l")));
        Assert.Equal(6 * 4 + 6, shared.Bytes);
        var third = await shared.TakeAsync(("g.h5", "gt1l"), 3, Read);
        Assert.Same(second, third);
        Assert.False(shared.Contains(("g.h5", "gt1l"))); // its three cells have taken it
        Assert.Equal(0, shared.Bytes);
        Assert.Equal(1, reads);
    }

    [Fact]
    public async Task A_failed_read_is_not_remembered_and_the_budget_drops_the_oldest()
    {
        var shared = new SharedGroups(maxBytes: 100);
        await Assert.ThrowsAsync<IOException>(() => shared.TakeAsync(("a.h5", ""), 2, () => Task.FromException<(GroupValues, GroupValues)>(new IOException("gone"))));
        Assert.False(shared.Contains(("a.h5", "")));
        Task<(GroupValues, GroupValues)> Read()
        {
            var whole = Whole(10);
            return Task.FromResult((whole, whole.Slice(0, 10))); // 50 bytes kept
        }
        (await shared.TakeAsync(("a.h5", ""), 2, Read)).Dispose();
        (await shared.TakeAsync(("b.h5", ""), 2, Read)).Dispose();
        Assert.True(shared.Contains(("a.h5", "")));
        (await shared.TakeAsync(("c.h5", ""), 2, Read)).Dispose(); // 150 bytes > 100: the oldest go until 50 are left
        Assert.False(shared.Contains(("a.h5", "")));
        Assert.False(shared.Contains(("b.h5", "")));
        Assert.True(shared.Contains(("c.h5", "")));
        Assert.Equal(50, shared.Bytes);
    }
}
