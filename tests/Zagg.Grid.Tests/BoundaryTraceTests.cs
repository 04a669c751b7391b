using Xunit;
using Zagg.Grid.Geometry;

namespace Zagg.Grid.Tests;

/// <summary>
/// The per-edge trace (<c>BoundaryTrace</c>, the fast path of <see cref="PolygonCoverage"/>) against the descent
/// from the base cells, its oracle: on many random footprints — thin bands, antimeridian crossings, polar tracks,
/// footprints around a pole, vertices on cell corners and sides, arcs along cell boundaries, small and large
/// stars — every footprint the trace accepts must give exactly the walk's cells, and the coverage (trace or walk)
/// must equal the walk's for every one.
/// </summary>
public class BoundaryTraceTests
{
    private static GeoPoint Geo(Vec3 v) => GeoGrid.FromSphere(v, LatitudeConvention.Authalic);

    /// <summary>
    /// Compares trace and walk for one ring at orders 1–6; returns how many orders the trace accepted. With
    /// <paramref name="degenerate"/> (vertices exactly on cell outlines, arcs along them) the two may differ where the
    /// walk's centre states are carried across such a vertex (a parent's centre is its children's shared corner):
    /// then the trace's cells must pass the brute-force check of <see cref="BruteForceCoverageTests"/> and the case
    /// is counted in <paramref name="differing"/>.
    /// </summary>
    private static int Compare(IReadOnlyList<GeoPoint> ring, string what, bool degenerate = false, List<string>? differing = null)
    {
        const int minOrder = 1, maxOrder = 6;
        SphericalRegion region;
        try { region = SphericalRegion.FromGeo(GeoPolygon.FromRing(ring)); }
        catch (ArgumentException) { return 0; } // a degenerate random ring
        int accepted = 0;
        for (int order = minOrder; order <= maxOrder; order++)
        {
            var walk = PolygonCoverage.CoverByWalk(region, order);
            var vertexCells = new long[region.Vertices.Length];
            for (int i = 0; i < vertexCells.Length; i++)
            {
                region.Vertices[i].ToZPhi(out double z, out double phi, out double st);
                vertexCells[i] = HealpixNested.FromZPhi(order, z, phi, st, true);
            }
            var traced = new CellRanges(order);
            if (BoundaryTrace.ForThread.TryCover(region, order, vertexCells, traced))
            {
                accepted++;
                if (!Same(walk, traced))
                {
                    string message = $"{what}, order {order}: trace {Describe(traced)} ≠ walk {Describe(walk)}";
                    Assert.True(degenerate, message);
                    foreach (long cell in walk.Union(traced).Cells())
                        if (walk.Contains(cell) != traced.Contains(cell))
                            Assert.True(TouchesAtRounding(region, order, cell) || (walk.Contains(cell) && !MeetsBySampling(region, order, cell)),
                                $"{message}: cell {cell} is not one the ring only touches");
                    differing!.Add(message);
                }
            }
            else
            {
                Assert.Equal(0, traced.Count);
                Assert.True(Same(walk, PolygonCoverage.Cover(region, order)), $"{what}, order {order}: coverage differs from the walk");
            }
        }
        return accepted;
    }

    /// <summary>
    /// Whether the ring meets the cell's outline only where it runs along it: a vertex on one of its outline points, or
    /// an edge through two consecutive ones (within 1e-9 rad) — the configurations where rounding decides.
    /// </summary>
    private static bool TouchesAtRounding(SphericalRegion region, int order, long cell)
    {
        var outline = new Vec3[16];
        HealpixNested.Boundary(order, cell, 4, outline);
        foreach (var v in region.Vertices)
            foreach (var p in outline)
                if (v.AngleTo(p) < 1e-9) return true;
        foreach (var e in region.Edges)
            for (int k = 0; k < 16; k++)
                if (e.DistanceTo(outline[k]) < 1e-9 && e.DistanceTo(outline[(k + 1) % 16]) < 1e-9) return true;
        return false;
    }

    /// <summary>Brute force: a sample inside the cell (12 × 12) inside the region, or a point of the ring (every 1/256 cell) in the cell.</summary>
    private static bool MeetsBySampling(SphericalRegion region, int order, long cell)
    {
        HealpixNested.Decompose(order, cell, out long ix, out long iy, out int face);
        long nside = HealpixNested.Nside(order);
        for (int a = 0; a < 12; a++)
            for (int b = 0; b < 12; b++)
                if (region.Contains(HealpixNested.FacePoint((ix + (a + 0.5) / 12) / nside, (iy + (b + 0.5) / 12) / nside, face))) return true;
        double spacing = Math.Sqrt(4 * Math.PI / HealpixNested.CellCount(order)) / 256;
        foreach (var e in region.Edges)
        {
            double angle = e.A.AngleTo(e.B);
            int n = Math.Max(1, (int)Math.Ceiling(angle / spacing));
            for (int k = 0; k <= n; k++)
            {
                double t = (double)k / n, sin = Math.Sin(angle);
                Vec3 v = sin < 1e-15 ? e.A : ((Math.Sin((1 - t) * angle) / sin) * e.A + (Math.Sin(t * angle) / sin) * e.B).Normalized();
                v.ToZPhi(out double z, out double phi, out double st);
                if (HealpixNested.FromZPhi(order, z, phi, st, true) == cell) return true;
            }
        }
        return false;
    }

    private static bool Same(CellRanges a, CellRanges b) => a.Runs.SequenceEqual(b.Runs);

    private static string Describe(CellRanges r)
    {
        var cells = r.ToArray();
        return $"{cells.Length} cells [{string.Join(",", cells.Take(40))}]";
    }

    private static GeoPoint RandomPoint(Random rng)
        => new(Math.Asin(2 * rng.NextDouble() - 1) * 180 / Math.PI, rng.NextDouble() * 360 - 180);

    [Fact]
    public void Thin_bands_anywhere_give_the_walks_cells()
    {
        var rng = new Random(1201);
        int accepted = 0, orders = 0;
        for (int k = 0; k < 150; k++)
        {
            var start = RandomPoint(rng);
            double length = 50 + 3000 * rng.NextDouble(), halfWidth = 0.2 + 10 * rng.NextDouble();
            var ring = BruteForceCoverageTests.Track(start, rng.NextDouble() * 360, length, halfWidth, 2 + rng.Next(40));
            accepted += Compare(ring, $"band {k} from {start}");
            orders += 6;
        }
        // Bands narrower than a cell: the trace takes nearly all of them at every order.
        Assert.True(accepted > orders * 3 / 4, $"the trace took {accepted} of {orders}");
    }

    [Fact]
    public void Bands_across_the_antimeridian_and_over_the_poles()
    {
        var rng = new Random(1202);
        int accepted = 0;
        for (int k = 0; k < 60; k++)
        {
            GeoPoint start = (k % 3) switch
            {
                0 => new(rng.NextDouble() * 160 - 80, 179 + 0.5 * rng.NextDouble()),
                1 => new(75 + 10 * rng.NextDouble(), rng.NextDouble() * 360 - 180),
                _ => new(-75 - 10 * rng.NextDouble(), rng.NextDouble() * 360 - 180),
            };
            double bearing = (k % 3) switch { 0 => 45 + 90 * rng.NextDouble(), 1 => rng.NextDouble() * 40 - 20, _ => 160 + 40 * rng.NextDouble() };
            var ring = BruteForceCoverageTests.Track(start, bearing, 500 + 2500 * rng.NextDouble(), 0.5 + 5 * rng.NextDouble(), 10 + rng.Next(30));
            accepted += Compare(ring, $"band {k} from {start} bearing {bearing:F1}");
        }
        Assert.True(accepted > 200, $"the trace took {accepted} of 360");
    }

    [Fact]
    public void Footprints_around_a_pole_and_large_ones_agree_with_the_walk()
    {
        // No cap under π/2, or whole cells inside: the trace declines and the walk answers; the coverage still agrees.
        Compare([new(-70, 170), new(-75, -100), new(-72, -10), new(-80, 60)], "south-pole ring");
        Compare([new(80, 0), new(80, 120), new(80, -120)], "north-pole triangle");
        Compare([new(-10, -20), new(30, -20), new(30, 40), new(-10, 40)], "large box");
        var rng = new Random(1203);
        for (int k = 0; k < 40; k++)
        {
            var centre = RandomPoint(rng);
            double radius = (k % 2 == 0 ? 0.002 : 0.05) * (0.5 + rng.NextDouble());
            Compare(Star(rng, centre, radius, 3 + rng.Next(12)), $"star {k} at {centre}");
        }
    }

    [Fact]
    public void Vertices_on_cell_corners_and_sides_and_arcs_along_cell_boundaries()
    {
        var rng = new Random(1204);
        int accepted = 0;
        var differing = new List<string>();
        Span<Vec3> outline = stackalloc Vec3[16];
        for (int k = 0; k < 150; k++)
        {
            int order = 2 + rng.Next(5);
            long cell = rng.NextInt64(HealpixNested.CellCount(order));
            HealpixNested.Boundary(order, cell, 4, outline);
            // A thin triangle and a thin quad with vertices on the cell's corners and side points.
            int a = rng.Next(16), b = (a + 1 + rng.Next(15)) % 16;
            Vec3 pa = outline[a], pb = outline[b];
            Vec3 off = pa.Cross(pb).Normalized();
            Vec3 pc = (pa + pb + 1e-4 * off).Normalized();
            accepted += Compare([Geo(pa), Geo(pb), Geo(pc)], $"corner triangle {k} (order {order}, cell {cell})", true, differing);
            accepted += Compare([Geo(pa), Geo(outline[(a + 1) % 16]), Geo(outline[(a + 2) % 16]), Geo((outline[(a + 1) % 16] + 1e-5 * off).Normalized())],
                $"along-side quad {k} (order {order}, cell {cell})", true, differing);
        }
        // Along the north faces' meridian boundaries (great circles) and the equator (where corners sit).
        foreach (double lon in new[] { 0.0, 90, 180, -90 })
        {
            accepted += Compare([new(45, lon), new(85, lon), new(85, lon + 0.01), new(45, lon + 0.01)], $"meridian band at {lon}", true, differing);
            accepted += Compare([new(45, lon), new(85, lon), new(85, lon - 0.01), new(45, lon - 0.01)], $"meridian band west of {lon}", true, differing);
        }
        accepted += Compare([new(0, 0), new(0, 60), new(0.001, 60), new(0.001, 0)], "equator band", true, differing);
        accepted += Compare([new(0, 0), new(0, 60), new(-0.001, 60), new(-0.001, 0)], "equator band south", true, differing);
        Assert.True(accepted > 300, $"the trace took {accepted}");
        // Rare: a cell the walk reports from a centre state carried across a vertex lying on the path.
        Assert.True(differing.Count <= accepted / 50, $"{differing.Count} of {accepted} differ: {string.Join("; ", differing.Take(5))}");
    }

    [Fact]
    public void A_self_crossing_ring_is_left_to_the_walk_or_agrees()
    {
        // A figure eight: the crossings' directions do not alternate in the cell where it crosses itself.
        Compare([new(0, 0), new(10, 10), new(10, 0), new(0, 10)], "figure eight");
        Compare([new(-60, 100), new(-50, 110), new(-50, 100), new(-60, 110)], "southern figure eight");
    }

    private static GeoPoint[] Star(Random rng, GeoPoint centre, double radius, int n)
    {
        Vec3 c = GeoGrid.ToSphere(centre);
        Vec3 east = new Vec3(0, 0, 1).Cross(c);
        east = east.Length < 1e-9 ? new Vec3(1, 0, 0) : east.Normalized();
        Vec3 north = c.Cross(east);
        var angles = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 2 * Math.PI).Order().ToArray();
        return angles.Select(t =>
        {
            double r = radius * (0.3 + 0.7 * rng.NextDouble());
            return Geo((c + Math.Tan(r) * (Math.Cos(t) * east + Math.Sin(t) * north)).Normalized());
        }).ToArray();
    }
}
