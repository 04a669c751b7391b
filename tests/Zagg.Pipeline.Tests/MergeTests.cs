using FsCheck;
using FsCheck.Fluent;
using Xunit;
using Zagg.Pipeline.Aggregation;

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
}
