using Xunit;
using Zagg.Pipeline.Aggregation;

namespace Zagg.Pipeline.Tests;

/// <summary>A group shared by several parent cells is read once: the first cell gets it whole, the others views of the rows kept for them.</summary>
public class SharedGroupsTests
{
    private static GroupValues Whole(int n, bool pooled = false)
    {
        var v = new GroupValues(0, n, 1, pooled);
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
            var whole = Whole(10, pooled: true);
            return Task.FromResult((whole, whole.View(4, 6)));
        }
        var first = (await shared.TakeAsync(("g.h5", "gt1l"), 3, Read))!;
        Assert.Equal((0, 10, 0), (first.First, first.Length, first.Base));
        var second = (await shared.TakeAsync(("g.h5", "gt1l"), 3, Read))!;
        Assert.Equal((4, 6, 0), (second.First, second.Length, second.Base));
        // A view of the same arrays, not a copy: row r at index r − Base.
        Assert.Same(first.Singles[0], second.Singles[0]);
        Assert.Equal([4f, 5, 6, 7, 8, 9], second.Singles[0]!.AsSpan(4 - second.Base, 6).ToArray());
        Assert.Equal([true, false, true, false, true, false], second.Pass!.AsSpan(4 - second.Base, 6).ToArray());
        Assert.True(shared.Contains(("g.h5", "gt1l")));
        Assert.Equal(first.Bytes, shared.Bytes); // the arrays the kept view holds alive: the whole group's
        var third = (await shared.TakeAsync(("g.h5", "gt1l"), 3, Read))!;
        Assert.NotSame(second, third);
        Assert.Equal((4, 6), (third.First, third.Length));
        Assert.False(shared.Contains(("g.h5", "gt1l"))); // its three cells have taken it
        Assert.Equal(0, shared.Bytes);
        Assert.Equal(1, reads);
        // The pooled arrays go back with the last view, whichever it is.
        first.Dispose();
        second.Dispose();
        second.Dispose(); // twice is once
        Assert.NotNull(third.Singles[0]);
        Assert.Equal(5f, third.Singles[0]![5]);
        third.Dispose();
        Assert.Null(third.Singles[0]);
        Assert.Null(third.TryShare());
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
            return Task.FromResult((whole, whole.View(0, 10))); // 50 bytes kept
        }
        (await shared.TakeAsync(("a.h5", ""), 2, Read))!.Dispose();
        (await shared.TakeAsync(("b.h5", ""), 2, Read))!.Dispose();
        Assert.True(shared.Contains(("a.h5", "")));
        (await shared.TakeAsync(("c.h5", ""), 2, Read))!.Dispose(); // 150 bytes > 100: the oldest go until 50 are left
        Assert.False(shared.Contains(("a.h5", "")));
        Assert.False(shared.Contains(("b.h5", "")));
        Assert.True(shared.Contains(("c.h5", "")));
        Assert.Equal(50, shared.Bytes);
    }
}
