using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Zagg.Pipeline.Aggregation;

/// <summary>
/// One source column of a parent cell's points sorted by value once, for every coarser order of the pyramid: an LSD
/// radix sort (11-bit digits, a pass skipped where every key shares its digit) of items that pack the value's
/// order-preserving unsigned key (IEEE 754 bits, the sign bit flipped for positives and every bit for negatives; NaN
/// keys land at the two ends) in their upper half and the point's child index in their lower half: a float32 column's
/// items are 8 bytes (<see cref="ulong"/>), a float64 column's 16 (<see cref="UInt128"/>), and a pass moves one item. A
/// coarser cell's values then come in ascending order from one stable counting pass over the coarse cell index
/// (<see cref="ByCell"/>): O(n) per order where a selection per coarse cell re-reads and re-partitions its values; and
/// the parent's own values in order for its <see cref="QuantileSketch"/> (<see cref="QuantileSketch.OfSorted"/>)
/// instead of a sort. The sort's second buffer is kept as the working space of both (8 bytes a point or more).
/// </summary>
/// <typeparam name="TItem"><see cref="ulong"/> for a float32 column, <see cref="UInt128"/> for a float64 one.</typeparam>
internal sealed class ValueOrder<TItem> : IValueOrder where TItem : unmanaged, IBinaryInteger<TItem>, IUnsignedNumber<TItem>
{
    private static readonly int HalfBits = 4 * Unsafe.SizeOf<TItem>();
    private readonly int _count;
    private TItem[] _items;
    private TItem[] _spare;

    /// <summary>Sorts <paramref name="items"/> (<see cref="Item(float, int)"/> or <see cref="Item(double, int)"/> of every point) by value.</summary>
    /// <param name="items">The points' items, taken over (from <see cref="CellBuffers"/>).</param>
    /// <param name="count">Points: the items' length in use.</param>
    /// <param name="counts">Every digit's histogram of the items' keys (<see cref="Count"/>, <see cref="Digits"/> × 2,048), counted while they were made.</param>
    public ValueOrder(TItem[] items, int count, int[] counts)
    {
        _count = count;
        _items = items;
        _spare = CellBuffers.Rent<TItem>(count);
        Sort(counts);
    }

    /// <summary>Radix digits of a key: three for float32, six for float64.</summary>
    public static int Digits => (HalfBits + DigitBits - 1) / DigitBits;

    /// <summary>Entries of the digits' histogram <see cref="Count"/> fills: <see cref="Digits"/> × 2,048.</summary>
    public static int HistogramLength => Digits << DigitBits;

    /// <summary>Counts every digit of an item's key into <paramref name="counts"/> (<see cref="Digits"/> × 2,048 entries).</summary>
    public static void Count(TItem item, int[] counts)
    {
        var key = item >> HalfBits;
        for (int d = 0, digits = Digits; d < digits; d++) counts[(d << DigitBits) + (int)(uint.CreateTruncating(key >> (DigitBits * d)) & ((1 << DigitBits) - 1))]++;
    }

    /// <summary>The item of a float32 value of child <paramref name="child"/>.</summary>
    public static ulong Item(float x, int child)
    {
        uint bits = BitConverter.SingleToUInt32Bits(x);
        ulong key = (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;
        return key << 32 | (uint)child;
    }

    /// <summary>The item of a float64 value of child <paramref name="child"/>.</summary>
    public static UInt128 Item(double x, int child)
    {
        ulong bits = BitConverter.DoubleToUInt64Bits(x);
        ulong key = (bits & 0x8000_0000_0000_0000ul) != 0 ? ~bits : bits | 0x8000_0000_0000_0000ul;
        return (UInt128)key << 64 | (uint)child;
    }

    /// <summary>The value of an item, as float64.</summary>
    public static double Value(TItem item)
    {
        if (typeof(TItem) == typeof(ulong))
        {
            uint k = (uint)(ulong.CreateTruncating(item) >> 32);
            return BitConverter.UInt32BitsToSingle((k & 0x8000_0000u) != 0 ? k & 0x7FFF_FFFFu : ~k);
        }
        ulong w = ulong.CreateTruncating(item >> 64);
        return BitConverter.UInt64BitsToDouble((w & 0x8000_0000_0000_0000ul) != 0 ? w & 0x7FFF_FFFF_FFFF_FFFFul : ~w);
    }

    /// <summary>Every point's item, ascending by value.</summary>
    public ReadOnlySpan<TItem> Items => _items.AsSpan(0, _count);

    /// <summary>
    /// The values grouped by coarse cell — cell j's at [<paramref name="coarse"/>[j], coarse[j + 1]), ascending within —
    /// where child c lies in cell c >> <paramref name="shift"/>; in the working space, valid until the next call.
    /// </summary>
    /// <param name="coarse">cells + 1 ascending offsets (the children's offsets at every 2^shift-th child).</param>
    /// <param name="shift">2 × (child order − the coarse order).</param>
    public Span<double> ByCell(ReadOnlySpan<int> coarse, int shift)
    {
        var destination = MemoryMarshal.Cast<TItem, double>(_spare.AsSpan(0, _count))[.._count];
        var cursor = CellBuffers.Rent<int>(coarse.Length);
        try
        {
            coarse.CopyTo(cursor);
            foreach (var item in Items) destination[cursor[int.CreateTruncating(item) >> shift]++] = Value(item);
        }
        finally { CellBuffers.Return(cursor); }
        return destination;
    }

    /// <summary>
    /// Writes results[v][j] for every wanted (variable v, q-quantile or the median when q is null) and every coarse cell
    /// j with points, as <see cref="OrderStatisticsReducer"/> does from the same order statistics: NaN where a value is.
    /// </summary>
    public void Quantiles(ReadOnlySpan<int> coarse, int shift, ReadOnlySpan<(int Variable, double? Q)> wanted, double[][] results)
    {
        var byCell = ByCell(coarse, shift);
        for (int j = 0; j + 1 < coarse.Length; j++)
        {
            int n = coarse[j + 1] - coarse[j];
            if (n == 0) continue;
            var sorted = byCell.Slice(coarse[j], n);
            // NaN keys sort to the two ends.
            bool nan = double.IsNaN(sorted[0]) || double.IsNaN(sorted[^1]);
            foreach (var (v, q) in wanted)
            {
                if (nan) results[v][j] = double.NaN;
                else if (q is { } quantile)
                {
                    var (below, above, gamma) = Statistics.QuantileRanks(n, quantile);
                    results[v][j] = Statistics.QuantileOf(sorted[below], sorted[above], gamma);
                }
                else results[v][j] = Statistics.MedianOf(n, sorted[(n - 1) / 2], sorted[n / 2]);
            }
        }
    }

    /// <summary>The sketch of every point's value: <see cref="QuantileSketch.Of"/>'s bytes, from the sorted items.</summary>
    public QuantileSketch Sketch()
    {
        var items = Items;
        int lo = 0, hi = items.Length;
        while (lo < hi && double.IsNaN(Value(items[lo]))) lo++;
        while (hi > lo && double.IsNaN(Value(items[hi - 1]))) hi--;
        var values = MemoryMarshal.Cast<TItem, double>(_spare.AsSpan(0, _count))[..(hi - lo)];
        for (int i = lo; i < hi; i++) values[i - lo] = Value(items[i]);
        return QuantileSketch.OfSorted(values, items.Length - (hi - lo));
    }

    public void Dispose()
    {
        if (_items.Length > 0) CellBuffers.Return(_items);
        if (_spare.Length > 0) CellBuffers.Return(_spare);
        _items = [];
        _spare = [];
    }

    /// <summary>Bits per radix digit: 11 (a 2,048-entry histogram, 8 KiB, stays in the L1 cache): three passes for a float32 key, six for a float64 one.</summary>
    private const int DigitBits = 11;

    private void Sort(int[] counts)
    {
        int n = _count, digits = Digits;
        const int buckets = 1 << DigitBits, mask = buckets - 1;
        if (n < 2) return;
        for (int d = 0; d < digits; d++)
        {
            var count = counts.AsSpan(d * buckets, buckets);
            if (count.Contains(n)) continue; // every key has this digit: the pass would not move anything
            int sum = 0;
            for (int b = 0; b < buckets; b++) (count[b], sum) = (sum, sum + count[b]);
            var from = _items.AsSpan(0, n);
            var to = _spare.AsSpan(0, n);
            int shift = HalfBits + DigitBits * d;
            foreach (var item in from) to[count[(int)(uint.CreateTruncating(item >> shift) & mask)]++] = item;
            (_items, _spare) = (_spare, _items);
        }
    }
}

/// <summary>A column's <see cref="ValueOrder{TItem}"/>, whichever its key type.</summary>
internal interface IValueOrder : IDisposable
{
    /// <inheritdoc cref="ValueOrder{TItem}.Quantiles"/>
    void Quantiles(ReadOnlySpan<int> coarse, int shift, ReadOnlySpan<(int Variable, double? Q)> wanted, double[][] results);

    /// <inheritdoc cref="ValueOrder{TItem}.Sketch"/>
    QuantileSketch Sketch();
}

/// <summary>Makes a <see cref="ValueOrder{TItem}"/> of a sorted column in its source dtype.</summary>
internal static class ValueOrder
{
    /// <summary>Column <paramref name="k"/> of <paramref name="sorted"/> (child c's points at [start[c], start[c + 1])) ordered by value.</summary>
    public static IValueOrder Of(SortedColumns sorted, int k, int[] start)
        => sorted.Singles(k) is { } singles ? OfSingles(singles, start) : OfDoubles(sorted.Doubles(k)!, start);

    private static ValueOrder<ulong> OfSingles(float[] singles, int[] start)
    {
        int n = start[^1];
        var items = CellBuffers.Rent<ulong>(n);
        // The keys' digits counted as the items are made (one pass less over them).
        var counts = new int[ValueOrder<ulong>.HistogramLength];
        for (int c = 0; c + 1 < start.Length; c++)
            for (int i = start[c]; i < start[c + 1]; i++) ValueOrder<ulong>.Count(items[i] = ValueOrder<ulong>.Item(singles[i], c), counts);
        return new ValueOrder<ulong>(items, n, counts);
    }

    // Apart from OfSingles: ReadyToRun compiles no method that touches UInt128 (its ABI is settled at run time), so a
    // method with both paths left the float32 one to the JIT too (bench/e2e/README, "What the JIT compiled").
    private static ValueOrder<UInt128> OfDoubles(double[] doubles, int[] start)
    {
        int n = start[^1];
        var wide = CellBuffers.Rent<UInt128>(n);
        var wideCounts = new int[ValueOrder<UInt128>.HistogramLength];
        for (int c = 0; c + 1 < start.Length; c++)
            for (int i = start[c]; i < start[c + 1]; i++) ValueOrder<UInt128>.Count(wide[i] = ValueOrder<UInt128>.Item(doubles[i], c), wideCounts);
        return new ValueOrder<UInt128>(wide, n, wideCounts);
    }
}
