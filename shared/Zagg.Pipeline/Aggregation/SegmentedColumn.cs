using System.Buffers;
using System.Numerics;

namespace Zagg.Pipeline.Aggregation;

/// <summary>
/// A column of a cell's gathered points held in fixed-size segments of <see cref="SegmentLength"/> values from
/// <see cref="ArrayPool{T}.Shared"/>: appending never copies what is already held and never over-reserves, so a
/// cell's memory grows with its points (to the next 64 Ki), whatever its number of granules. Segment s holds
/// points [s·<see cref="SegmentLength"/>, (s + 1)·<see cref="SegmentLength"/>); every column of a cell is
/// segmented alike, so the columns' segments line up.
/// </summary>
/// <typeparam name="T">The stored type: the source dtype of a value column, or the child index's width.</typeparam>
internal sealed class SegmentedColumn<T> : IDisposable where T : unmanaged, INumberBase<T>
{
    /// <summary>Values per segment: 64 Ki (<see cref="CellBuffers.PooledLength"/>), a size the shared pool keeps.</summary>
    public const int SegmentLength = CellBuffers.PooledLength;

    private readonly List<T[]> _segments = [];

    /// <summary>The values held.</summary>
    public int Count { get; private set; }

    /// <summary>The segments; the last is filled to <see cref="Count"/> − (segments − 1)·<see cref="SegmentLength"/>.</summary>
    public IReadOnlyList<T[]> Segments => _segments;

    /// <summary>The values of segment <paramref name="s"/> (full but for the last).</summary>
    public ReadOnlySpan<T> Segment(int s) => _segments[s].AsSpan(0, Math.Min(SegmentLength, Count - s * SegmentLength));

    /// <summary>Value <paramref name="i"/>.</summary>
    public T this[int i] => _segments[i / SegmentLength][i % SegmentLength];

    /// <summary>Appends <paramref name="source"/>[<paramref name="kept"/>[j]] for every j (converted exactly: a float32 into a float64 column).</summary>
    public void Append<TSource>(ReadOnlySpan<TSource> source, ReadOnlySpan<int> kept) where TSource : unmanaged, INumberBase<TSource>
    {
        while (!kept.IsEmpty)
        {
            var free = Free();
            int m = Math.Min(free.Length, kept.Length);
            if (typeof(TSource) == typeof(T))
            {
                var same = System.Runtime.InteropServices.MemoryMarshal.Cast<TSource, T>(source);
                for (int j = 0; j < m; j++) free[j] = same[kept[j]];
            }
            else
                for (int j = 0; j < m; j++) free[j] = T.CreateTruncating(source[kept[j]]);
            kept = kept[m..];
            Count += m;
        }
    }

    /// <summary>Appends <paramref name="cells"/>[<paramref name="kept"/>[j]] − <paramref name="first"/> for every j (a child index from a NESTED id).</summary>
    public void AppendOffset<TCell>(ReadOnlySpan<TCell> cells, ReadOnlySpan<int> kept, long first) where TCell : struct, IBinaryInteger<TCell>
    {
        while (!kept.IsEmpty)
        {
            var free = Free();
            int m = Math.Min(free.Length, kept.Length);
            for (int j = 0; j < m; j++) free[j] = T.CreateTruncating(long.CreateTruncating(cells[kept[j]]) - first);
            kept = kept[m..];
            Count += m;
        }
    }

    /// <summary>A copy widened to <typeparamref name="TWide"/> (exact for float32 → float64), segment by segment.</summary>
    public SegmentedColumn<TWide> Widen<TWide>() where TWide : unmanaged, INumberBase<TWide>
    {
        var wide = new SegmentedColumn<TWide>();
        for (int s = 0; s < _segments.Count; s++)
        {
            var from = Segment(s);
            var to = wide.Free();
            for (int i = 0; i < from.Length; i++) to[i] = TWide.CreateTruncating(from[i]);
            wide.Count += from.Length;
        }
        return wide;
    }

    /// <summary>Gives every segment back to the pool.</summary>
    public void Dispose()
    {
        foreach (var s in _segments) ArrayPool<T>.Shared.Return(s);
        _segments.Clear();
        Count = 0;
    }

    /// <summary>The free end of the last segment, a new one when it is full.</summary>
    private Span<T> Free()
    {
        int used = Count % SegmentLength;
        if (used == 0 && Count == _segments.Count * SegmentLength) _segments.Add(ArrayPool<T>.Shared.Rent(SegmentLength));
        return _segments[^1].AsSpan(used, SegmentLength - used);
    }
}
