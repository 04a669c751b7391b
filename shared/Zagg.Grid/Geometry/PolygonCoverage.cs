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

    private static Vec3 Centre(int order, long cell)
    {
        HealpixNested.CentreZPhi(order, cell, out double z, out double phi, out double st, out bool have);
        return Vec3.FromZPhi(z, phi, st, have);
    }

    /// <summary>A radius (radians) enclosing the whole cell around its centre.</summary>
    private static double CapRadius(int level, long cell, Vec3 centre, Span<Vec3> outline)
    {
        int step = outline.Length / 4;
        HealpixNested.Boundary(level, cell, step, outline);
        double r = 0;
        foreach (var v in outline) r = Math.Max(r, centre.AngleTo(v));
        // The outline is sampled; its curved sides bulge far less than this margin between samples.
        return r * 1.1 + 1e-15;
    }

    private sealed class Walk(SphericalRegion region, int order, CellRanges result, HashSet<long> vertexCells)
    {
        private readonly SphericalRegion.Edge[] _edges = region.Edges;

        public void Visit(long cell, int level, Vec3 centre, bool[] states, int[] candidates)
        {
            Span<Vec3> outline = stackalloc Vec3[4 * (level < 3 ? 16 : OutlineStep)];
            double radius = CapRadius(level, cell, centre, outline);
            var touching = new List<int>();
            foreach (int i in candidates)
                if (_edges[i].DistanceTo(centre) <= radius) touching.Add(i);

            if (touching.Count == 0)
            {
                if (region.Combine(states))
                    result.Append(cell << (2 * (order - level)), 1L << (2 * (order - level)));
                return;
            }

            if (level == order)
            {
                if (region.Combine(states) || vertexCells.Contains(cell) || OutlineCrossed(cell, touching))
                    result.Append(cell, 1);
                return;
            }

            int[] passed = [.. touching];
            for (long child = cell << 2; child < (cell << 2) + 4; child++)
            {
                Vec3 c = Centre(level + 1, child);
                bool[] childStates = states;
                foreach (int i in passed)
                {
                    ref readonly var e = ref _edges[i];
                    if (SphericalRegion.Crosses(centre, c, e.A, e.B))
                    {
                        if (ReferenceEquals(childStates, states)) childStates = (bool[])states.Clone();
                        childStates[e.Ring] = !childStates[e.Ring];
                    }
                }
                Visit(child, level + 1, c, childStates, passed);
            }
        }

        private bool OutlineCrossed(long cell, List<int> touching)
        {
            Span<Vec3> outline = stackalloc Vec3[4 * OutlineStep];
            HealpixNested.Boundary(order, cell, OutlineStep, outline);
            foreach (int i in touching)
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
