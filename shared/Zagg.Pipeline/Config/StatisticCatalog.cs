namespace Zagg.Pipeline.Config;

/// <summary>What a statistic reads of a child's points, beyond how many there are.</summary>
[Flags]
public enum StatisticNeeds
{
    /// <summary>Only the number of points.</summary>
    Count = 0,

    /// <summary>The source column's values.</summary>
    Values = 1,

    /// <summary>Order statistics of the source column (selected once per child for every statistic that needs them).</summary>
    OrderStatistics = 2,

    /// <summary>A per-point weight (the <c>weights</c> parameter, an expression over the columns).</summary>
    Weights = 4,
}

/// <summary>How a statistic's per-child state combines across children (coarser cells, other parents).</summary>
public enum StatisticMerge
{
    /// <summary>
    /// From a state that merges exactly, up to floating-point rounding: counts, sums, extrema and the mean
    /// (<c>Aggregation.MomentState</c>), the variance by Chan's (n, mean, M2), the weighted mean and functions of
    /// weight sums (<c>Aggregation.WeightedSumState</c>). Every level of a pyramid is exact: the orders from the parent
    /// order to the child order are computed from the points, the coarser ones merged from the parents' states
    /// (<c>Aggregation.MergePlan</c>).
    /// </summary>
    Exact,

    /// <summary>
    /// Order statistics (quantiles, the median): exact where every point is at hand (the orders from the parent order
    /// to the child order); an order coarser than the parent is merged from the parents' quantile sketches
    /// (<c>Aggregation.QuantileSketch</c>, Karnin–Lang–Liberty 2016), within the sketch's certified rank-error bound,
    /// which the level's arrays record.
    /// </summary>
    Sketch,
}

/// <summary>One statistic a variable's <c>function</c> may name.</summary>
/// <param name="Name">The canonical name (NumPy's function name).</param>
/// <param name="Aliases">Other names for it (each also accepted with an <c>np.</c>/<c>numpy.</c> prefix).</param>
/// <param name="Parameters">The <c>params</c> keys it accepts.</param>
/// <param name="Required">The <c>params</c> keys it requires.</param>
/// <param name="Needs">What it reads.</param>
/// <param name="Merge">How its state merges.</param>
/// <param name="Summary">What it computes, for messages and documentation.</param>
public sealed record StatisticDefinition(string Name, string[] Aliases, string[] Parameters, string[] Required, StatisticNeeds Needs, StatisticMerge Merge, string Summary)
{
    /// <summary>
    /// The <c>params</c> keys that take a number in [0, 1] and nothing else (a quantile's q), never a column or an
    /// expression over columns as other parameters may.
    /// </summary>
    public string[] Fractions { get; init; } = [];
}

/// <summary>
/// The statistics a variable's <c>function</c> may name: the one list, read by the configuration's
/// validation (<see cref="ConfigLoader"/>) and compiled by the engine (<c>Aggregation/AggregationPlan</c>).
/// Semantics are NumPy's: population variance (ddof 0), quantiles by linear interpolation (NumPy's default),
/// NaN propagating; a child without points keeps the fill value.
/// </summary>
public static class StatisticCatalog
{
    /// <summary>Every statistic, in the order messages list them.</summary>
    public static readonly IReadOnlyList<StatisticDefinition> All =
    [
        new("len", ["count"], [], [], StatisticNeeds.Count, StatisticMerge.Exact, "number of points"),
        new("min", [], [], [], StatisticNeeds.Values, StatisticMerge.Exact, "smallest value"),
        new("max", [], [], [], StatisticNeeds.Values, StatisticMerge.Exact, "largest value"),
        new("sum", [], [], [], StatisticNeeds.Values, StatisticMerge.Exact, "sum (pairwise, as NumPy)"),
        new("mean", [], [], [], StatisticNeeds.Values, StatisticMerge.Exact, "arithmetic mean, from (n, sum)"),
        new("average", [], ["weights"], [], StatisticNeeds.Values | StatisticNeeds.Weights, StatisticMerge.Exact, "weighted mean Σ w·x / Σ w (the plain mean without weights), from the two sums"),
        new("var", [], [], [], StatisticNeeds.Values, StatisticMerge.Exact, "population variance, from (n, mean, M2) merged by Chan's formula"),
        new("std", [], [], [], StatisticNeeds.Values, StatisticMerge.Exact, "population standard deviation, √var"),
        new("median", [], [], [], StatisticNeeds.OrderStatistics, StatisticMerge.Sketch, "the 0.5 quantile (middle value, or the mean of the two middle values)"),
        new("quantile", [], ["q"], ["q"], StatisticNeeds.OrderStatistics, StatisticMerge.Sketch, "the q-quantile, q in [0, 1], linear interpolation") { Fractions = ["q"] },
    ];

    /// <summary>Every name a function may be given (canonical names and aliases), for messages and suggestions.</summary>
    public static readonly string[] Names = All.SelectMany(d => d.Aliases.Prepend(d.Name)).ToArray();

    /// <summary>
    /// Finds the statistic <paramref name="function"/> names, with or without an <c>np.</c> or <c>numpy.</c> prefix.
    /// </summary>
    /// <returns>False for a name no statistic has.</returns>
    public static bool TryFind(string function, out StatisticDefinition definition)
    {
        string bare = Bare(function);
        foreach (var d in All)
            if (d.Name == bare || Array.IndexOf(d.Aliases, bare) >= 0)
            {
                definition = d;
                return true;
            }
        definition = null!;
        return false;
    }

    /// <summary>The name without an <c>np.</c> or <c>numpy.</c> prefix.</summary>
    public static string Bare(string function)
        => function.StartsWith("np.", StringComparison.Ordinal) ? function[3..]
        : function.StartsWith("numpy.", StringComparison.Ordinal) ? function[6..]
        : function;
}
