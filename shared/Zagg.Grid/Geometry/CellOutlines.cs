namespace Zagg.Grid.Geometry;

/// <summary>
/// The sampled outlines of <see cref="CellOutline"/> (<see cref="CellOutline.Step"/> points per side, from
/// <see cref="HealpixNested.Boundary"/>) and the unit normals of the great-circle arcs joining them, kept for the
/// cells of levels 0–<see cref="CachedLevels"/> in pages of <see cref="PageCells"/> NESTED cells filled on first
/// use, so the walks over many footprints compute each outline once instead of once per test.
/// </summary>
/// <remarks>
/// A full level-6 table is 49,152 cells × 16 points × 2 vectors × 24 bytes = 38 MB; only the pages a mapping
/// touches are filled. Values are the ones <see cref="HealpixNested.Boundary"/> gives, bit for bit. A float copy of
/// the points (<see cref="GetCoarse"/>, 9.4 MB at level 6) serves the trace's first side test, which reads a third
/// of the bytes from a table the caches rarely hold (footprints land anywhere).
/// </remarks>
internal static class CellOutlines
{
    public const int CachedLevels = 6;
    public const int Points = 4 * CellOutline.Step;
    private const int PageShift = 8;
    private const int PageCells = 1 << PageShift;

    // [level][page] → PageCells × Points outline points followed by as many side normals.
    private static readonly Vec3[]?[][] Pages = NewDirectory<Vec3>();

    /// <summary>An empty [level][page] directory for the levels 0–<see cref="CachedLevels"/>; pages are filled on first use.</summary>
    private static T[]?[][] NewDirectory<T>()
    {
        var pages = new T[]?[CachedLevels + 1][];
        for (int level = 0; level <= CachedLevels; level++)
            pages[level] = new T[]?[(HealpixNested.CellCount(level) + PageCells - 1) >> PageShift];
        return pages;
    }

    /// <summary>Whether <see cref="Get"/> serves cells of <paramref name="level"/>.</summary>
    public static bool Cached(int level) => level <= CachedLevels;

    /// <summary>A cell's outline points and the normals of its sides (side k joins point k to point k + 1, cyclic).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static void Get(int level, long cell, out ReadOnlySpan<Vec3> outline, out ReadOnlySpan<Vec3> sideNormals)
    {
        long pageIndex = cell >> PageShift;
        ref var slot = ref Pages[level][pageIndex];
        var page = Volatile.Read(ref slot) ?? Fill(level, pageIndex, ref slot);
        int first = (int)(cell & (PageCells - 1)) * Points;
        outline = new ReadOnlySpan<Vec3>(page, first, Points);
        sideNormals = new ReadOnlySpan<Vec3>(page, PageCells * Points + first, Points);
    }

    private static Vec3[] Fill(int level, long pageIndex, ref Vec3[]? slot)
    {
        long count = Math.Min(PageCells, HealpixNested.CellCount(level) - (pageIndex << PageShift));
        var page = new Vec3[2 * PageCells * Points];
        for (int i = 0; i < count; i++)
        {
            var outline = page.AsSpan(i * Points, Points);
            HealpixNested.Boundary(level, (pageIndex << PageShift) + i, CellOutline.Step, outline);
            var normals = page.AsSpan(PageCells * Points + i * Points, Points);
            for (int k = 0; k < Points; k++) normals[k] = SideNormal(outline[k], outline[k + 1 == Points ? 0 : k + 1]);
        }
        return Interlocked.CompareExchange(ref slot, page, null) ?? page;
    }

    // [level][page] → per cell, the outline points rounded to float as 16 x, 16 y, 16 z (a third of the bytes).
    private static readonly float[]?[][] Coarse = NewDirectory<float>();

    /// <summary>Floats per cell in <see cref="GetCoarse"/>.</summary>
    public const int CoarseFloats = 3 * Points;

    /// <summary>
    /// A cell's outline points rounded to float, as 16 x then 16 y then 16 z: for prefilters whose margin covers the
    /// rounding (each coordinate within 6e-8 of <see cref="Get"/>'s), read from a table a third the size of the doubles.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static ReadOnlySpan<float> GetCoarse(int level, long cell)
    {
        long pageIndex = cell >> PageShift;
        ref var slot = ref Coarse[level][pageIndex];
        var page = Volatile.Read(ref slot) ?? FillCoarse(level, pageIndex, ref slot);
        return new ReadOnlySpan<float>(page, (int)(cell & (PageCells - 1)) * CoarseFloats, CoarseFloats);
    }

    private static float[] FillCoarse(int level, long pageIndex, ref float[]? slot)
    {
        long count = Math.Min(PageCells, HealpixNested.CellCount(level) - (pageIndex << PageShift));
        var page = new float[PageCells * CoarseFloats];
        for (int i = 0; i < count; i++)
        {
            Get(level, (pageIndex << PageShift) + i, out var outline, out _);
            var cell = page.AsSpan(i * CoarseFloats, CoarseFloats);
            for (int k = 0; k < Points; k++)
            {
                cell[k] = (float)outline[k].X;
                cell[Points + k] = (float)outline[k].Y;
                cell[2 * Points + k] = (float)outline[k].Z;
            }
        }
        return Interlocked.CompareExchange(ref slot, page, null) ?? page;
    }

    /// <summary>The unit normal of the arc a→b, as <see cref="SphericalRegion.Edge"/> computes it.</summary>
    public static Vec3 SideNormal(Vec3 a, Vec3 b) => (a + b).Cross(b - a).Normalized();
}
