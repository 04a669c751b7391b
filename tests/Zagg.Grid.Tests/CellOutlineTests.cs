using Xunit;
using Zagg.Grid.Geometry;

namespace Zagg.Grid.Tests;

/// <summary>The cached cell outlines and the crossing prefilters of the coverage walks against their plain forms.</summary>
public class CellOutlineTests
{
    [Fact]
    public void Cached_outlines_are_the_grids_boundaries_bit_for_bit()
    {
        var rng = new Random(5);
        var expected = new Vec3[4 * CellOutline.Step];
        for (int level = 0; level <= CellOutlines.CachedLevels; level++)
        {
            long cells = HealpixNested.CellCount(level);
            for (int k = 0; k < 200; k++)
            {
                long cell = k < 2 ? (k == 0 ? 0 : cells - 1) : rng.NextInt64(cells);
                HealpixNested.Boundary(level, cell, CellOutline.Step, expected);
                CellOutlines.Get(level, cell, out var outline, out var normals);
                Assert.Equal(expected, outline.ToArray());
                for (int s = 0; s < outline.Length; s++)
                {
                    Vec3 a = outline[s], b = outline[(s + 1) % outline.Length];
                    Assert.Equal(1.0, normals[s].Length, 12);
                    Assert.True(normals[s].Dot(a.Cross(b)) > 0, $"level {level} cell {cell} side {s}: the normal is not a×b's");
                }
            }
        }
    }

    /// <summary>Every outline side against every edge with the exact test alone, no prefilter.</summary>
    private static bool CrossedPlain(int order, long cell, SphericalRegion.Edge[] edges)
    {
        var outline = new Vec3[4 * CellOutline.Step];
        HealpixNested.Boundary(order, cell, CellOutline.Step, outline);
        foreach (var e in edges)
            for (int k = 0; k < outline.Length; k++)
                if (SphericalRegion.Crosses(outline[k], outline[(k + 1) % outline.Length], e.A, e.B)) return true;
        return false;
    }

    [Theory]
    [InlineData(6)] // served from the cache
    [InlineData(8)] // computed
    public void The_prefiltered_crossing_test_agrees_with_the_plain_one(int order)
    {
        var rng = new Random(order);
        int crossed = 0;
        for (int trial = 0; trial < 4000; trial++)
        {
            long cell = rng.NextInt64(HealpixNested.CellCount(order));
            var outline = new Vec3[4 * CellOutline.Step];
            HealpixNested.Boundary(order, cell, CellOutline.Step, outline);
            double size = outline[0].AngleTo(outline[2 * CellOutline.Step]);
            Vec3 a, b;
            switch (trial % 4)
            {
                case 0: // a short random arc near the cell
                    a = Jitter(outline[rng.Next(outline.Length)], size, rng);
                    b = Jitter(outline[rng.Next(outline.Length)], size, rng);
                    break;
                case 1: // a sliver along a side of the outline, a hair off it
                {
                    int k = rng.Next(outline.Length);
                    Vec3 n = outline[k].Cross(outline[(k + 1) % outline.Length]).Normalized();
                    double off = (rng.NextDouble() - 0.5) * 1e-12;
                    a = (outline[k] + off * n).Normalized();
                    b = (outline[(k + 1) % outline.Length] + off * n).Normalized();
                    break;
                }
                case 2: // through two outline samples exactly
                    a = outline[rng.Next(outline.Length)];
                    b = outline[rng.Next(outline.Length)];
                    if (a == b) continue;
                    break;
                default: // a long arc through the cell's neighbourhood
                    a = Jitter(outline[0], 20 * size, rng);
                    b = Jitter(outline[CellOutline.Step], 20 * size, rng);
                    break;
            }
            if (a.AngleTo(b) < 1e-15 || a.AngleTo(b) > 3) continue;
            SphericalRegion.Edge[] edges = [new(a, b, 0)];
            bool plain = CrossedPlain(order, cell, edges);
            Assert.Equal(plain, CellOutline.Crossed(order, cell, edges, [0]));
            if (plain) crossed++;
        }
        Assert.True(crossed > 500, $"only {crossed} crossings among the trials");
    }

    private static Vec3 Jitter(Vec3 v, double size, Random rng)
        => (v + size * new Vec3(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5, rng.NextDouble() - 0.5)).Normalized();
}
