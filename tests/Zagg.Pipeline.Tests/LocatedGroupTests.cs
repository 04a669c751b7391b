using Xunit;
using Zagg.Pipeline.Aggregation;

namespace Zagg.Pipeline.Tests;

/// <summary>A located group's index ranges per parent cell, found once, are what a scan of every point finds.</summary>
public class LocatedGroupTests
{
    [Theory]
    [InlineData(13)] // ids kept as int
    [InlineData(14)] // ids kept as long
    public void Ranges_in_and_outside_a_parent_match_a_scan(int order)
    {
        const int shift = 8; // parent order = order − 4
        var rng = new Random(order);
        for (int trial = 0; trial < 200; trial++)
        {
            // Runs of a few parents, a track that comes back to one it left, and positions that are not one (−1).
            var cells = new long[rng.Next(0, 400)];
            long[] parents = [7, 8, 9, 40];
            for (int i = 0; i < cells.Length;)
            {
                long p = parents[rng.Next(parents.Length)];
                for (int run = rng.Next(1, 40); run > 0 && i < cells.Length; run--, i++)
                    cells[i] = rng.Next(10) == 0 ? -1 : (p << shift) + rng.Next(1 << shift);
            }
            var group = new LocatedGroup(cells, order, shift);
            var distinct = new HashSet<long>();
            foreach (long c in cells) if (c >= 0) distinct.Add(c >> shift);
            Assert.Equal(distinct.Count, group.Parents);
            foreach (long parent in parents.Append(99))
            {
                Assert.Equal(Scan(cells, parent, inside: true), group.RangeIn(parent, shift));
                Assert.Equal(Scan(cells, parent, inside: false), group.RangeOutside(parent, shift));
                // Another shift than the one given at construction: scanned.
                Assert.Equal(Scan(cells, parent >> 2, inside: true, shift + 2), group.RangeIn(parent >> 2, shift + 2));
            }
        }
    }

    private static (int, int) Scan(long[] cells, long parent, bool inside, int shift = 8)
    {
        int first = -1, last = -1;
        for (int i = 0; i < cells.Length; i++)
            if (cells[i] >= 0 && (cells[i] >> shift == parent) == inside)
            {
                if (first < 0) first = i;
                last = i;
            }
        return (first, last);
    }
}
