using System.Numerics;
using System.Runtime.CompilerServices;

namespace Zagg.Pipeline.Aggregation;

/// <summary>
/// One source column of a parent cell's points sorted by value once, for every coarser order of the pyramid: an LSD
/// radix sort (8-bit digits, a pass skipped where every key shares its digit) of the values' order-preserving unsigned
/// keys (IEEE 754 bits, the sign bit flipped for positives and every bit for negatives; NaN keys land at the two ends),
/// each carrying its child index. A coarser cell's values then come in ascending order from one stable counting pass
/// over the coarse cell index (<see cref="ByCell"/>): O(n) per order where a selection per coarse cell re-reads and
/// re-partitions its values, and the parent's own values in order for its <see cref="QuantileSketch"/>
/// (<see cref="QuantileSketch.OfSorted"/>) instead of a sort.
/// </summary>
/// <typeparam name="TKey"><see cref="uint"/> for a float32 column, <see cref="ulong"/> for a float64 one.</typeparam>
internal sealed class ValueOrder<TKey> : IValueOrder where TKey : unmanaged, IBinaryInteger<TKey>, IUnsignedNumber<TKey>
{
    private readonly int _count;
    private TKey[] _keys;
    private int[] _child;

    /// <summary>Sorts <paramref name="keys"/> (one per point, child c's points at [start[c], start[c + 1])) by value.</summary>
    /// <param name="keys">The points' keys (<see cref="Key(float)"/>, <see cref="Key(double)"/>), taken over (pooled).</param>
    /// <param name="count">Points: the keys' length in use.</param>
    /// <param name="start">children + 1 ascending offsets.</param>
    public ValueOrder(TKey[] keys, int count, ReadOnlySpan<int> start)
    {
        _count = count;
        _keys = keys;
        _child = CellBuffers.Rent<int>(count);
        for (int c = 0; c + 1 < start.Length; c++) _child.AsSpan(start[c], start[c + 1] - start[c]).Fill(c);
        Sort();
    }

    /// <summary>The order-preserving key of a float32 value.</summary>
    public static uint Key(float x)
    {
        uint bits = BitConverter.SingleToUInt32Bits(x);
        return (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;
    }

    /// <summary>The order-preserving key of a float64 value.</summary>
    public static ulong Key(double x)
    {
        ulong bits = BitConverter.DoubleToUInt64Bits(x);
        return (bits & 0x8000_0000_0000_0000ul) != 0 ? ~bits : bits | 0x8000_0000_0000_0000ul;
    }

    /// <summary>The value of a key (the inverse of <see cref="Key(float)"/> or <see cref="Key(double)"/>), as float64.</summary>
    public static double Value(TKey key)
    {
        if (typeof(TKey) == typeof(uint))
        {
            uint k = uint.CreateTruncating(key);
            return BitConverter.UInt32BitsToSingle((k & 0x8000_0000u) != 0 ? k & 0x7FFF_FFFFu : ~k);
        }
        ulong w = ulong.CreateTruncating(key);
        return BitConverter.UInt64BitsToDouble((w & 0x8000_0000_0000_0000ul) != 0 ? w & 0x7FFF_FFFF_FFFF_FFFFul : ~w);
    }

    /// <summary>Every point's key, ascending.</summary>
    public ReadOnlySpan<TKey> Keys => _keys.AsSpan(0, _count);

    /// <summary>
    /// The keys grouped by coarse cell — cell j's at [<paramref name="coarse"/>[j], coarse[j + 1]), ascending within —
    /// where child c lies in cell c >> <paramref name="shift"/>.
    /// </summary>
    /// <param name="coarse">cells + 1 ascending offsets (the children's offsets at every 2^shift-th child).</param>
    /// <param name="shift">2 × (child order − the coarse order).</param>
    /// <param name="destination">At least the points long.</param>
    public void ByCell(ReadOnlySpan<int> coarse, int shift, Span<TKey> destination)
    {
        var cursor = CellBuffers.Rent<int>(coarse.Length);
        try
        {
            coarse.CopyTo(cursor);
            var keys = _keys.AsSpan(0, _count);
            var child = _child.AsSpan(0, _count);
            for (int i = 0; i < keys.Length; i++) destination[cursor[child[i] >> shift]++] = keys[i];
        }
        finally { CellBuffers.Return(cursor); }
    }

    /// <summary>
    /// Writes results[v][j] for every wanted (variable v, q-quantile or the median when q is null) and every coarse cell
    /// j with points, as <see cref="OrderStatisticsReducer"/> does from the same order statistics: NaN where a value is.
    /// </summary>
    public void Quantiles(ReadOnlySpan<int> coarse, int shift, ReadOnlySpan<(int Variable, double? Q)> wanted, double[][] results)
    {
        var buffer = CellBuffers.Rent<TKey>(_count);
        try
        {
            var byCell = buffer.AsSpan(0, _count);
            ByCell(coarse, shift, byCell);
            for (int j = 0; j + 1 < coarse.Length; j++)
            {
                int n = coarse[j + 1] - coarse[j];
                if (n == 0) continue;
                var sorted = byCell.Slice(coarse[j], n);
                // NaN keys sort to the two ends.
                bool nan = double.IsNaN(Value(sorted[0])) || double.IsNaN(Value(sorted[^1]));
                foreach (var (v, q) in wanted)
                {
                    if (nan) results[v][j] = double.NaN;
                    else if (q is { } quantile)
                    {
                        var (below, above, gamma) = Statistics.QuantileRanks(n, quantile);
                        results[v][j] = Statistics.QuantileOf(Value(sorted[below]), Value(sorted[above]), gamma);
                    }
                    else results[v][j] = Statistics.MedianOf(n, Value(sorted[(n - 1) / 2]), Value(sorted[n / 2]));
                }
            }
        }
        finally { CellBuffers.Return(buffer); }
    }

    /// <summary>The sketch of every point's value: <see cref="QuantileSketch.Of"/>'s bytes, from the sorted keys.</summary>
    public QuantileSketch Sketch()
    {
        var keys = Keys;
        int lo = 0, hi = keys.Length;
        while (lo < hi && double.IsNaN(Value(keys[lo]))) lo++;
        while (hi > lo && double.IsNaN(Value(keys[hi - 1]))) hi--;
        var values = CellBuffers.Rent<double>(hi - lo);
        try
        {
            for (int i = lo; i < hi; i++) values[i - lo] = Value(keys[i]);
            return QuantileSketch.OfSorted(values.AsSpan(0, hi - lo), keys.Length - (hi - lo));
        }
        finally { CellBuffers.Return(values); }
    }

    public void Dispose()
    {
        if (_keys.Length > 0) CellBuffers.Return(_keys);
        if (_child.Length > 0) CellBuffers.Return(_child);
        _keys = [];
        _child = [];
    }

    private void Sort()
    {
        int n = _count, digits = Unsafe.SizeOf<TKey>();
        if (n < 2) return;
        // Every digit's histogram in one pass.
        var counts = new int[digits * 256];
        var keys = _keys.AsSpan(0, n);
        foreach (var k in keys)
            for (int d = 0; d < digits; d++) counts[(d << 8) + (int)(uint.CreateTruncating(k >> (8 * d)) & 0xFF)]++;
        TKey[] otherKeys = CellBuffers.Rent<TKey>(n);
        int[] otherChild = CellBuffers.Rent<int>(n);
        try
        {
            for (int d = 0; d < digits; d++)
            {
                var count = counts.AsSpan(d << 8, 256);
                if (count.Contains(n)) continue; // every key has this digit: the pass would not move anything
                int sum = 0;
                for (int b = 0; b < 256; b++) (count[b], sum) = (sum, sum + count[b]);
                var from = _keys.AsSpan(0, n);
                var fromChild = _child.AsSpan(0, n);
                var to = otherKeys.AsSpan(0, n);
                var toChild = otherChild.AsSpan(0, n);
                int shift = 8 * d;
                for (int i = 0; i < from.Length; i++)
                {
                    int at = count[(int)(uint.CreateTruncating(from[i] >> shift) & 0xFF)]++;
                    to[at] = from[i];
                    toChild[at] = fromChild[i];
                }
                (_keys, otherKeys) = (otherKeys, _keys);
                (_child, otherChild) = (otherChild, _child);
            }
        }
        finally
        {
            CellBuffers.Return(otherKeys);
            CellBuffers.Return(otherChild);
        }
    }
}

/// <summary>A column's <see cref="ValueOrder{TKey}"/>, whichever its key type.</summary>
internal interface IValueOrder : IDisposable
{
    /// <inheritdoc cref="ValueOrder{TKey}.Quantiles"/>
    void Quantiles(ReadOnlySpan<int> coarse, int shift, ReadOnlySpan<(int Variable, double? Q)> wanted, double[][] results);

    /// <inheritdoc cref="ValueOrder{TKey}.Sketch"/>
    QuantileSketch Sketch();
}

/// <summary>Makes a <see cref="ValueOrder{TKey}"/> of a sorted column in its source dtype.</summary>
internal static class ValueOrder
{
    /// <summary>Column <paramref name="k"/> of <paramref name="sorted"/> (children's segments at <paramref name="start"/>) ordered by value.</summary>
    public static IValueOrder Of(SortedColumns sorted, int k, int[] start)
    {
        int n = start[^1];
        if (sorted.Singles(k) is { } singles)
        {
            var keys = CellBuffers.Rent<uint>(n);
            for (int i = 0; i < n; i++) keys[i] = ValueOrder<uint>.Key(singles[i]);
            return new ValueOrder<uint>(keys, n, start);
        }
        var doubles = sorted.Doubles(k)!;
        var wide = CellBuffers.Rent<ulong>(n);
        for (int i = 0; i < n; i++) wide[i] = ValueOrder<ulong>.Key(doubles[i]);
        return new ValueOrder<ulong>(wide, n, start);
    }
}
