using System.Numerics;
using System.Runtime.CompilerServices;

namespace Zagg.Pipeline.Aggregation;

/// <summary>
/// A cell's points sorted by child (a counting sort of the <see cref="GatheredPoints"/>), each column still in its
/// source dtype (float32 stays float32: 4 bytes a point, not 8). The reducers read float64 blocks of it
/// (<see cref="CopyTo"/>), so a cell's float64 working set is bounded by the block, not by its points.
/// </summary>
internal sealed class SortedColumns : IDisposable
{
    private readonly float[]?[] _singles;
    private readonly double[]?[] _doubles;

    /// <summary>
    /// Sorts <paramref name="g"/>'s points by child into children's segments [<paramref name="start"/>[c],
    /// <paramref name="start"/>[c + 1]), releasing each gathered column once it is sorted and the child indices at the
    /// end: the cell's peak is its gathered points plus one sorted column.
    /// </summary>
    public SortedColumns(GatheredPoints g, int[] start)
    {
        int columns = g.Singles.Length, points = g.Count, children = start.Length - 1;
        _singles = new float[]?[columns];
        _doubles = new double[]?[columns];
        // Each column scattered to its children's segments (a counting sort's second pass), the cursors started
        // afresh per column: cheaper in memory than keeping every point's destination.
        var cursor = CellBuffers.Rent<int>(children);
        try
        {
            for (int k = 0; k < columns; k++)
            {
                start.AsSpan(0, children).CopyTo(cursor);
                if (g.Singles[k] is { } single) _singles[k] = Scatter(g, single, cursor, points);
                else if (g.Doubles[k] is { } wide) _doubles[k] = Scatter(g, wide, cursor, points);
                else _doubles[k] = []; // a column no granule had (no points)
                g.ReleaseColumn(k);
            }
        }
        finally { CellBuffers.Return(cursor); }
        g.ReleaseColumns();
    }

    /// <summary>The number of columns.</summary>
    public int Count => _singles.Length;

    /// <summary>Points [<paramref name="from"/>, from + destination.Length) of column <paramref name="k"/>, as float64.</summary>
    public void CopyTo(int k, int from, Span<double> destination)
    {
        if (_singles[k] is { } s)
        {
            var x = s.AsSpan(from, destination.Length);
            for (int i = 0; i < x.Length; i++) destination[i] = x[i];
        }
        else _doubles[k].AsSpan(from, destination.Length).CopyTo(destination);
    }

    /// <summary>Column <paramref name="k"/>'s float32 values (at least the points long), or null when it is float64.</summary>
    public float[]? Singles(int k) => _singles[k];

    /// <summary>Column <paramref name="k"/>'s float64 values (at least the points long; empty without points), or null when it is float32.</summary>
    public double[]? Doubles(int k) => _doubles[k];

    /// <summary>Column <paramref name="k"/>'s array is taken over by its caller (who gives it back): no longer read or given back here.</summary>
    public void TakeOver(int k) => (_singles[k], _doubles[k]) = (null, null);

    /// <summary>Counts each child's points: children + 1 ascending offsets, start[0] = 0.</summary>
    public static int[] Starts(GatheredPoints g, int children)
    {
        var start = new int[children + 1];
        if (g.NarrowChild is { } narrow) CountChildren(narrow, start);
        else CountChildren(g.WideChild!, start);
        for (int c = 0; c < children; c++) start[c + 1] += start[c];
        return start;
    }

    public void Dispose()
    {
        for (int k = 0; k < _singles.Length; k++)
        {
            if (_singles[k] is { } s) CellBuffers.Return(s);
            if (_doubles[k] is { Length: > 0 } d) CellBuffers.Return(d);
            _singles[k] = null;
            _doubles[k] = null;
        }
    }

    private static void CountChildren<TChild>(SegmentedColumn<TChild> child, int[] start) where TChild : unmanaged, IBinaryInteger<TChild>
    {
        for (int s = 0; s < child.Segments.Count; s++)
            foreach (var c in child.Segment(s)) start[Index(c) + 1]++;
    }

    /// <summary>
    /// A child index as an int. The two index types are read directly: a ReadyToRun image does not inline
    /// <c>int.CreateTruncating&lt;ushort&gt;</c> (the framework's generic math over two of its own types lies outside the
    /// image) and called it, unoptimized, once a point.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Index<TChild>(TChild c) where TChild : unmanaged, IBinaryInteger<TChild>
        => typeof(TChild) == typeof(ushort) ? Unsafe.As<TChild, ushort>(ref c)
            : typeof(TChild) == typeof(int) ? Unsafe.As<TChild, int>(ref c)
            : int.CreateTruncating(c);

    private static T[] Scatter<T>(GatheredPoints g, SegmentedColumn<T> values, int[] cursor, int points) where T : unmanaged, INumberBase<T>
    {
        var sorted = CellBuffers.Rent<T>(Math.Max(1, points));
        if (g.NarrowChild is { } narrow) Scatter(narrow, values, cursor, sorted);
        else Scatter(g.WideChild!, values, cursor, sorted);
        return sorted;
    }

    private static void Scatter<TChild, T>(SegmentedColumn<TChild> child, SegmentedColumn<T> values, int[] cursor, T[] sorted)
        where TChild : unmanaged, IBinaryInteger<TChild> where T : unmanaged, INumberBase<T>
    {
        for (int s = 0; s < values.Segments.Count; s++)
        {
            var c = child.Segment(s);
            var v = values.Segment(s);
            for (int i = 0; i < v.Length; i++) sorted[cursor[Index(c[i])]++] = v[i];
        }
    }
}
