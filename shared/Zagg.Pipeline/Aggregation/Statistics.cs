namespace Zagg.Pipeline.Aggregation;

/// <summary>
/// The aggregation functions over one cell's values, with NumPy's semantics: population
/// variance, quantiles by linear interpolation (NumPy's default, including its lerp), the
/// weighted average, NaN propagating through min/max/sum/mean as in NumPy.
/// </summary>
public static class Statistics
{
    /// <summary>
    /// Σa as NumPy's <c>np.add.reduce</c> gives it for a contiguous float64 array, to the bit: its pairwise summation
    /// (numpy/core/src/umath/loops_utils.h.src, <c>pairwise_sum</c>: fewer than 8 values added in order; up to 128 in eight
    /// interleaved partial sums, combined ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)), the rest added in order;
    /// longer, split at half rounded down to a multiple of 8) added to the reduction's identity, 0.
    /// </summary>
    public static double Sum(ReadOnlySpan<double> a) => 0.0 + PairwiseSum(a);

    private static double PairwiseSum(ReadOnlySpan<double> a)
    {
        int n = a.Length;
        if (n < 8)
        {
            double s = 0;
            foreach (double v in a) s += v;
            return s;
        }
        if (n <= 128)
        {
            double r0 = a[0], r1 = a[1], r2 = a[2], r3 = a[3], r4 = a[4], r5 = a[5], r6 = a[6], r7 = a[7];
            int i = 8;
            for (; i < n - n % 8; i += 8)
            {
                r0 += a[i]; r1 += a[i + 1]; r2 += a[i + 2]; r3 += a[i + 3];
                r4 += a[i + 4]; r5 += a[i + 5]; r6 += a[i + 6]; r7 += a[i + 7];
            }
            double s = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
            for (; i < n; i++) s += a[i];
            return s;
        }
        int half = n / 2;
        half -= half % 8;
        return PairwiseSum(a[..half]) + PairwiseSum(a[half..]);
    }

    public static double Mean(ReadOnlySpan<double> a) => a.Length == 0 ? double.NaN : Sum(a) / a.Length;

    public static double Min(ReadOnlySpan<double> a)
    {
        if (a.Length == 0) return double.NaN;
        double m = double.PositiveInfinity;
        foreach (double v in a)
        {
            if (double.IsNaN(v)) return double.NaN;
            if (v < m) m = v;
        }
        return m;
    }

    public static double Max(ReadOnlySpan<double> a)
    {
        if (a.Length == 0) return double.NaN;
        double m = double.NegativeInfinity;
        foreach (double v in a)
        {
            if (double.IsNaN(v)) return double.NaN;
            if (v > m) m = v;
        }
        return m;
    }

    /// <summary>Population variance: mean of squared deviations from the mean (ddof 0).</summary>
    public static double Variance(ReadOnlySpan<double> a) => Variance(a, new double[a.Length]);

    /// <summary>Population variance, with the squared deviations in <paramref name="scratch"/> (at least as long as <paramref name="a"/>).</summary>
    public static double Variance(ReadOnlySpan<double> a, Span<double> scratch)
    {
        if (a.Length == 0) return double.NaN;
        double mean = Mean(a);
        var sq = scratch[..a.Length];
        for (int i = 0; i < a.Length; i++)
        {
            double d = a[i] - mean;
            sq[i] = d * d;
        }
        return Sum(sq) / a.Length;
    }

    public static double StandardDeviation(ReadOnlySpan<double> a) => Math.Sqrt(Variance(a));

    /// <summary>Σ a·w / Σ w.</summary>
    public static double WeightedAverage(ReadOnlySpan<double> a, ReadOnlySpan<double> w) => WeightedAverage(a, w, new double[a.Length]);

    /// <summary>Σ a·w / Σ w, with the products in <paramref name="scratch"/> (at least as long as <paramref name="a"/>).</summary>
    /// <exception cref="ArgumentException"><paramref name="w"/> is not as long as <paramref name="a"/>.</exception>
    public static double WeightedAverage(ReadOnlySpan<double> a, ReadOnlySpan<double> w, Span<double> scratch)
    {
        if (a.Length == 0) return double.NaN;
        if (w.Length != a.Length) throw new ArgumentException("weights and values differ in length");
        var aw = scratch[..a.Length];
        for (int i = 0; i < a.Length; i++) aw[i] = a[i] * w[i];
        return Sum(aw) / Sum(w);
    }

    /// <summary>The q-quantile by linear interpolation between sorted values (NumPy's default method).</summary>
    public static double Quantile(ReadOnlySpan<double> a, double q)
    {
        if (!(q >= 0 && q <= 1)) throw new ArgumentOutOfRangeException(nameof(q), q, "a quantile must be in [0, 1]");
        if (a.Length == 0) return double.NaN;
        var sorted = a.ToArray();
        foreach (double v in sorted) if (double.IsNaN(v)) return double.NaN;
        Array.Sort(sorted);
        return QuantileOfSorted(sorted, q);
    }

    /// <summary>The q-quantile of values already sorted ascending and free of NaN.</summary>
    public static double QuantileOfSorted(ReadOnlySpan<double> sorted, double q)
    {
        if (sorted.Length == 0) return double.NaN;
        var (below, above, gamma) = QuantileRanks(sorted.Length, q);
        return Lerp(sorted[below], sorted[above], gamma);
    }

    /// <summary>Which order statistics (0-based ranks) the q-quantile of n values interpolates, and how far between them.</summary>
    public static (int Below, int Above, double Gamma) QuantileRanks(int n, double q)
    {
        double index = (n - 1) * q;
        int below = (int)Math.Floor(index);
        return (below, Math.Min(below + 1, n - 1), index - below);
    }

    /// <summary>The q-quantile from its two order statistics (see <see cref="QuantileRanks"/>).</summary>
    public static double QuantileOf(double below, double above, double gamma) => Lerp(below, above, gamma);

    /// <summary>The median from its two middle order statistics, ranks (n − 1) / 2 and n / 2 (one value when n is odd).</summary>
    public static double MedianOf(int n, double lower, double upper) => n % 2 == 1 ? upper : (lower + upper) / 2;

    /// <summary>
    /// Selects every rank of <paramref name="ascendingRanks"/> (repeats allowed): afterwards <paramref name="values"/>[r]
    /// holds what a sort would put there, for each r. Values must be free of NaN. Divide and conquer: the middle rank is
    /// selected over the whole span, the lower ranks then within what lies below it and the upper ones within what lies
    /// above; a rank at either end of its range (a quantile's second order statistic, next to its first) is the least or
    /// greatest value there, one scan. About 6 n comparisons for the three quartiles' six ranks, where selecting each in
    /// turn above the previous one takes about 9 n.
    /// </summary>
    public static void SelectRanks(Span<double> values, ReadOnlySpan<int> ascendingRanks) => SelectRanks(values, 0, values.Length, ascendingRanks);

    private static void SelectRanks(Span<double> v, int lo, int hi, ReadOnlySpan<int> ranks)
    {
        // Only the ranks inside [lo, hi) (the others, repeats of a rank selected around this range, are in place).
        while (ranks.Length > 0 && ranks[0] < lo) ranks = ranks[1..];
        while (ranks.Length > 0 && ranks[^1] >= hi) ranks = ranks[..^1];
        if (ranks.Length == 0) return;
        int m = ranks.Length / 2, k = ranks[m];
        if (k == lo) MoveExtreme(v, lo, hi, least: true);
        else if (k == hi - 1) MoveExtreme(v, lo, hi, least: false);
        else Select(v, lo, hi, k);
        SelectRanks(v, lo, k, ranks[..m]);
        SelectRanks(v, k + 1, hi, ranks[(m + 1)..]);
    }

    /// <summary>Swaps the least (or greatest) of <paramref name="v"/>[lo..hi) to lo (or hi − 1).</summary>
    private static void MoveExtreme(Span<double> v, int lo, int hi, bool least)
    {
        int at = least ? lo : hi - 1;
        int best = at;
        for (int i = lo; i < hi; i++)
            if (least ? v[i] < v[best] : v[i] > v[best]) best = i;
        (v[at], v[best]) = (v[best], v[at]);
    }

    /// <summary>
    /// Reorders <paramref name="v"/>[lo..hi) so that rank k (0-based, within the whole span) holds the value a sort
    /// would put there, with nothing greater before it and nothing smaller after it (introselect's partition step,
    /// insertion sort for short ranges). Values must be free of NaN. O(hi − lo) on average, where a sort is n log n.
    /// </summary>
    public static void Select(Span<double> v, int lo, int hi, int k)
    {
        while (hi - lo > 16)
        {
            int mid = lo + (hi - lo) / 2;
            // Median of three as the pivot, left at mid.
            if (v[mid] < v[lo]) (v[mid], v[lo]) = (v[lo], v[mid]);
            if (v[hi - 1] < v[mid])
            {
                (v[hi - 1], v[mid]) = (v[mid], v[hi - 1]);
                if (v[mid] < v[lo]) (v[mid], v[lo]) = (v[lo], v[mid]);
            }
            double pivot = v[mid];
            int i = lo, j = hi - 1;
            while (i <= j)
            {
                while (v[i] < pivot) i++;
                while (v[j] > pivot) j--;
                if (i <= j)
                {
                    (v[i], v[j]) = (v[j], v[i]);
                    i++;
                    j--;
                }
            }
            // Now [lo, j] ≤ pivot ≤ [i, hi), and everything strictly between j and i equals the pivot.
            if (k <= j) hi = j + 1;
            else if (k >= i) lo = i;
            else return;
        }
        v[lo..hi].Sort();
    }

    public static double Median(ReadOnlySpan<double> a)
    {
        if (a.Length == 0) return double.NaN;
        var sorted = a.ToArray();
        foreach (double v in sorted) if (double.IsNaN(v)) return double.NaN;
        Array.Sort(sorted);
        return MedianOfSorted(sorted);
    }

    /// <summary>The median of values already sorted ascending and free of NaN.</summary>
    public static double MedianOfSorted(ReadOnlySpan<double> sorted)
    {
        int n = sorted.Length;
        if (n == 0) return double.NaN;
        return MedianOf(n, sorted[(n - 1) / 2], sorted[n / 2]);
    }

    /// <summary>NumPy's lerp: exact at both ends, from whichever end is nearer.</summary>
    private static double Lerp(double a, double b, double t)
    {
        double diff = b - a;
        return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
    }
}
