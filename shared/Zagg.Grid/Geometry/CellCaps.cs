using System.Runtime.CompilerServices;

namespace Zagg.Grid.Geometry;

/// <summary>
/// A cell's centre with two caps around it: one holding the whole cell (circumscribed) and one
/// inside it (inscribed), as sines and cosines of their angular radii, for the coverage walks.
/// </summary>
internal readonly struct CellCap
{
    public readonly Vec3 Centre;
    public readonly double Radius, OuterSin, OuterCos, InnerSin, InnerCos;

    public CellCap(Vec3 centre, double outer, double inner)
    {
        Centre = centre;
        Radius = outer;
        (OuterSin, OuterCos) = Math.SinCos(outer);
        (InnerSin, InnerCos) = Math.SinCos(inner);
    }
}

/// <summary>
/// Cell caps, computed once for the coarse levels (0–<see cref="CachedLevels"/>, 350,000 cells
/// at most) and on the fly below, so the walks over many small footprints do no trigonometry
/// for the cells they pass through.
/// </summary>
internal static class CellCaps
{
    public const int CachedLevels = 7;
    private static readonly CellCap[]?[] Tables = new CellCap[CachedLevels + 1][];

    public static CellCap Get(int level, long cell) => level <= CachedLevels ? Cached(level, cell) : Compute(level, cell);

    /// <summary>The cap of a cell of a cached level (0–<see cref="CachedLevels"/>), in place in its table.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref readonly CellCap Cached(int level, long cell)
    {
        var table = Volatile.Read(ref Tables[level]) ?? Build(level);
        return ref table[cell];
    }

    private static CellCap[] Build(int level)
    {
        var table = new CellCap[HealpixNested.CellCount(level)];
        for (long c = 0; c < table.Length; c++) table[c] = Compute(level, c);
        Interlocked.CompareExchange(ref Tables[level], table, null);
        return Tables[level]!;
    }

    /// <summary>
    /// The circumscribed radius is the farthest of the outline samples (corners and side
    /// midpoints; 16 per side for the large cells of levels 0–2) widened by 10% for the sides'
    /// bulge between samples; the inscribed radius is the nearest sample at 16 per side, shrunk
    /// by 15%.
    /// </summary>
    public static CellCap Compute(int level, long cell)
    {
        HealpixNested.CentreZPhi(level, cell, out double z, out double phi, out double st, out bool have);
        Vec3 centre = Vec3.FromZPhi(z, phi, st, have);
        Span<Vec3> outline = stackalloc Vec3[64];
        HealpixNested.Boundary(level, cell, 16, outline);
        double minDot = 1, maxDot = -1;
        foreach (var v in outline)
        {
            double d = centre.Dot(v);
            minDot = Math.Min(minDot, d);
            maxDot = Math.Max(maxDot, d);
        }
        double outer = Math.Min(Math.Acos(Math.Clamp(minDot, -1, 1)) * 1.1 + 1e-15, Math.PI / 2);
        double inner = Math.Acos(Math.Clamp(maxDot, -1, 1)) * 0.85;
        return new CellCap(centre, outer, inner);
    }
}
