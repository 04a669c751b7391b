namespace Zagg.Pipeline.Aggregation;

/// <summary>
/// The mergeable form of count, sum, min, max, mean and the population variance of a set of values:
/// state (n, Σx, min, max, mean, M2), merge, finish. Two states merge exactly for count, min and max, and
/// for the mean and M2 by Chan, Golub and LeVeque's pairwise update ("Updating formulae and a pairwise
/// algorithm for computing sample variances", 1979): with δ = mean_b − mean_a and n = n_a + n_b,
/// mean = mean_a + δ·n_b/n and M2 = M2_a + M2_b + δ²·n_a·n_b/n. Merging in any grouping gives the same
/// result up to floating-point rounding (a few ulps, not bitwise), which is how a coarser cell is made from
/// its children's states. A NaN value makes every statistic but the count NaN, as NumPy.
/// </summary>
/// <remarks>
/// The mean is kept as an unevaluated sum <see cref="Mean"/> + <see cref="MeanLow"/> (a double-double): δ is a
/// difference of two close means, and values far from zero with a small spread (ATL06's <c>delta_time</c>, ~2·10⁸ s
/// apart by milliseconds) lose most of δ's digits to the means' own rounding when each is one float64 — the merged
/// variance was then 2·10⁻⁶ off NumPy's, dozens of float32 ulps. <see cref="Of"/> finds the low part by the
/// corrected two-pass algorithm (Chan, Golub and LeVeque, "Algorithms for computing the sample variance: analysis and
/// recommendations", 1983: M2 = Σd² − (Σd)²/n with d = x − x̄ from the first pass), <see cref="Merge"/> carries it
/// with Knuth's TwoSum, so δ keeps its digits whatever the values' magnitude.
/// </remarks>
/// <param name="Count">Values summarized (NaN included).</param>
/// <param name="Sum">Σx, summed in order (float64).</param>
/// <param name="Min">Smallest value (+∞ for none; NaN when a value is).</param>
/// <param name="Max">Largest value (−∞ for none; NaN when a value is).</param>
/// <param name="Mean">The mean's high part.</param>
/// <param name="M2">Σ(x − mean)².</param>
/// <param name="MeanLow">The mean's low part: the mean is <see cref="Mean"/> + <see cref="MeanLow"/>.</param>
public readonly record struct MomentState(long Count, double Sum, double Min, double Max, double Mean, double M2, double MeanLow = 0)
{
    /// <summary>The state of no values (the identity of <see cref="Merge"/>).</summary>
    public static readonly MomentState Empty = new(0, 0, double.PositiveInfinity, double.NegativeInfinity, 0, 0);

    /// <summary>
    /// The state of <paramref name="values"/>: count, sum and extrema in one pass, then the deviations from the first
    /// pass's mean in a second (their sum corrects the mean and M2).
    /// </summary>
    public static MomentState Of(ReadOnlySpan<double> values)
    {
        if (values.IsEmpty) return Empty;
        double sum = 0, min = double.PositiveInfinity, max = double.NegativeInfinity;
        bool nan = false;
        foreach (double x in values)
        {
            sum += x;
            if (double.IsNaN(x)) nan = true;
            else
            {
                if (x < min) min = x;
                if (x > max) max = x;
            }
        }
        if (nan) return new(values.Length, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        double mean = sum / values.Length, deviations = 0, squares = 0;
        foreach (double x in values)
        {
            double d = x - mean;
            deviations += d;
            squares += d * d;
        }
        double low = deviations / values.Length;
        return new(values.Length, sum, min, max, mean, Math.Max(0, squares - deviations * low), low);
    }

    /// <summary>The state of both sets of values (Chan's formula for the mean and M2).</summary>
    public static MomentState Merge(in MomentState a, in MomentState b)
    {
        if (a.Count == 0) return b;
        if (b.Count == 0) return a;
        long n = a.Count + b.Count;
        double delta = (b.Mean - a.Mean) + (b.MeanLow - a.MeanLow);
        double step = delta * b.Count / n;
        // mean = a's mean + step, as a double-double (TwoSum of the high parts, the low parts added to the error).
        double high = a.Mean + step, stepTaken = high - a.Mean;
        double error = (a.Mean - (high - stepTaken)) + (step - stepTaken);
        double m2 = a.M2 + b.M2 + delta * delta * ((double)a.Count * b.Count / n);
        double min = double.IsNaN(a.Min) || double.IsNaN(b.Min) ? double.NaN : Math.Min(a.Min, b.Min);
        double max = double.IsNaN(a.Max) || double.IsNaN(b.Max) ? double.NaN : Math.Max(a.Max, b.Max);
        return new(n, a.Sum + b.Sum, min, max, high, m2, a.MeanLow + error);
    }

    /// <summary>The population variance (ddof 0): M2 / n; NaN for no values.</summary>
    public double Variance => Count == 0 ? double.NaN : M2 / Count;

    /// <summary>The population standard deviation, √<see cref="Variance"/>.</summary>
    public double StandardDeviation => Math.Sqrt(Variance);

    /// <summary>The arithmetic mean (<see cref="Mean"/> + <see cref="MeanLow"/>); NaN for no values.</summary>
    public double MeanOrNaN => Count == 0 ? double.NaN : Mean + MeanLow;
}

/// <summary>
/// The mergeable form of the weighted mean and of functions of weight sums (ATL06's
/// <c>h_sigma = 1/√Σ(1/σ²)</c>): state (Σw, Σw·x), merged by adding, exact up to rounding.
/// </summary>
public readonly record struct WeightedSumState(double SumWeights, double SumWeightedValues)
{
    /// <summary>The state of values and their weights (one weight per value).</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static WeightedSumState Of(ReadOnlySpan<double> values, ReadOnlySpan<double> weights)
    {
        if (values.Length != weights.Length) throw new ArgumentException("weights and values differ in length", nameof(weights));
        double sw = 0, swx = 0;
        for (int i = 0; i < values.Length; i++)
        {
            sw += weights[i];
            swx += weights[i] * values[i];
        }
        return new(sw, swx);
    }

    /// <summary>The state of values that share one weight: Σw = n·w, Σw·x = w·Σx.</summary>
    public static WeightedSumState OfOneWeight(ReadOnlySpan<double> values, double weight)
        => new(weight * values.Length, weight * Statistics.Sum(values));

    /// <summary>The state of both sets.</summary>
    public static WeightedSumState Merge(in WeightedSumState a, in WeightedSumState b) => new(a.SumWeights + b.SumWeights, a.SumWeightedValues + b.SumWeightedValues);

    /// <summary>Σw·x / Σw.</summary>
    public double WeightedMean => SumWeightedValues / SumWeights;
}
