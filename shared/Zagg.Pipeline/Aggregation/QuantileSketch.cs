namespace Zagg.Pipeline.Aggregation;

/// <summary>
/// A mergeable quantile sketch after Karnin, Lang and Liberty, "Optimal Quantile Approximation in Streams"
/// (FOCS 2016, "KLL"): a stack of compactors, level h holding items of weight 2^h. A level over its capacity
/// <see cref="K"/> is sorted and compacted — every other item (odd or even positions, by a coin) moves one level up
/// with twice the weight, the rest are dropped — so the sketch holds O(K·log(n/K)) items for n values.
/// </summary>
/// <remarks>
/// <para>
/// Error bound. The paper's compactor lemma (§2): compacting a sorted buffer of items of weight w changes the
/// weighted rank R̂(y) = Σ{weight of items ≤ y} of any y by at most w. The sketch adds 2^h to
/// <see cref="RankErrorBound"/> at each compaction of level h, so for every y, |R̂(y) − #{x ≤ y}| ≤
/// <see cref="RankErrorBound"/> holds with certainty whatever the coins, and whatever grouping the sketch was merged
/// in. Built from one cell's values (<see cref="Of"/>, a sorted array halved level by level) the bound is below 2n/K;
/// each merge that compacts adds at most n/K per level compacted. With <see cref="DefaultK"/> = 1024 a parent cell's
/// sketch is within 0.2 % of n in rank, and a merge of parents typically within 0.5 %. The coins come from a fixed
/// sequence per level (SplitMix64 of level and compaction number), so the same inputs merged in the same order give
/// the same bytes; the paper's random coins are what make the typical error far smaller than the certified one.
/// </para>
/// <para>
/// <see cref="Min"/>, <see cref="Max"/> and <see cref="Count"/> are kept exactly (the 0- and 1-quantiles are exact). A
/// NaN among the values makes every quantile NaN, as NumPy.
/// </para>
/// </remarks>
public sealed class QuantileSketch
{
    /// <summary>The level capacity used by the engine: 1024 items (8 KiB) per level.</summary>
    public const int DefaultK = 1024;

    private readonly List<List<double>> _levels = [];
    private readonly List<long> _compactions = [];

    /// <summary>A sketch of no values with level capacity <paramref name="k"/> (even, ≥ 8).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is odd or below 8.</exception>
    public QuantileSketch(int k = DefaultK)
    {
        if (k < 8 || k % 2 != 0) throw new ArgumentOutOfRangeException(nameof(k), k, "the capacity must be even and at least 8");
        K = k;
    }

    /// <summary>Level capacity.</summary>
    public int K { get; }

    /// <summary>Values summarized (NaN included).</summary>
    public long Count { get; private set; }

    /// <summary>Smallest value (exact); +∞ for none.</summary>
    public double Min { get; private set; } = double.PositiveInfinity;

    /// <summary>Largest value (exact); −∞ for none.</summary>
    public double Max { get; private set; } = double.NegativeInfinity;

    /// <summary>A NaN was among the values.</summary>
    public bool HasNaN { get; private set; }

    /// <summary>Certified bound on the rank error of any value, in values (see the remarks).</summary>
    public long RankErrorBound { get; private set; }

    /// <summary>Items held (the sketch's size).</summary>
    public int Retained
    {
        get
        {
            int n = 0;
            foreach (var l in _levels) n += l.Count;
            return n;
        }
    }

    /// <summary>The sketch of <paramref name="values"/>: sorted once, then halved level by level until a level fits.</summary>
    public static QuantileSketch Of(ReadOnlySpan<double> values, int k = DefaultK)
    {
        var s = new QuantileSketch(k);
        var items = new List<double>(values.Length);
        foreach (double x in values) s.Note(x, items);
        items.Sort();
        s.Level(0).AddRange(items);
        s.Compress();
        return s;
    }

    /// <summary>
    /// The sketch <see cref="Of"/> makes of the same values, from them already sorted: <paramref name="sorted"/> holds
    /// every value that is not NaN, ascending, and <paramref name="nanCount"/> says how many NaN there were besides. Each
    /// level is halved once, in place, with the same coins, so the bytes are those of <see cref="Of"/>, in O(n) instead
    /// of a sort of n values (the pyramid sorts a parent's values once: <see cref="ValueOrder"/>).
    /// </summary>
    /// <param name="sorted">The values but NaN, ascending; overwritten (it is the halving's working space).</param>
    /// <param name="nanCount">NaN values counted besides.</param>
    /// <param name="k">Level capacity (even, ≥ 8).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is odd or below 8.</exception>
    internal static QuantileSketch OfSorted(Span<double> sorted, long nanCount, int k = DefaultK)
    {
        var s = new QuantileSketch(k) { Count = sorted.Length + nanCount, HasNaN = nanCount > 0 };
        if (!sorted.IsEmpty) (s.Min, s.Max) = (sorted[0], sorted[^1]);
        s.HalveSorted(sorted, 0);
        return s;
    }

    /// <summary>
    /// <see cref="OfSorted(Span{double}, long, int)"/> of float32 values (each exactly a float64): the same bytes. The
    /// first halving reads <paramref name="sorted"/> and writes <paramref name="work"/>, so the values stay as they are.
    /// </summary>
    /// <param name="sorted">The values but NaN, ascending.</param>
    /// <param name="nanCount">NaN values counted besides.</param>
    /// <param name="work">At least half of <paramref name="sorted"/>'s length: the working space of the halving.</param>
    /// <param name="k">Level capacity (even, ≥ 8).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is odd or below 8.</exception>
    /// <exception cref="ArgumentException"><paramref name="work"/> is shorter than half of <paramref name="sorted"/>.</exception>
    internal static QuantileSketch OfSorted(ReadOnlySpan<float> sorted, long nanCount, Span<double> work, int k = DefaultK)
    {
        var s = new QuantileSketch(k) { Count = sorted.Length + nanCount, HasNaN = nanCount > 0 };
        var level = s.Level(0);
        if (sorted.IsEmpty) return s;
        (s.Min, s.Max) = (sorted[0], sorted[^1]);
        if (sorted.Length <= k)
        {
            foreach (float x in sorted) level.Add(x);
            return s;
        }
        int pairs = sorted.Length / 2;
        if (work.Length < pairs) throw new ArgumentException($"the working space holds {work.Length} values, the halving needs {pairs}", nameof(work));
        int offset = Coin(0, s._compactions[0]++);
        if (sorted.Length % 2 == 1) level.Add(sorted[^1]);
        for (int i = 0; i < pairs; i++) work[i] = sorted[2 * i + offset];
        s.RankErrorBound += 1;
        s.HalveSorted(work[..pairs], 1);
        return s;
    }

    /// <summary>
    /// Puts sorted <paramref name="items"/> of weight 2^<paramref name="h"/> into the levels from <paramref name="h"/> up:
    /// while they overflow a level, the odd item out stays there and every other item moves up, in place.
    /// </summary>
    private void HalveSorted(Span<double> items, int h)
    {
        var level = Level(h);
        while (items.Length > K)
        {
            int pairs = items.Length / 2;
            int offset = Coin(h, _compactions[h]++);
            if (items.Length % 2 == 1) level.Add(items[^1]);
            for (int i = 0; i < pairs; i++) items[i] = items[2 * i + offset];
            items = items[..pairs];
            RankErrorBound += 1L << h;
            level = Level(++h);
        }
        foreach (double x in items) level.Add(x);
    }

    /// <summary>Adds one value.</summary>
    public void Add(double x)
    {
        Note(x, Level(0));
        if (_levels[0].Count > K) Compress();
    }

    /// <summary>Adds <paramref name="other"/>'s values (its items, level by level), then compacts what overflows.</summary>
    /// <exception cref="ArgumentException">The capacities differ.</exception>
    public void Merge(QuantileSketch other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.K != K) throw new ArgumentException($"sketch capacities differ ({K}, {other.K})", nameof(other));
        for (int h = 0; h < other._levels.Count; h++) Level(h).AddRange(other._levels[h]);
        Count += other.Count;
        Min = Math.Min(Min, other.Min);
        Max = Math.Max(Max, other.Max);
        HasNaN |= other.HasNaN;
        RankErrorBound += other.RankErrorBound;
        Compress();
    }

    /// <summary>
    /// The q-quantile by NumPy's default (linear interpolation between the order statistics at ranks ⌊q(n−1)⌋ and
    /// ⌈q(n−1)⌉), each taken from the sketch's weighted items; NaN for no values or when a value was NaN.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="q"/> is outside [0, 1].</exception>
    public double Quantile(double q)
    {
        if (!(q >= 0 && q <= 1)) throw new ArgumentOutOfRangeException(nameof(q), q, "q must be in [0, 1]");
        if (Count == 0 || HasNaN) return double.NaN;
        var (below, above, gamma) = Statistics.QuantileRanks(checked((int)Math.Min(Count, int.MaxValue)), q);
        var (items, weights) = Weighted();
        return Statistics.QuantileOf(ValueAt(below, items, weights), ValueAt(above, items, weights), gamma);
    }

    /// <summary>The median: the 0.5 quantile.</summary>
    public double Median() => Quantile(0.5);

    private double ValueAt(long rank, double[] items, long[] weights)
    {
        if (rank <= 0) return Min;
        if (rank >= Count - 1) return Max;
        long cumulative = 0;
        for (int i = 0; i < items.Length; i++)
        {
            cumulative += weights[i];
            if (rank < cumulative) return items[i];
        }
        return Max;
    }

    private (double[] Items, long[] Weights) Weighted()
    {
        int n = Retained, j = 0;
        var items = new double[n];
        var weights = new long[n];
        for (int h = 0; h < _levels.Count; h++)
            foreach (double x in _levels[h])
            {
                items[j] = x;
                weights[j++] = 1L << h;
            }
        Array.Sort(items, weights);
        return (items, weights);
    }

    private void Note(double x, List<double> into)
    {
        Count++;
        if (double.IsNaN(x)) { HasNaN = true; return; }
        if (x < Min) Min = x;
        if (x > Max) Max = x;
        into.Add(x);
    }

    private List<double> Level(int h)
    {
        while (_levels.Count <= h)
        {
            _levels.Add([]);
            _compactions.Add(0);
        }
        return _levels[h];
    }

    /// <summary>Compacts every level over capacity, bottom up, until every level fits.</summary>
    private void Compress()
    {
        for (int h = 0; h < _levels.Count; h++)
        {
            var level = _levels[h];
            while (level.Count > K)
            {
                level.Sort();
                // An odd item out stays at this level, exactly weighted; the rest halves.
                int pairs = level.Count / 2;
                int offset = Coin(h, _compactions[h]++);
                var up = Level(h + 1);
                for (int i = 0; i < pairs; i++) up.Add(level[2 * i + offset]);
                double? odd = level.Count % 2 == 1 ? level[^1] : null;
                level.Clear();
                if (odd is { } o) level.Add(o);
                RankErrorBound += 1L << h;
            }
        }
    }

    private static int Coin(int level, long compaction)
    {
        ulong z = (ulong)compaction * 0x9E3779B97F4A7C15UL + (ulong)level * 0xBF58476D1CE4E5B9UL + 0x94D049BB133111EBUL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (int)((z ^ (z >> 31)) & 1);
    }

    /// <summary>
    /// The sketch as bytes (little-endian): K, count, min, max, NaN flag, rank-error bound, level count, then per level
    /// its compaction count, item count and items.
    /// </summary>
    public byte[] ToBytes()
    {
        using var m = new MemoryStream();
        using var w = new BinaryWriter(m);
        w.Write(K);
        w.Write(Count);
        w.Write(Min);
        w.Write(Max);
        w.Write(HasNaN);
        w.Write(RankErrorBound);
        w.Write(_levels.Count);
        for (int h = 0; h < _levels.Count; h++)
        {
            w.Write(_compactions[h]);
            w.Write(_levels[h].Count);
            foreach (double x in _levels[h]) w.Write(x);
        }
        w.Flush();
        return m.ToArray();
    }

    /// <summary>Reads what <see cref="ToBytes"/> wrote.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a sketch.</exception>
    public static QuantileSketch FromBytes(BinaryReader r)
    {
        ArgumentNullException.ThrowIfNull(r);
        try
        {
            var s = new QuantileSketch(r.ReadInt32())
            {
                Count = r.ReadInt64(),
                Min = r.ReadDouble(),
                Max = r.ReadDouble(),
                HasNaN = r.ReadBoolean(),
                RankErrorBound = r.ReadInt64(),
            };
            int levels = r.ReadInt32();
            if (levels is < 0 or > 64) throw new InvalidDataException($"a quantile sketch with {levels} levels");
            for (int h = 0; h < levels; h++)
            {
                var level = s.Level(h);
                s._compactions[h] = r.ReadInt64();
                int n = r.ReadInt32();
                if (n < 0 || n > s.K + 1) throw new InvalidDataException($"a quantile sketch level of {n} items");
                for (int i = 0; i < n; i++) level.Add(r.ReadDouble());
            }
            return s;
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentOutOfRangeException)
        {
            throw new InvalidDataException("a quantile sketch's bytes end too soon or are not valid", e);
        }
    }
}
