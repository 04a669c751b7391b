namespace Zagg.Grid.Geometry;

/// <summary>
/// The cells of an order that a set of great-circle arcs passes through (polylines: CMR's
/// GEODETIC Lines, GeoJSON LineStrings).
/// </summary>
/// <remarks>
/// The same hierarchical descent as <see cref="PolygonCoverage"/> without an interior: a cell is
/// entered only when some arc reaches the cap enclosing it, so the work follows the lines. At the
/// target order a cell is kept when it holds an arc's end or when an arc crosses its outline
/// (sampled at <see cref="CellOutline.Step"/> points per side).
/// </remarks>
internal static class LineCoverage
{

    /// <summary>Cells met by the arcs (each shorter than π).</summary>
    public static CellRanges Cover(ReadOnlySpan<SphericalRegion.Edge> arcs, int order)
    {
        HealpixNested.CheckOrder(order);
        if (arcs.Length == 0) return new CellRanges(order);
        var cells = new List<long>();
        var ends = new HashSet<long>();
        foreach (ref readonly var e in arcs)
        {
            ends.Add(CellOf(e.A, order));
            ends.Add(CellOf(e.B, order));
        }
        var edges = arcs.ToArray();
        var walk = new Walk(edges, order, cells, ends);
        int[] all = new int[edges.Length];
        for (int i = 0; i < all.Length; i++) all[i] = i;
        for (int face = 0; face < HealpixNested.BaseCellCount; face++)
            walk.Visit(face, 0, all);
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(cells);
        return CellRanges.FromCells(order, span);
    }

    internal static long CellOf(Vec3 v, int order)
    {
        v.ToZPhi(out double z, out double phi, out double st);
        return HealpixNested.FromZPhi(order, z, phi, st, true);
    }

    private sealed class Walk(SphericalRegion.Edge[] edges, int order, List<long> cells, HashSet<long> ends)
    {
        private readonly int[][] _reaching = new int[order + 1][];

        public void Visit(long cell, int level, ReadOnlySpan<int> candidates)
        {
            Vec3 centre = PolygonCoverage.Centre(level, cell);
            var (sinR, cosR) = PolygonCoverage.CapOf(level, cell, centre);
            int[] buffer = _reaching[level] ??= new int[edges.Length];
            int count = 0;
            foreach (int i in candidates)
                if (edges[i].Reaches(centre, sinR, cosR)) buffer[count++] = i;
            if (count == 0) return;
            var reaching = new ReadOnlySpan<int>(buffer, 0, count);
            if (level == order)
            {
                if (ends.Contains(cell) || CellOutline.Crossed(order, cell, edges, reaching)) cells.Add(cell);
                return;
            }
            for (long child = cell << 2; child < (cell << 2) + 4; child++)
                Visit(child, level + 1, reaching);
        }
    }
}
