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
            var cap = CellCaps.Get(0, face);
            if (!region.MayMeet(cap)) continue;
            region.RingStates(cap.Centre, states);
            walk.Visit(face, 0, cap, states, all);
        }
        return result;
    }

    /// <summary>A cap around the centre that holds the whole cell, as (sin r, cos r).</summary>
    internal static (double Sin, double Cos) CapOf(int level, long cell, Vec3 centre)
    {
        var cap = CellCaps.Get(level, cell);
        return (cap.OuterSin, cap.OuterCos);
    }

    internal static Vec3 Centre(int order, long cell) => CellCaps.Get(order, cell).Centre;

    private sealed class Walk(SphericalRegion region, int order, CellRanges result, HashSet<long> vertexCells)
    {
        private readonly SphericalRegion.Edge[] _edges = region.Edges;

        // One buffer of edge indices per level: a cell writes the edges that reach it into its
        // level's buffer, and its children read them from there (the walk is depth first).
        private readonly int[][] _reaching = new int[order + 1][];

        public void Visit(long cell, int level, in CellCap cap, bool[] states, ReadOnlySpan<int> candidates)
        {
            Vec3 centre = cap.Centre;
            int[] buffer = _reaching[level] ??= new int[_edges.Length];
            int count = 0;
            foreach (int i in candidates)
                if (_edges[i].Reaches(centre, cap.OuterSin, cap.OuterCos)) buffer[count++] = i;

            if (count == 0)
            {
                if (region.Combine(states))
                    result.Append(cell << (2 * (order - level)), 1L << (2 * (order - level)));
                return;
            }

            var reaching = new ReadOnlySpan<int>(buffer, 0, count);
            if (level == order)
            {
                if (region.Combine(states) || vertexCells.Contains(cell) || InnerReached(cap, reaching) || CellOutline.Crossed(order, cell, _edges, reaching))
                    result.Append(cell, 1);
                return;
            }

            for (long child = cell << 2; child < (cell << 2) + 4; child++)
            {
                var childCap = CellCaps.Get(level + 1, child);
                if (!region.MayMeet(childCap)) continue;
                Vec3 c = childCap.Centre;
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
                Visit(child, level + 1, childCap, childStates, reaching);
            }
        }

        /// <summary>Whether an edge passes through the cap inside the cell (then it meets the cell).</summary>
        private bool InnerReached(in CellCap cap, ReadOnlySpan<int> reaching)
        {
            foreach (int i in reaching)
                if (_edges[i].Reaches(cap.Centre, cap.InnerSin, cap.InnerCos)) return true;
            return false;
        }
    }
}
