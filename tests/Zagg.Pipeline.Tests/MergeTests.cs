using FsCheck;
using FsCheck.Fluent;
using Xunit;
using Zagg.Pipeline.Aggregation;
using Zagg.Pipeline.Config;

namespace Zagg.Pipeline.Tests;

/// <summary>The mergeable states: merging in any grouping gives what one pass over all the values gives (FsCheck).</summary>
public class MergeTests
{
    private static readonly FsCheck.Config Checks = FsCheck.Config.QuickThrowOnFailure.WithMaxTest(500);

    /// <summary>Values like heights (metres around an offset) split into 1–8 groups at random places, some empty.</summary>
    private static Gen<double[][]> Groups =>
        from n in Gen.Choose(0, 300)
        from offset in Gen.Elements(0.0, 1500.0, -30.0, 1e6)
        from raw in Gen.ArrayOf(Gen.Choose(-1_000_000, 1_000_000), n)
        from cuts in Gen.ArrayOf(Gen.Choose(0, n), 7)
        from k in Gen.Choose(1, 8)
        select Split(raw.Select(v => offset + v / 1000.0).ToArray(), cuts.Take(k - 1).Order().ToArray());

    private static double[][] Split(double[] values, int[] cuts)
    {
        var groups = new List<double[]>();
        int from = 0;
        foreach (int c in cuts.Append(values.Length))
        {
            groups.Add(values[from..c]);
            from = c;
        }
        return groups.ToArray();
    }

    private static bool Near(double expected, double actual, double scale)
        => double.IsNaN(expected) ? double.IsNaN(actual) : Math.Abs(expected - actual) <= 1e-9 * Math.Max(1, scale);

    [Fact]
    public void Moments_merged_in_any_grouping_match_one_pass_and_numpy_semantics()
        => Prop.ForAll(Gen.Zip(Groups, Gen.Choose(0, int.MaxValue)).ToArbitrary(), t =>
        {
            var (groups, seed) = t;
            var all = groups.SelectMany(g => g).ToArray();
            var states = groups.Select(g => MomentState.Of(g)).ToList();
            // Merge in a random grouping: repeatedly merge two neighbours chosen at random (a random tree).
            var random = new Random(seed);
            while (states.Count > 1)
            {
                int i = random.Next(states.Count - 1);
                states[i] = MomentState.Merge(states[i], states[i + 1]);
                states.RemoveAt(i + 1);
            }
            var merged = states[0];
            var whole = MomentState.Of(all);
            double scale = all.Length == 0 ? 1 : all.Max(Math.Abs);
            return merged.Count == all.Length
                && (all.Length == 0 || merged.Min == Statistics.Min(all) && merged.Max == Statistics.Max(all))
                && Near(Statistics.Sum(all), merged.Sum, scale * Math.Max(1, all.Length))
                && Near(Statistics.Mean(all), merged.MeanOrNaN, scale)
                && Near(Statistics.Variance(all), merged.Variance, Math.Abs(Statistics.Variance(all)) + 1e-12 * scale * scale)
                && Near(whole.Variance, merged.Variance, Math.Abs(whole.Variance) + 1e-12 * scale * scale);
        }).Check(Checks);

    /// <summary>
    /// Values far from zero with a small spread (ATL06's delta_time: ~2·10⁸ s, a cell's points milliseconds apart): the
    /// children's states merged four at a time up two orders give the variance to 10⁻¹² of it (exact integer arithmetic),
    /// so NumPy's float32 rounding. Each mean kept as one float64 left it 2·10⁻⁶ off (a fresh check, order 10, cell
    /// 8440001: 81 of 96 cells' float32 variances wrong).
    /// </summary>
    [Fact]
    public void Moments_of_large_values_with_a_small_spread_merge_to_numpys_variance()
        => Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
        {
            var random = new Random(seed);
            double offset = 1.9e8 + random.NextDouble() * 1e7, spread = Math.Pow(10, -random.Next(1, 5));
            // 16 children of 1–40 values, then merged to 4 cells, then to 1 (as ChildStates.Coarsen does).
            var children = Enumerable.Range(0, 16).Select(_ => Enumerable.Range(0, random.Next(1, 41))
                .Select(_ => offset + spread * random.NextDouble()).ToArray()).ToArray();
            var states = children.Select(c => MomentState.Of(c)).ToArray();
            for (int cells = 4; cells >= 1; cells /= 4)
            {
                for (int j = 0; j < cells; j++)
                {
                    var merged = MomentState.Merge(MomentState.Merge(states[4 * j], states[4 * j + 1]), MomentState.Merge(states[4 * j + 2], states[4 * j + 3]));
                    var values = children.Skip(j * 16 / cells).Take(16 / cells).SelectMany(c => c).ToArray();
                    // Against the exact value: NumPy's own two-pass result is off it by its mean's rounding squared
                    // (relative 10⁻⁸ for a spread of 10⁻³ s, 10⁻¹⁴ for the 0.1 s of a real cell).
                    double exact = ExactVariance(values);
                    Assert.True(Math.Abs(merged.Variance - exact) <= 1e-12 * exact + 1e-15, $"{cells} cells: variance {merged.Variance:R}, exact {exact:R}");
                    Assert.True(Math.Abs(merged.MeanOrNaN - Statistics.Mean(values)) <= 1e-15 * offset);
                    states[j] = merged;
                }
            }
        }).Check(Checks);

    /// <summary>The population variance of values in [2^27, 2^28) (float64 multiples of 2^-25), in integer arithmetic.</summary>
    private static double ExactVariance(double[] values)
    {
        System.Numerics.BigInteger sum = 0, squares = 0;
        foreach (double v in values)
        {
            Assert.InRange(v, Math.Pow(2, 27), Math.Pow(2, 28));
            var x = new System.Numerics.BigInteger(Math.ScaleB(v, 25));
            sum += x;
            squares += x * x;
        }
        // var = (n·Σx² − (Σx)²) / n² in units of 2^-50.
        var numerator = values.Length * squares - sum * sum;
        var denominator = System.Numerics.BigInteger.Pow(values.Length, 2);
        var scaled = System.Numerics.BigInteger.Divide(numerator << 80, denominator);
        return Math.ScaleB((double)scaled, -130);
    }

    [Fact]
    public void Weighted_sums_merged_in_any_grouping_match_the_weighted_average()
        => Prop.ForAll(Gen.Zip(Groups, Gen.Choose(0, int.MaxValue)).ToArbitrary(), t =>
        {
            var (groups, seed) = t;
            var random = new Random(seed);
            var weights = groups.Select(g => g.Select(_ => 1.0 / Math.Pow(0.02 + random.NextDouble() * 0.5, 2)).ToArray()).ToArray();
            var states = groups.Select((g, i) => WeightedSumState.Of(g, weights[i])).ToList();
            while (states.Count > 1)
            {
                int i = random.Next(states.Count - 1);
                states[i] = WeightedSumState.Merge(states[i], states[i + 1]);
                states.RemoveAt(i + 1);
            }
            var all = groups.SelectMany(g => g).ToArray();
            if (all.Length == 0) return states[0].SumWeights == 0;
            var w = weights.SelectMany(x => x).ToArray();
            double scale = all.Max(Math.Abs);
            return Near(Statistics.WeightedAverage(all, w), states[0].WeightedMean, scale)
                && Near(1 / Math.Sqrt(Statistics.Sum(w)), 1 / Math.Sqrt(states[0].SumWeights), 1);
        }).Check(Checks);

    [Fact]
    public void A_nan_makes_every_moment_but_the_count_nan_after_merging()
    {
        var merged = MomentState.Merge(MomentState.Of([1, 2, 3]), MomentState.Of([4, double.NaN]));
        Assert.Equal(5, merged.Count);
        Assert.True(double.IsNaN(merged.Min) && double.IsNaN(merged.Max) && double.IsNaN(merged.Variance) && double.IsNaN(merged.Sum));
        Assert.True(double.IsNaN(MomentState.Empty.Variance));
    }

    /// <summary>The certified bound: v's true rank interval [#(x &lt; v), #(x ≤ v)] meets the target ranks widened by the bound.</summary>
    private static bool WithinBound(double[] all, double q, double v, long bound)
    {
        if (all.Length == 0) return double.IsNaN(v);
        if (all.Any(double.IsNaN)) return double.IsNaN(v);
        var (below, above, _) = Statistics.QuantileRanks(all.Length, q);
        long less = all.Count(x => x < v), atMost = all.Count(x => x <= v);
        return atMost >= below + 1 - bound && less <= above + bound;
    }

    [Fact]
    public void Sketches_merged_in_any_grouping_stay_within_their_certified_rank_bound()
        => Prop.ForAll((from g in Groups from seed in Gen.Choose(0, int.MaxValue) from k in Gen.Elements(8, 16, 64) select (g, seed, k)).ToArbitrary(), t =>
        {
            var (groups, seed, k) = t;
            var random = new Random(seed);
            // Some groups built at once (sorted and halved), some value by value: both are how sketches are made.
            var sketches = groups.Select((g, i) =>
            {
                if (i % 2 == 0) return QuantileSketch.Of(g, k);
                var s = new QuantileSketch(k);
                foreach (double x in g) s.Add(x);
                return s;
            }).ToList();
            while (sketches.Count > 1)
            {
                int i = random.Next(sketches.Count - 1);
                sketches[i].Merge(sketches[i + 1]);
                sketches.RemoveAt(i + 1);
            }
            var merged = sketches[0];
            var all = groups.SelectMany(g => g).ToArray();
            bool ok = merged.Count == all.Length && merged.Retained <= 64 * k;
            foreach (double q in new[] { 0, 0.1, 0.25, 0.5, 0.75, 0.9, 1 })
                ok &= WithinBound(all, q, merged.Quantile(q), merged.RankErrorBound);
            if (all.Length > 0)
                ok &= merged.Quantile(0) == all.Min() && merged.Quantile(1) == all.Max();
            return ok;
        }).Check(Checks);

    [Fact]
    public void A_sketch_of_few_values_is_exact_and_its_bytes_read_back()
    {
        double[] x = [5, 1, 4, 2, 3, 9, 7];
        var s = QuantileSketch.Of(x);
        Assert.Equal(0, s.RankErrorBound);
        foreach (double q in new[] { 0, 0.2, 0.5, 0.75, 1 }) Assert.Equal(Statistics.Quantile(x, q), s.Quantile(q));
        var big = QuantileSketch.Of(Enumerable.Range(0, 100_000).Select(i => (double)(i * 7919 % 100_000)).ToArray());
        Assert.True(big.RankErrorBound < 2 * 100_000 / QuantileSketch.DefaultK, $"bound {big.RankErrorBound}");
        var back = QuantileSketch.FromBytes(new BinaryReader(new MemoryStream(big.ToBytes())));
        Assert.Equal(big.ToBytes(), back.ToBytes());
        Assert.Equal(big.Quantile(0.3), back.Quantile(0.3));
        Assert.True(double.IsNaN(QuantileSketch.Of([1, double.NaN]).Median()));
        Assert.Throws<InvalidDataException>(() => QuantileSketch.FromBytes(new BinaryReader(new MemoryStream([1, 2, 3]))));
    }

    private static PipelineConfig EveryStatisticConfig() => ConfigLoader.Parse("""
        data_source:
          reader: zagg
          driver: s3
          coordinates: {latitude: /lat, longitude: /lon}
          variables: {h_li: /h, s_li: /s}
        aggregation:
          variables:
            count: {function: len, source: h_li, dtype: int32, fill_value: 0}
            h_min: {function: min, source: h_li, dtype: float64}
            h_max: {function: max, source: h_li, dtype: float64}
            h_sum: {function: sum, source: h_li, dtype: float64}
            h_plain: {function: mean, source: h_li, dtype: float64}
            h_mean: {function: average, source: h_li, params: {weights: "1.0 / s_li**2"}, dtype: float64}
            h_var: {function: var, source: h_li, dtype: float64}
            h_std: {function: std, source: h_li, dtype: float64}
            h_sigma: {expression: "1.0 / np.sqrt(np.sum(1.0 / s_li**2))", dtype: float64}
            h_span: {expression: "np.max(h_li) - np.min(h_li) + np.len(s_li) * 0 + np.mean(s_li)", dtype: float64}
            h_centred: {expression: "np.sum(h_li - np.mean(h_li))", dtype: float64}
            h_q25: {function: quantile, source: h_li, params: {q: 0.25}, dtype: float64}
            h_median: {function: median, source: h_li, dtype: float64}
        output:
          grid: {child_order: 10}
        """, "every.yaml");

    [Fact]
    public void Cell_states_merged_in_any_grouping_finish_as_numpy_over_all_the_points()
    {
        var config = EveryStatisticConfig();
        var merge = MergePlan.Compile(config);
        var plan = AggregationPlan.Compile(config, depth: 0);
        Assert.Equal(LevelExactness.None, merge.Exactness[merge.Variables.ToList().IndexOf("h_centred")]);
        Assert.Equal(LevelExactness.Sketch, merge.Exactness[merge.Variables.ToList().IndexOf("h_median")]);
        Prop.ForAll(Gen.Zip(Groups, Gen.Choose(0, int.MaxValue)).ToArbitrary(), t =>
        {
            var (groups, seed) = t;
            var random = new Random(seed);
            var sigmas = groups.Select(g => g.Select(_ => 0.02 + random.NextDouble() * 0.5).ToArray()).ToArray();
            // Each group's state through its bytes, as the worker stores it and consolidation reads it.
            var states = groups.Select((g, i) => merge.FromBytes(merge.StateOf([g, sigmas[i]], g.Length).ToBytes())).ToList();
            while (states.Count > 1)
            {
                int i = random.Next(states.Count - 1);
                var into = merge.Empty();
                into.Merge(states[i]);
                into.Merge(states[i + 1]);
                states[i] = into;
                states.RemoveAt(i + 1);
            }
            var all = groups.SelectMany(g => g).ToArray();
            var s = sigmas.SelectMany(g => g).ToArray();
            var finished = merge.Finish(states[0]);
            if (all.Length == 0) return finished.All(double.IsNaN) && states[0].Count == 0;
            var truth = plan.Evaluate([all, s], [0, all.Length]);
            double scale = all.Max(Math.Abs);
            bool ok = true;
            for (int v = 0; v < finished.Length; v++)
            {
                double expected = truth[v][0], got = finished[v];
                switch (merge.Exactness[v])
                {
                    case LevelExactness.Exact:
                        double tolerance = merge.Variables[v] switch
                        {
                            "h_var" => 1e-9 * (Math.Abs(expected) + scale * scale * 1e-3),
                            "h_std" => 1e-9 * (Math.Abs(expected) + scale),
                            "h_sum" => 1e-12 * scale * all.Length,
                            _ => 1e-12 * Math.Max(1, Math.Abs(expected)) + 1e-12 * scale,
                        };
                        ok &= Math.Abs(expected - got) <= tolerance;
                        break;
                    case LevelExactness.Sketch:
                        ok &= WithinBound(all, merge.Variables[v] == "h_q25" ? 0.25 : 0.5, got, (long)Math.Round(states[0].RelativeRankError * states[0].Count));
                        break;
                    case LevelExactness.None:
                        ok &= double.IsNaN(got);
                        break;
                }
            }
            return ok;
        }).Check(Checks);
    }
}
