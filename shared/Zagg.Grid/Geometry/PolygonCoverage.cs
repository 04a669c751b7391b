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
/// A one-ring polygon with no whole cell inside (a granule's thin band) is first handed to <see cref="BoundaryTrace"/>,
/// which finds the same cells by tracing each edge through the cells it meets (≈ 3 per edge for an ICESat-2 band at
/// order 6 instead of ≈ 60 edge tests per cell of the descent); it declines the others, which take the descent.
/// </remarks>
public static class PolygonCoverage
{

    public static CellRanges Cover(GeoPolygon polygon, int order, LatitudeConvention convention = LatitudeConvention.Authalic)
        => Cover(SphericalRegion.FromGeo(polygon, convention), order);

    public static CellRanges Cover(SphericalRegion region, int order)
    {
        HealpixNested.CheckOrder(order);
        var vertices = region.Vertices;
        // A footprint's vertex cells go in a buffer kept per thread (an area's millions get their own array); the
        // descent (rare for footprints) takes a copy it may sort.
        Span<long> vertexCells;
        long[]? own = null;
        if (vertices.Length > BoundaryTrace.MaxEdges) vertexCells = own = new long[vertices.Length];
        else
        {
            t_vertexCells ??= new long[BoundaryTrace.MaxEdges];
            vertexCells = t_vertexCells.AsSpan(0, vertices.Length);
        }
        for (int i = 0; i < vertices.Length; i++)
            vertexCells[i] = LineCoverage.CellOf(vertices[i], order);
        var result = new CellRanges(order);
        if (BoundaryTrace.ForThread.TryCover(region, order, vertexCells, result)) return result;
        return Descend(region, order, own ?? vertexCells.ToArray());
    }

    [ThreadStatic] private static long[]? t_vertexCells;

    /// <summary>The descent from the base cells alone (the trace's oracle in the tests).</summary>
    internal static CellRanges CoverByWalk(SphericalRegion region, int order)
    {
        HealpixNested.CheckOrder(order);
        var vertices = region.Vertices;
        var vertexCells = new long[vertices.Length];
        for (int i = 0; i < vertices.Length; i++)
            vertexCells[i] = LineCoverage.CellOf(vertices[i], order);
        return Descend(region, order, vertexCells);
    }

    private static CellRanges Descend(SphericalRegion region, int order, long[] vertexCells)
    {
        var result = new CellRanges(order);
        Array.Sort(vertexCells);
        var walk = t_walk ??= new Walk();
        walk.Run(region, order, result, vertexCells);
        return result;
    }

    /// <summary>A cap around the centre that holds the whole cell, as (sin r, cos r).</summary>
    internal static (double Sin, double Cos) CapOf(int level, long cell, Vec3 centre)
    {
        var cap = CellCaps.Get(level, cell);
        return (cap.OuterSin, cap.OuterCos);
    }

    internal static Vec3 Centre(int order, long cell) => CellCaps.Get(order, cell).Centre;

    // The walk's buffers, kept per thread: the mapping covers hundreds of thousands of footprints in a row.
    [ThreadStatic] private static Walk? t_walk;

    private sealed class Walk
    {
        private SphericalRegion _region = null!;
        private SphericalRegion.Edge[] _edges = [];
        private int _order;
        private CellRanges _result = null!;
        private long[] _vertexCells = []; // sorted

        // One buffer per level, reused because the walk is depth first: the indices of the edges that reach a cell,
        // the side of each one's great circle the cell's centre is on (p·n), and the cell's ring-by-ring states.
        private readonly int[][] _reaching = new int[HealpixNested.MaxOrder + 1][];
        private readonly double[][] _sides = new double[HealpixNested.MaxOrder + 1][];
        private readonly bool[][] _states = new bool[HealpixNested.MaxOrder + 2][];
        private int[] _all = [];

        public void Run(SphericalRegion region, int order, CellRanges result, long[] vertexCells)
        {
            _region = region;
            _edges = region.Edges;
            _order = order;
            _result = result;
            _vertexCells = vertexCells;
            int edges = _edges.Length;
            for (int l = 0; l <= order; l++)
            {
                if (_reaching[l] is null || _reaching[l].Length < edges)
                {
                    _reaching[l] = new int[edges];
                    _sides[l] = new double[edges];
                }
            }
            for (int l = 0; l <= order + 1; l++)
                if (_states[l] is null || _states[l].Length < region.RingCount) _states[l] = new bool[region.RingCount];
            if (_all.Length < edges)
            {
                _all = new int[edges];
                for (int i = 0; i < edges; i++) _all[i] = i;
            }
            try
            {
                var all = _all.AsSpan(0, edges);
                Span<bool> states = _states[0].AsSpan(0, region.RingCount);
                for (int face = 0; face < HealpixNested.BaseCellCount; face++)
                {
                    var cap = CellCaps.Get(0, face);
                    if (!_region.MayMeet(cap)) continue;
                    _region.RingStates(cap.Centre, states);
                    Visit(face, 0, cap, all);
                }
            }
            finally
            {
                _region = null!;
                _result = null!;
                _edges = [];
            }
        }

        /// <summary>Visits a cell whose ring states are in the level's state buffer.</summary>
        private void Visit(long cell, int level, in CellCap cap, ReadOnlySpan<int> candidates)
        {
            Vec3 centre = cap.Centre;
            var edges = _edges;
            int[] buffer = _reaching[level];
            double[] sides = _sides[level];
            int count = 0;
            double sinR = cap.OuterSin, cosR = cap.OuterCos;
            foreach (int i in candidates)
                if (edges[i].Reaches(centre, sinR, cosR, out double side))
                {
                    sides[count] = side;
                    buffer[count++] = i;
                }

            ReadOnlySpan<bool> states = _states[level].AsSpan(0, _region.RingCount);
            if (count == 0)
            {
                if (_region.Combine(states))
                    _result.Append(cell << (2 * (_order - level)), 1L << (2 * (_order - level)));
                return;
            }

            var reaching = new ReadOnlySpan<int>(buffer, 0, count);
            if (level == _order)
            {
                if (_region.Combine(states) || Array.BinarySearch(_vertexCells, cell) >= 0
                    || InnerReached(cap, reaching) || CellOutline.Crossed(_order, cell, _edges, reaching))
                    _result.Append(cell, 1);
                return;
            }

            Span<bool> childStates = _states[level + 1].AsSpan(0, _region.RingCount);
            // The children's caps are read in place from the cached levels' tables, computed below them.
            bool cached = level + 1 <= CellCaps.CachedLevels;
            CellCap computed = default;
            for (long child = cell << 2; child < (cell << 2) + 4; child++)
            {
                ref readonly CellCap childCap = ref computed;
                if (cached) childCap = ref CellCaps.Cached(level + 1, child);
                else computed = CellCaps.Compute(level + 1, child);
                if (!_region.MayMeet(childCap)) continue;
                Vec3 c = childCap.Centre;
                states.CopyTo(childStates);
                Vec3 arcNormal = default;
                bool haveArcNormal = false;
                for (int k = 0; k < reaching.Length; k++)
                {
                    ref readonly var e = ref edges[reaching[k]];
                    // Both centres clearly on one side of the edge's great circle: the arc between them cannot cross it.
                    double childSide = c.Dot(e.Normal), parentSide = sides[k];
                    if ((childSide > SideMargin && parentSide > SideMargin) || (childSide < -SideMargin && parentSide < -SideMargin))
                        continue;
                    // Both ends of the edge clearly on one side of the centres' great circle: no crossing either.
                    if (!haveArcNormal)
                    {
                        arcNormal = CellOutlines.SideNormal(centre, c);
                        haveArcNormal = true;
                    }
                    double a = e.A.Dot(arcNormal), b = e.B.Dot(arcNormal);
                    if ((a > SideMargin && b > SideMargin) || (a < -SideMargin && b < -SideMargin))
                        continue;
                    if (SphericalRegion.Crosses(centre, c, e.A, e.B))
                        childStates[e.Ring] = !childStates[e.Ring];
                }
                Visit(child, level + 1, childCap, reaching);
            }
        }

        /// <summary>Whether an edge passes through the cap inside the cell (then it meets the cell).</summary>
        private bool InnerReached(in CellCap cap, ReadOnlySpan<int> reaching)
        {
            foreach (int i in reaching)
                if (_edges[i].Reaches(cap.Centre, cap.InnerSin, cap.InnerCos, out _)) return true;
            return false;
        }
    }

    /// <summary>
    /// How far (as p·n, the sine of the angle to a great circle) two points must both be from an edge's great circle,
    /// on the same side, for the prefilters to skip the exact crossing test: far above the rounding of the unit
    /// normal (1e-16), so a skipped pair is one the exact test would also find apart.
    /// </summary>
    internal const double SideMargin = 1e-9;
}
