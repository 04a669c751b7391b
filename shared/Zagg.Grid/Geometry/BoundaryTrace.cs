using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Zagg.Grid.Geometry;

/// <summary>
/// The cells of an order that a one-ring polygon meets, found by tracing each edge (a great-circle arc) from the
/// cell of its first vertex through the cells it enters, so the work follows the footprint's cells at that order
/// (a thin ICESat-2 band: ≈ 3 cells per edge) instead of a descent from the base cells. The fast path of
/// <see cref="PolygonCoverage"/>; it gives exactly the walk's cells or declines.
/// </summary>
/// <remarks>
/// <para>
/// The walk keeps a cell of the target order when an edge reaches its circumscribed cap and (its centre is inside,
/// it holds a vertex, an edge reaches its inscribed cap or crosses its sampled outline), and every cell no edge
/// reaches whose centre is inside. Split differently: the cells the boundary <em>meets</em> (M: a vertex, the
/// inscribed cap reached, the outline crossed — each a test of one cell against one edge) and the cells wholly
/// inside the region that the boundary does not meet (I). M is found here edge by edge with the walk's own tests on
/// the cached outlines (<see cref="CellOutlines"/>); the cells an arc meets form a chain of neighbours, so from each
/// cell met the trace steps to the neighbour across each outline side the arc crosses, and to every cell around a
/// corner when the crossing is on a side piece next to that corner. A vertex outside its own cell's sampled
/// outline (the sliver between a curved HEALPix side and its chords) sends the trace to all eight neighbours.
/// Neighbours are NESTED ids from <see cref="HealpixNested.Neighbours"/>: no longitudes, so the antimeridian, the
/// poles and the base cells' boundaries need nothing special.
/// </para>
/// <para>
/// I is empty exactly when no cell of M has a stretch of its outline inside the region on a side or corner it
/// shares with a cell outside M (a cell of I touches M, and their shared boundary is inside). Along each outline
/// the inside stretches follow from the crossings' directions (the region lies on the ring's inner side: left for a
/// counter-clockwise ring); directions that do not alternate (a self-crossing ring) or a stretch that reaches a cell
/// outside M make the trace decline, and the caller runs the walk. Only footprints with no whole cell inside
/// (ICESat-2 bands at order 6, ±3.5 km wide) take this path to the end.
/// </para>
/// </remarks>
internal sealed class BoundaryTrace
{
    /// <summary>Rings with more edges than this go to the walk (areas of interest, not granule footprints).</summary>
    public const int MaxEdges = 4096;

    private const int Step = CellOutline.Step;
    private const int Points = CellOutlines.Points;
    private const double Margin = PolygonCoverage.SideMargin;

    /// <summary>The side margin for the float outline: far above its dots' rounding (under 4.5e-7), so only points clearly on a side pass.</summary>
    private const float CoarseMargin = 1e-6f;

    [ThreadStatic] private static BoundaryTrace? t_trace;

    /// <summary>This thread's tracer (its buffers are reused from footprint to footprint).</summary>
    public static BoundaryTrace ForThread => t_trace ??= new BoundaryTrace();

    // Neighbour directions of HealpixNested.Neighbours (SW, W, NW, N, NE, E, SE, S) across each outline side
    // (north→west, west→south, south→east, east→north) and at each corner (north, west, south, east).
    private static ReadOnlySpan<byte> SideDirection => [2, 0, 6, 4];
    private static ReadOnlySpan<byte> CornerDirection => [3, 1, 7, 5];

    private struct Crossing
    {
        public double Position; // outline piece index + fraction along it
        public int Next;        // next crossing of the same cell, or −1
        public bool Exit;       // the edge leaves the cell's outline here
    }

    private int _order;

    // The last cell Neighbour decomposed (the trace asks for several neighbours of one cell in a row).
    private long _decomposed = -1;
    private long _decomposedX, _decomposedY;
    private int _decomposedFace;

    // The cells met (M), their first crossing, and a stamped open-addressing index: cell → position in _cells.
    private long[] _cells = new long[128];
    private int[] _firstCrossing = new int[128];
    private int _cellCount;
    private long[] _keys = new long[512];
    private int[] _slots = new int[512];
    private int[] _stamps = new int[512];
    private int _stamp;

    private Crossing[] _crossings = new Crossing[256];
    private int _crossingCount;

    // One edge's cells to test, in the order found (also the record of what the edge has visited).
    private long[] _pending = new long[32];
    private int _pendingCount;

    /// <summary>
    /// Appends to <paramref name="result"/> the cells of <paramref name="order"/> that the walk of
    /// <see cref="PolygonCoverage"/> gives for <paramref name="region"/> and returns true, or returns false (and
    /// appends nothing) when the region is not one the trace handles: several rings, no bounding cap, an order
    /// above <see cref="CellOutlines.CachedLevels"/>, more than <see cref="MaxEdges"/> edges, a self-crossing ring,
    /// or a whole cell inside.
    /// </summary>
    /// <param name="region">The polygon on the sphere.</param>
    /// <param name="order">HEALPix order of the cells.</param>
    /// <param name="vertexCells">The cell of each vertex, in the ring's order.</param>
    /// <param name="result">Where the cells go, in increasing order; untouched when the trace declines.</param>
    public bool TryCover(SphericalRegion region, int order, ReadOnlySpan<long> vertexCells, CellRanges result)
    {
        if (region.RingCount != 1 || !region.HasCap || order > CellOutlines.CachedLevels || region.Edges.Length > MaxEdges)
            return false;
        var edges = region.Edges;
        bool leftInside;
        {
            // The ring's turn around its cap centre, from its gnomonic projection there (the cap is under π/2).
            Vec3 c = region.CapCentre;
            double twiceArea = 0;
            foreach (ref readonly var e in edges.AsSpan())
                twiceArea += e.A.Cross(e.B).Dot(c) / (e.A.Dot(c) * e.B.Dot(c));
            if (!(twiceArea != 0)) return false;
            leftInside = twiceArea > 0;
        }

        _order = order;
        _decomposed = -1;
        _cellCount = 0;
        _crossingCount = 0;
        if (++_stamp == int.MaxValue)
        {
            Array.Clear(_stamps);
            _stamp = 1;
        }
        for (int i = 0; i < edges.Length; i++)
            Trace(in edges[i], vertexCells[i]);
        if (!NothingInside(region, leftInside)) return false;

        var cells = _cells.AsSpan(0, _cellCount);
        cells.Sort();
        int runs = 1;
        for (int i = 1; i < cells.Length; i++)
            if (cells[i] != cells[i - 1] + 1) runs++;
        result.Reserve(runs);
        long runStart = cells[0], runEnd = cells[0] + 1;
        for (int i = 1; i < cells.Length; i++)
        {
            if (cells[i] == runEnd) { runEnd++; continue; }
            result.Append(runStart, runEnd - runStart);
            runStart = cells[i];
            runEnd = runStart + 1;
        }
        result.Append(runStart, runEnd - runStart);
        return true;
    }

    /// <summary>Adds to M every cell the edge meets, from the cell of its first vertex.</summary>
    private void Trace(in SphericalRegion.Edge e, long start)
    {
        _pendingCount = 0;
        Pend(start);
        CellOutlines.Get(_order, start, out _, out var startNormals);
        ref readonly var startCap = ref CellCaps.Cached(_order, start);
        // Within the inscribed cap (shrunk 15% from the outline samples) a vertex is well inside the chords.
        if (e.A.Dot(startCap.Centre) <= startCap.InnerCos && !ClearlyInside(e.A, startNormals))
        {
            // The vertex lies in its cell's sliver outside the chords: the edge may start in a neighbour's outline.
            Span<long> around = stackalloc long[8];
            HealpixNested.Neighbours(_order, start, around);
            foreach (long n in around) if (n >= 0) Pend(n);
        }
        for (int q = 0; q < _pendingCount; q++)
        {
            long cell = _pending[q];
            CellOutlines.Get(_order, cell, out var outline, out var normals);
            int first = _crossingCount;
            int near = FindCrossings(in e, cell, outline, normals);
            if (near != 0)
            {
                // The edge grazes pieces without crossing them (an arc along a cell boundary, a vertex on it): the
                // cells across may be crossed in their own outlines' rounding.
                for (int piece = 0; piece < Points; piece++)
                    if ((near & (1 << piece)) != 0) PendAround(cell, piece + 0.5, everyCorner: true);
            }
            bool met = q == 0 || _crossingCount > first;
            if (!met)
            {
                ref readonly var cap = ref CellCaps.Cached(_order, cell);
                met = e.Reaches(cap.Centre, cap.InnerSin, cap.InnerCos, out _);
                if (!met) continue;
            }
            int m = AddCell(cell);
            for (int k = first; k < _crossingCount; k++)
            {
                _crossings[k].Next = _firstCrossing[m];
                _firstCrossing[m] = k;
                PendAround(cell, _crossings[k].Position);
            }
        }
    }

    private static bool ClearlyInside(Vec3 p, ReadOnlySpan<Vec3> sideNormals)
    {
        // Every side's dot clearly positive; independent tests, so no chain of minimums to wait on.
        foreach (var n in sideNormals)
            if (!(p.Dot(n) > Margin)) return false;
        return true;
    }

    /// <summary>
    /// Records where the edge crosses the outline's pieces: the tests of <c>CellOutline.Crossed</c> (the same
    /// prefilters, then <see cref="SphericalRegion.Crosses"/>), so a cell counts as crossed exactly when the walk's does.
    /// </summary>
    /// <returns>The pieces (bit k: piece k) that the prefilters could not separate from the edge but that it does not cross.</returns>
    private int FindCrossings(in SphericalRegion.Edge e, long cell, ReadOnlySpan<Vec3> outline, ReadOnlySpan<Vec3> sideNormals)
    {
        int near = 0;
        Vec3 normal = e.Normal;
        // Which outline points are clearly left (bit k of left) or right of the edge's great circle, from the float
        // copy of the outline (errors under 4.5e-7 in a dot, so the margin 1e-6 leaves only points the exact test would
        // also find clearly on that side); a piece whose two ends are clearly on one side cannot cross it.
        var coarse = CellOutlines.GetCoarse(_order, cell);
        int left, right;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float xs = ref MemoryMarshal.GetReference(coarse);
            var nx = Vector256.Create((float)normal.X);
            var ny = Vector256.Create((float)normal.Y);
            var nz = Vector256.Create((float)normal.Z);
            var margin = Vector256.Create(CoarseMargin);
            var low = Vector256.LoadUnsafe(ref xs) * nx + Vector256.LoadUnsafe(ref xs, Points) * ny + Vector256.LoadUnsafe(ref xs, 2 * Points) * nz;
            var high = Vector256.LoadUnsafe(ref xs, 8) * nx + Vector256.LoadUnsafe(ref xs, Points + 8) * ny + Vector256.LoadUnsafe(ref xs, 2 * Points + 8) * nz;
            left = (int)(Vector256.GreaterThan(low, margin).ExtractMostSignificantBits() | (Vector256.GreaterThan(high, margin).ExtractMostSignificantBits() << 8));
            right = (int)(Vector256.LessThan(low, -margin).ExtractMostSignificantBits() | (Vector256.LessThan(high, -margin).ExtractMostSignificantBits() << 8));
        }
        else
        {
            left = right = 0;
            float nx = (float)normal.X, ny = (float)normal.Y, nz = (float)normal.Z;
            for (int k = 0; k < Points; k++)
            {
                float d = coarse[k] * nx + coarse[Points + k] * ny + coarse[2 * Points + k] * nz;
                left |= (d > CoarseMargin ? 1 : 0) << k;
                right |= (d < -CoarseMargin ? 1 : 0) << k;
            }
        }
        int rotatedLeft = (left >> 1) | ((left & 1) << (Points - 1)), rotatedRight = (right >> 1) | ((right & 1) << (Points - 1));
        int pieces = ~((left & rotatedLeft) | (right & rotatedRight)) & ((1 << Points) - 1);
        for (; pieces != 0; pieces &= pieces - 1)
        {
            int k = System.Numerics.BitOperations.TrailingZeroCount(pieces);
            int next = k + 1 == Points ? 0 : k + 1;
            // The exact test from here, on the doubles: what CellOutline.Crossed does for every piece.
            double sk = outline[k].Dot(normal), sn = outline[next].Dot(normal);
            if ((sk > Margin && sn > Margin) || (sk < -Margin && sn < -Margin)) continue;
            double a = e.A.Dot(sideNormals[k]), b = e.B.Dot(sideNormals[k]);
            if ((a > Margin && b > Margin) || (a < -Margin && b < -Margin)) continue;
            if (Math.Abs(sk) > Margin && Math.Abs(sn) > Margin && Math.Abs(a) > Margin && Math.Abs(b) > Margin)
            {
                // Every end clearly off the other arc's great circle: the signs decide what Crosses' orientations
                // would (det(p, q, r) has the sign of r·n for the unit normal n of p→q): the ends of each arc on
                // opposite sides of the other's circle, on the side that puts the meeting point on both arcs.
                if ((sk > 0) == (sn > 0) || (a > 0) == (b > 0) || (sk > 0) != (b > 0)) continue;
            }
            else if (!SphericalRegion.Crosses(outline[k], outline[next], e.A, e.B))
            {
                near |= 1 << k;
                continue;
            }
            double denominator = sk - sn;
            double fraction = denominator != 0 ? Math.Clamp(sk / denominator, 0, 1 - 1e-9) : 0.5;
            if (_crossingCount == _crossings.Length) Array.Resize(ref _crossings, 2 * _crossings.Length);
            _crossings[_crossingCount++] = new Crossing { Position = k + fraction, Exit = a > b, Next = -1 };
        }
        return near;
    }

    /// <summary>
    /// Queues the cells across a crossing of the outline: the side's neighbour, and all cells at a corner when the
    /// crossing is within <see cref="CornerReach"/> of it along its piece (only through the corner point itself can
    /// an edge pass straight into the diagonal cell; the outlines of neighbours agree to rounding).
    /// </summary>
    private void PendAround(long cell, double position, bool everyCorner = false)
    {
        int piece = (int)position;
        int side = piece / Step;
        Pend(Neighbour(cell, SideDirection[side]));
        int along = piece % Step;
        double fraction = position - piece;
        if (along == 0 && (everyCorner || fraction < CornerReach)) PendCorner(cell, side);
        if (along == Step - 1 && (everyCorner || fraction > 1 - CornerReach)) PendCorner(cell, (side + 1) & 3);
    }

    /// <summary>How near a corner (as a fraction of an outline piece) a crossing sends the trace to every cell there.</summary>
    private const double CornerReach = 1e-3;

    private void PendCorner(long cell, int corner)
    {
        long diagonal = Neighbour(cell, CornerDirection[corner]);
        if (diagonal >= 0) Pend(diagonal);
        Pend(Neighbour(cell, SideDirection[corner]));           // the side starting at the corner
        Pend(Neighbour(cell, SideDirection[(corner + 3) & 3])); // the side ending there
    }

    private void Pend(long cell)
    {
        for (int i = 0; i < _pendingCount; i++)
            if (_pending[i] == cell) return;
        if (_pendingCount == _pending.Length) Array.Resize(ref _pending, 2 * _pending.Length);
        _pending[_pendingCount++] = cell;
    }

    /// <summary>The neighbour in one direction of <see cref="HealpixNested.Neighbours"/>; −1 where there is none.</summary>
    private long Neighbour(long cell, int direction)
    {
        if (cell != _decomposed)
        {
            HealpixNested.Decompose(_order, cell, out _decomposedX, out _decomposedY, out _decomposedFace);
            _decomposed = cell;
        }
        long x = _decomposedX + NeighbourDx(direction), y = _decomposedY + NeighbourDy(direction);
        long nside = 1L << _order;
        if ((ulong)x < (ulong)nside && (ulong)y < (ulong)nside) return HealpixNested.Compose(_order, x, y, _decomposedFace);
        Span<long> around = stackalloc long[8];
        HealpixNested.Neighbours(_order, cell, around);
        return around[direction];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int NeighbourDx(int direction) => direction switch { 0 or 1 or 7 => -1, 3 or 4 or 5 => 1, _ => 0 };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int NeighbourDy(int direction) => direction switch { 1 or 2 or 3 => 1, 5 or 6 or 7 => -1, _ => 0 };

    private int AddCell(long cell)
    {
        int mask = _keys.Length - 1;
        int h = Hash(cell) & mask;
        while (_stamps[h] == _stamp)
        {
            if (_keys[h] == cell) return _slots[h];
            h = (h + 1) & mask;
        }
        if (_cellCount == _cells.Length)
        {
            Array.Resize(ref _cells, 2 * _cells.Length);
            Array.Resize(ref _firstCrossing, 2 * _firstCrossing.Length);
        }
        int m = _cellCount++;
        _cells[m] = cell;
        _firstCrossing[m] = -1;
        _keys[h] = cell;
        _slots[h] = m;
        _stamps[h] = _stamp;
        if (2 * _cellCount > _keys.Length) GrowIndex();
        return m;
    }

    private bool IsMet(long cell)
    {
        int mask = _keys.Length - 1;
        for (int h = Hash(cell) & mask; _stamps[h] == _stamp; h = (h + 1) & mask)
            if (_keys[h] == cell) return true;
        return false;
    }

    private void GrowIndex()
    {
        int size = 2 * _keys.Length;
        _keys = new long[size];
        _slots = new int[size];
        _stamps = new int[size];
        _stamp = 1;
        for (int m = 0; m < _cellCount; m++)
        {
            int h = Hash(_cells[m]) & (size - 1);
            while (_stamps[h] == _stamp) h = (h + 1) & (size - 1);
            _keys[h] = _cells[m];
            _slots[h] = m;
            _stamps[h] = _stamp;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hash(long cell) => (int)((ulong)(cell * unchecked((long)0x9E3779B97F4A7C15)) >> 40);

    /// <summary>
    /// Whether no cell outside M has its centre inside the region: every stretch of a met cell's outline that is
    /// inside the region touches only sides and corners shared with met cells. False also when the crossings of a
    /// cell do not alternate in and out (the ring crosses itself there).
    /// </summary>
    private bool NothingInside(SphericalRegion region, bool leftInside)
    {
        Span<Crossing> buffer = stackalloc Crossing[16];
        for (int m = 0; m < _cellCount; m++)
        {
            // The cell's crossings in outline order (insertion: a cell has a few), in one pass over its list.
            var list = buffer;
            int count = 0;
            for (int k = _firstCrossing[m]; k >= 0; k = _crossings[k].Next)
            {
                if (count == list.Length)
                {
                    var larger = new Crossing[2 * count];
                    list.CopyTo(larger);
                    list = larger;
                }
                var c = _crossings[k];
                int at = count++;
                while (at > 0 && list[at - 1].Position > c.Position)
                {
                    list[at] = list[at - 1];
                    at--;
                }
                list[at] = c;
            }
            int touched; // bits 0–3: sides, bits 4–7: corners whose cells must be met
            if (count == 0)
            {
                // No edge crosses the outline: all of it is on one side.
                CellOutlines.Get(_order, _cells[m], out var outline, out _);
                if (!region.Contains(outline[0])) continue;
                touched = 0xFF;
            }
            else
            {
                if ((count & 1) != 0) return false;
                touched = 0;
                for (int t = 0; t < count; t++)
                {
                    var from = list[t];
                    var to = list[t + 1 == count ? 0 : t + 1];
                    if (from.Exit == to.Exit) return false;
                    // After an exit the outline is on the edge's left; inside when the region is.
                    if (from.Exit == leftInside) touched |= Stretch(from.Position, to.Position);
                }
            }
            if (touched != 0 && !NeighboursMet(_cells[m], touched)) return false;
        }
        return true;
    }

    /// <summary>The sides (bits 0–3) and corners (bits 4–7) an outline stretch from one crossing to the next covers.</summary>
    private static int Stretch(double from, double to)
    {
        int j1 = (int)from, j2 = (int)to;
        int span = j2 - j1;
        if (span < 0 || (span == 0 && to < from)) span += Points;
        // The pieces j1 … j1 + span pass a corner at each piece that starts a side, after the first piece.
        int corners = (j1 % Step + span) / Step;
        if (corners >= 4) return 0xFF;
        int side = j1 / Step;
        int bits = 1 << side;
        for (int c = 1; c <= corners; c++)
        {
            side = (side + 1) & 3;
            bits |= (1 << side) | (1 << (4 + side));
        }
        return bits;
    }

    private bool NeighboursMet(long cell, int touched)
    {
        for (int k = 0; k < 4; k++)
        {
            if ((touched & (1 << k)) != 0 && !IsMet(Neighbour(cell, SideDirection[k]))) return false;
            if ((touched & (1 << (4 + k))) != 0)
            {
                long diagonal = Neighbour(cell, CornerDirection[k]);
                if (diagonal >= 0 && !IsMet(diagonal)) return false;
            }
        }
        return true;
    }
}
