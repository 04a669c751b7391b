namespace Zagg.Grid.Geometry;

/// <summary>
/// Whether great-circle edges cross a cell's outline, the outline sampled at <see cref="Step"/> points per side
/// (<see cref="HealpixNested.Boundary"/>) and joined by great-circle arcs: the last test of the coverage walks for a
/// cell that an edge reaches but that holds neither the shape's interior at its centre nor one of its vertices.
/// </summary>
internal static class CellOutline
{
    /// <summary>Outline points per cell side.</summary>
    public const int Step = 4;

    /// <summary>Whether any of the edges <paramref name="reaching"/> (indices into <paramref name="edges"/>) crosses the outline of <paramref name="cell"/> at <paramref name="order"/>.</summary>
    public static bool Crossed(int order, long cell, SphericalRegion.Edge[] edges, ReadOnlySpan<int> reaching)
    {
        if (CellOutlines.Cached(order))
        {
            CellOutlines.Get(order, cell, out var outline, out var sideNormals);
            return Crossed(outline, sideNormals, edges, reaching);
        }
        Span<Vec3> computed = stackalloc Vec3[4 * Step];
        HealpixNested.Boundary(order, cell, Step, computed);
        Span<Vec3> normals = stackalloc Vec3[4 * Step];
        for (int k = 0; k < computed.Length; k++) normals[k] = CellOutlines.SideNormal(computed[k], computed[k + 1 == computed.Length ? 0 : k + 1]);
        return Crossed(computed, normals, edges, reaching);
    }

    private static bool Crossed(ReadOnlySpan<Vec3> outline, ReadOnlySpan<Vec3> sideNormals, SphericalRegion.Edge[] edges, ReadOnlySpan<int> reaching)
    {
        const double margin = PolygonCoverage.SideMargin;
        Span<double> sides = stackalloc double[4 * Step];
        foreach (int i in reaching)
        {
            ref readonly var e = ref edges[i];
            for (int k = 0; k < outline.Length; k++) sides[k] = outline[k].Dot(e.Normal);
            for (int k = 0; k < outline.Length; k++)
            {
                int next = k + 1 == outline.Length ? 0 : k + 1;
                // Both ends of the outline's side clearly on one side of the edge's great circle: no crossing.
                if ((sides[k] > margin && sides[next] > margin) || (sides[k] < -margin && sides[next] < -margin))
                    continue;
                // Both ends of the edge clearly on one side of the outline side's great circle: no crossing either.
                double a = e.A.Dot(sideNormals[k]), b = e.B.Dot(sideNormals[k]);
                if ((a > margin && b > margin) || (a < -margin && b < -margin))
                    continue;
                if (SphericalRegion.Crosses(outline[k], outline[next], e.A, e.B))
                    return true;
            }
        }
        return false;
    }
}
