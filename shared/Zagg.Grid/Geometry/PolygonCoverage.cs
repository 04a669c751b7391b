namespace Zagg.Grid.Geometry;

/// <summary>
/// The cells of an order that cover a polygon: every cell whose interior meets the polygon's
/// interior or boundary. This is the catalog's cell discovery.
/// </summary>
/// <remarks>
/// A hierarchical descent from the 12 base cells. Each cell is bounded by a cap (its centre and
/// a radius enclosing its outline); only polygon edges that reach the cap are handed to its
/// children, so work follows the boundary. A cell no edge reaches is wholly inside or wholly
/// outside, which its centre decides; the centre's state is carried from the parent's centre by
/// counting crossings of the short arc between them with the parent's edges. At the target
/// order a cell the boundary reaches is kept when its centre is inside, when it holds a polygon
/// vertex, or when an edge crosses its outline (sampled at four points per side).
/// </remarks>
public static class PolygonCoverage
{
    private const int OutlineStep = 4;

    public static CellRanges Cover(GeoPolygon polygon, int order, LatitudeConvention convention = LatitudeConvention.Authalic)
        => Cover(SphericalRegion.FromGeo(polygon, convention), order);

    public static CellRanges Cover(SphericalRegion region, int order)
    {
        HealpixNested.CheckOrder(order);
        var result = new CellRanges(order);
        var vertexCells = new HashSet<long>();
        foreach (var v in region.Vertices)
        {
            v.ToZPhi(out double z, out double phi, out double st);
            vertexCells.Add(HealpixNested.FromZPhi(order, z, phi, st, true));
        }
        var walk = new Walk(region, order, result, vertexCells);
        int[] all = new int[region.Edges.Length];
        for (int i = 0; i < all.Length; i++) all[i] = i;
        var states = new bool[region.RingCount];
        for (int face = 0; face < HealpixNested.BaseCellCount; face++)
        {
            Vec3 centre = Centre(0, face);
            region.RingStates(centre, states);
            walk.Visit(face, 0, centre, states, all);
        }
        return result;
    }

    /// <summary>
    /// A cap around the centre that holds the whole cell, as (sin r, cos r): the farthest of
    /// the corners and side midpoints (16 points per side for the large cells of orders
    /// 0–2), widened by 10% for the sides' bulge between them.
    /// </summary>
    internal static (double Sin, double Cos) CapOf(int level, long cell, Vec3 centre)
    {
        Span<Vec3> outline = stackalloc Vec3[level < 3 ? 64 : 8];
        HealpixNested.Boundary(level, cell, outline.Length / 4, outline);
        double minDot = 1;
        foreach (var v in outline) minDot = Math.Min(minDot, centre.Dot(v));
        double r = Math.Acos(Math.Clamp(minDot, -1, 1)) * 1.1 + 1e-15;
        return Math.SinCos(Math.Min(r, Math.PI / 2));
    }

    internal static Vec3 Centre(int order, long cell)
    {
        HealpixNested.CentreZPhi(order, cell, out double z, out double phi, out double st, out bool have);
        return Vec3.FromZPhi(z, phi, st, have);
    }

    private sealed class Walk(SphericalRegion region, int order, CellRanges result, HashSet<long> vertexCells)
    {
        private readonly SphericalRegion.Edge[] _edges = region.Edges;

        // One buffer of edge indices per level: a cell writes the edges that reach it into its
        // level's buffer, and its children read them from there (the walk is depth first).
        private readonly int[][] _reaching = new int[order + 1][];

        public void Visit(long cell, int level, Vec3 centre, bool[] states, ReadOnlySpan<int> candidates)
        {
            var (sinR, cosR) = CapOf(level, cell, centre);
            int[] buffer = _reaching[level] ??= new int[_edges.Length];
            int count = 0;
            foreach (int i in candidates)
                if (_edges[i].Reaches(centre, sinR, cosR)) buffer[count++] = i;

            if (count == 0)
            {
                if (region.Combine(states))
                    result.Append(cell << (2 * (order - level)), 1L << (2 * (order - level)));
                return;
            }

            var reaching = new ReadOnlySpan<int>(buffer, 0, count);
            if (level == order)
            {
                if (region.Combine(states) || vertexCells.Contains(cell) || OutlineCrossed(cell, reaching))
                    result.Append(cell, 1);
                return;
            }

            for (long child = cell << 2; child < (cell << 2) + 4; child++)
            {
                Vec3 c = Centre(level + 1, child);
                bool[] childStates = states;
                foreach (int i in reaching)
                {
                    ref readonly var e = ref _edges[i];
                    if (SphericalRegion.Crosses(centre, c, e.A, e.B))
                    {
                        if (ReferenceEquals(childStates, states)) childStates = (bool[])states.Clone();
                        childStates[e.Ring] = !childStates[e.Ring];
                    }
                }
                Visit(child, level + 1, c, childStates, reaching);
            }
        }

        private bool OutlineCrossed(long cell, ReadOnlySpan<int> reaching)
        {
            Span<Vec3> outline = stackalloc Vec3[4 * OutlineStep];
            HealpixNested.Boundary(order, cell, OutlineStep, outline);
            foreach (int i in reaching)
            {
                ref readonly var e = ref _edges[i];
                for (int k = 0; k < outline.Length; k++)
                    if (SphericalRegion.Crosses(outline[k], outline[(k + 1) % outline.Length], e.A, e.B))
                        return true;
            }
            return false;
        }
    }
}
