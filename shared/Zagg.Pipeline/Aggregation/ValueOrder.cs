using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Zagg.Pipeline.Aggregation;

/// <summary>
/// One source column of a parent cell's points, in child order, sorted by value where the coarser orders need it: each
/// coarser cell is a run of consecutive children (NESTED), so its values are one range of the column, and
/// <see cref="Quantiles"/> sorts each range in place (order by order, finest first in <see cref="AggregationPlan"/>);
/// <see cref="Sketch"/> sorts the whole column last, for the parent's <see cref="QuantileSketch"/> (<see cref="QuantileSketch.OfSorted(Span{double}, long, int)"/>).
/// The values are replaced by their order-preserving unsigned keys (IEEE 754 bits, the sign bit flipped for positives
/// and every bit for negatives; NaN keys land at the two ends of a sorted range), <typeparamref name="TKey"/> of the
/// value's own size, and a range is sorted by an LSD radix sort through a second buffer of the column's size: over the
/// low bits only, up to the highest bit in which two of its keys differ (one region's heights share their sign and
/// most of their exponent), in as few digits of at most 12 bits as cover them, a pass skipped where every key shares
/// its digit; insertion below <see cref="InsertionLength"/> keys. So the
/// column's memory is its own (taken over from <see cref="SortedColumns"/>, or a copy) plus that buffer: 4 bytes a
/// float32 point; a sort of (value, child) items over the whole cell took 16 (bench/e2e/README, "The pyramid's value
/// sort in place").
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>: the column's dtype.</typeparam>
/// <typeparam name="TKey"><see cref="uint"/> for float32, <see cref="ulong"/> for float64.</typeparam>
internal sealed class ValueOrder<T, TKey> : IValueOrder
    where T : unmanaged where TKey : unmanaged, IBinaryInteger<TKey>, IUnsignedNumber<TKey>
{
    /// <summary>
    /// Bits per radix digit at most: 12 (a 4,096-entry histogram, 16 KiB). Against fixed 11-bit digits on ATL06 heights
    /// of one region (float32, 23 bits differing: two passes instead of three), 39–45 % less time per key for ranges of
    /// 6,000 to 1.6 M keys in granule order (bench/e2e/README, "The framework-dependent pyramid").
    /// </summary>
    private const int MaxDigitBits = 12;

    /// <summary>A range this short is sorted by insertion: a radix sort's histograms would cost more.</summary>
    public const int InsertionLength = 64;

    /// <summary>Bits of a key: 32 for float32, 64 for float64.</summary>
    private static readonly int KeyBits = 8 * Unsafe.SizeOf<TKey>();

    private readonly int _count;
    private int[] _counts = [];
    private T[] _column;
    private T[] _spare = [];
    private bool _decoded;

    /// <summary>Keys <paramref name="column"/>'s first <paramref name="count"/> values in place and takes it over (given back to <see cref="CellBuffers"/> on dispose).</summary>
    /// <exception cref="ArgumentException">The type arguments are not (float, uint) or (double, ulong).</exception>
    public ValueOrder(T[] column, int count)
    {
        if (!(typeof(T) == typeof(float) && typeof(TKey) == typeof(uint) || typeof(T) == typeof(double) && typeof(TKey) == typeof(ulong)))
            throw new ArgumentException($"a {typeof(T).Name} column has no {typeof(TKey).Name} keys");
        _count = count;
        _column = column;
        var keys = Keys;
        for (int i = 0; i < keys.Length; i++) keys[i] = Key(keys[i]);
    }

    private Span<TKey> Keys => MemoryMarshal.Cast<T, TKey>(_column.AsSpan(0, _count));

    // Rented at the first sort, so that a caller can give back what it no longer needs first (a buffer already touched).
    private Span<TKey> Spare
    {
        get
        {
            if (_spare.Length == 0 && _count > 0) _spare = CellBuffers.Rent<T>(_count);
            return MemoryMarshal.Cast<T, TKey>(_spare.AsSpan(0, _count));
        }
    }

    /// <summary>The order-preserving key of a value's IEEE 754 bits (as <typeparamref name="TKey"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TKey Key(TKey bits)
    {
        var sign = TKey.One << (8 * Unsafe.SizeOf<TKey>() - 1);
        return (bits & sign) != TKey.Zero ? ~bits : bits | sign;
    }

    /// <summary>The IEEE 754 bits of a key's value (the inverse of <see cref="Key"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TKey Bits(TKey key)
    {
        var sign = TKey.One << (8 * Unsafe.SizeOf<TKey>() - 1);
        return (key & sign) != TKey.Zero ? key & ~sign : ~key;
    }

    /// <summary>The value of a key, as float64.</summary>
    public static double Value(TKey key)
    {
        var bits = Bits(key);
        return typeof(TKey) == typeof(uint) ? BitConverter.UInt32BitsToSingle(uint.CreateTruncating(bits)) : BitConverter.UInt64BitsToDouble(ulong.CreateTruncating(bits));
    }

    /// <summary>
    /// Writes results[v][j] for every wanted (variable v, q-quantile or the median when q is null) and every coarse cell
    /// j with points, as <see cref="OrderStatisticsReducer"/> does from the same order statistics: NaN where a value is.
    /// Sorts each coarse cell's range of the column in place.
    /// </summary>
    /// <param name="coarse">cells + 1 ascending offsets: coarse cell j's points are [coarse[j], coarse[j + 1]) of the column.</param>
    /// <param name="wanted">The quantiles to write.</param>
    /// <param name="results">Per variable, a result per coarse cell.</param>
    /// <exception cref="InvalidOperationException">After <see cref="Sketch"/>.</exception>
    public void Quantiles(ReadOnlySpan<int> coarse, ReadOnlySpan<(int Variable, double? Q)> wanted, double[][] results)
    {
        if (_decoded) throw new InvalidOperationException("the column was given to the sketch");
        var keys = Keys;
        var spare = Spare;
        for (int j = 0; j + 1 < coarse.Length; j++)
        {
            int from = coarse[j], n = coarse[j + 1] - from;
            if (n == 0) continue;
            var sorted = keys.Slice(from, n);
            Sort(sorted, spare.Slice(from, n));
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

    /// <summary>
    /// The sketch of every point's value: <see cref="QuantileSketch.Of"/>'s bytes, from the whole column sorted. The last
    /// use: the column holds its sorted values afterwards, not keys.
    /// </summary>
    /// <exception cref="InvalidOperationException">Called twice.</exception>
    public QuantileSketch Sketch()
    {
        if (_decoded) throw new InvalidOperationException("the column was given to the sketch");
        var keys = Keys;
        Sort(keys, Spare);
        int lo = 0, hi = keys.Length;
        while (lo < hi && double.IsNaN(Value(keys[lo]))) lo++;
        while (hi > lo && double.IsNaN(Value(keys[hi - 1]))) hi--;
        // Back to values, in place (the same bits per point).
        for (int i = lo; i < hi; i++) keys[i] = Bits(keys[i]);
        _decoded = true;
        long nanCount = keys.Length - (hi - lo);
        if (typeof(T) == typeof(double))
            return QuantileSketch.OfSorted(MemoryMarshal.Cast<T, double>(_column.AsSpan(lo, hi - lo)), nanCount);
        return QuantileSketch.OfSorted(MemoryMarshal.Cast<T, float>(_column.AsSpan(lo, hi - lo)), nanCount, MemoryMarshal.Cast<TKey, double>(Spare));
    }

    public void Dispose()
    {
        if (_column.Length > 0) CellBuffers.Return(_column);
        if (_spare.Length > 0) CellBuffers.Return(_spare);
        if (_counts.Length > 0) CellBuffers.Return(_counts);
        _column = [];
        _spare = [];
        _counts = [];
    }

    /// <summary>Sorts <paramref name="keys"/> ascending, <paramref name="spare"/> (as long) its working space.</summary>
    private void Sort(Span<TKey> keys, Span<TKey> spare)
    {
        int n = keys.Length;
        if (n <= InsertionLength)
        {
            for (int i = 1; i < n; i++)
            {
                var x = keys[i];
                int j = i - 1;
                for (; j >= 0 && keys[j] > x; j--) keys[j + 1] = keys[j];
                keys[j + 1] = x;
            }
            return;
        }
        // Only the bits below the highest one in which two keys differ: the ones above are every key's.
        TKey min = keys[0], max = keys[0];
        foreach (var key in keys)
        {
            if (key < min) min = key;
            if (key > max) max = key;
        }
        int width = KeyBits - int.CreateTruncating(TKey.LeadingZeroCount(min ^ max));
        if (width == 0) return; // every key the same
        int digits = (width + MaxDigitBits - 1) / MaxDigitBits, bits = (width + digits - 1) / digits;
        int buckets = 1 << bits, mask = buckets - 1;
        if (_counts.Length == 0) _counts = CellBuffers.Rent<int>(((KeyBits + MaxDigitBits - 1) / MaxDigitBits) << MaxDigitBits);
        var counts = _counts.AsSpan(0, digits << bits);
        counts.Clear();
        foreach (var key in keys)
            for (int d = 0; d < digits; d++) counts[(d << bits) + (int)(uint.CreateTruncating(key >> (bits * d)) & (uint)mask)]++;
        Span<TKey> from = keys, to = spare;
        for (int d = 0; d < digits; d++)
        {
            var count = counts.Slice(d << bits, buckets);
            if (count.Contains(n)) continue; // every key has this digit: the pass would not move anything
            int sum = 0;
            for (int b = 0; b < buckets; b++) (count[b], sum) = (sum, sum + count[b]);
            int shift = bits * d;
            foreach (var key in from) to[count[(int)(uint.CreateTruncating(key >> shift) & (uint)mask)]++] = key;
            var t = from;
            from = to;
            to = t;
        }
        if (from != keys) from.CopyTo(keys);
    }
}

/// <summary>A column's <see cref="ValueOrder{T, TKey}"/>, whichever its dtype.</summary>
internal interface IValueOrder : IDisposable
{
    /// <inheritdoc cref="ValueOrder{T, TKey}.Quantiles"/>
    void Quantiles(ReadOnlySpan<int> coarse, ReadOnlySpan<(int Variable, double? Q)> wanted, double[][] results);

    /// <inheritdoc cref="ValueOrder{T, TKey}.Sketch"/>
    QuantileSketch Sketch();
}

/// <summary>Makes a <see cref="ValueOrder{T, TKey}"/> of a sorted column in its source dtype.</summary>
internal static class ValueOrder
{
    /// <summary>
    /// Column <paramref name="k"/> of <paramref name="sorted"/> (<paramref name="count"/> points, in child order) to be
    /// ordered by value: taken over from <paramref name="sorted"/> when <paramref name="take"/> (nothing reads the column
    /// there afterwards), else copied.
    /// </summary>
    public static IValueOrder Of(SortedColumns sorted, int k, int count, bool take)
    {
        IValueOrder order = sorted.Singles(k) is { } singles
            ? new ValueOrder<float, uint>(take ? singles : Copy(singles, count), count)
            : new ValueOrder<double, ulong>(take ? sorted.Doubles(k)! : Copy(sorted.Doubles(k)!, count), count);
        if (take) sorted.TakeOver(k);
        return order;
    }

    private static T[] Copy<T>(T[] column, int count) where T : unmanaged
    {
        if (count == 0) return [];
        var copy = CellBuffers.Rent<T>(count);
        column.AsSpan(0, count).CopyTo(copy);
        return copy;
    }
}
