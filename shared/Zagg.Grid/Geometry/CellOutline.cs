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
        Span<Vec3> outline = stackalloc Vec3[4 * Step];
        HealpixNested.Boundary(order, cell, Step, outline);
        Span<double> sides = stackalloc double[4 * Step];
        foreach (int i in reaching)
        {
            ref readonly var e = ref edges[i];
            for (int k = 0; k < outline.Length; k++) sides[k] = outline[k].Dot(e.Normal);
            for (int k = 0; k < outline.Length; k++)
            {
                int next = k + 1 == outline.Length ? 0 : k + 1;
                // Both ends of the outline's side clearly on one side of the edge's great circle: no crossing.
                if ((sides[k] > PolygonCoverage.SideMargin && sides[next] > PolygonCoverage.SideMargin)
                    || (sides[k] < -PolygonCoverage.SideMargin && sides[next] < -PolygonCoverage.SideMargin))
                    continue;
                if (SphericalRegion.Crosses(outline[k], outline[next], e.A, e.B))
                    return true;
            }
        }
        return false;
    }
}
