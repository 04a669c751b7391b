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
        foreach (int i in reaching)
        {
            ref readonly var e = ref edges[i];
            for (int k = 0; k < outline.Length; k++)
                if (SphericalRegion.Crosses(outline[k], outline[(k + 1) % outline.Length], e.A, e.B))
                    return true;
        }
        return false;
    }
}
