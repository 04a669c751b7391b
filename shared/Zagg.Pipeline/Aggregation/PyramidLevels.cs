using Zagg.Pipeline.Config;

namespace Zagg.Pipeline.Aggregation;

/// <summary>
/// How a parent cell's coarser orders are made from its child order, compiled once per run: every mergeable variable
/// (<see cref="LevelExactness.Exact"/>: counts, sums, extrema, means, variances, weighted means, expressions of sums)
/// from the children's states (<see cref="ChildStates"/>, one O(points) pass beside the child order's reducers) merged
/// up the NESTED tree four cells at a time — O(cells) per order, not another pass over the points; every median and
/// quantile from its column's values sorted in place, coarse cell by coarse cell (<see cref="ValueOrder"/>), exactly; and what does not
/// merge (an expression whose reduction reads another reduction) by its reducer over the coarser cells' points.
/// </summary>
/// <remarks>
/// Exactness: counts, minima and maxima are the same numbers as over the points; quantiles are the same order
/// statistics; sums, means and variances are those of the children's float64 sums and moments merged (Chan, Golub and
/// LeVeque's pairwise update, see <see cref="MomentState"/>), equal to NumPy's over the points up to float64 rounding
/// (a few ulps of float64, below float32's resolution but for a value that falls on a float32 rounding boundary).
/// </remarks>
internal sealed class PyramidLevels
{
    private readonly bool[] _fromStates;
    private readonly (int Variable, double? Q)[][] _quantiles;
    private readonly int[] _quantileColumns;

    public PyramidLevels(PipelineConfig config, MergePlan merge)
    {
        Merge = merge;
        var variables = config.Variables;
        _fromStates = new bool[variables.Count];
        var columns = new List<int>();
        var quantiles = new List<List<(int, double?)>>();
        var pointReducers = new List<Reducer>();
        for (int v = 0; v < variables.Count; v++)
        {
            switch (merge.Exactness[v])
            {
                case LevelExactness.None when variables[v].Function == "average" && variables[v].Parameters.GetValueOrDefault("weights") is { } w:
                    // Weights that read a reduction (np.sum(s_li), s_li / np.max(s_li)) are the cell's own: a coarser
                    // cell's differ from its children's, so the weighted mean is reduced again over its points.
                    pointReducers.Add(new WeightedMeanReducer(v, merge.Columns.ToList().IndexOf(variables[v].SourceColumn!), w));
                    break;
                case LevelExactness.Exact: _fromStates[v] = true; break;
                case LevelExactness.Sketch:
                    {
                        var variable = variables[v];
                        int k = merge.Columns.ToList().IndexOf(variable.SourceColumn!);
                        int i = columns.IndexOf(k);
                        if (i < 0) { columns.Add(k); quantiles.Add([]); i = columns.Count - 1; }
                        quantiles[i].Add((v, variable.Function == "median" ? null : ((NumberExpr)variable.Parameters["q"]).Value));
                        break;
                    }
                default: pointReducers.Add(new ExpressionReducer(v, variables[v].Expression!)); break;
            }
        }
        // Every sketch column of a parent's state is a quantile's column.
        foreach (int k in merge.SketchColumns)
            if (!columns.Contains(k)) { columns.Add(k); quantiles.Add([]); }
        _quantileColumns = [.. columns];
        _quantiles = quantiles.Select(q => q.ToArray()).ToArray();
        PointReducers = [.. pointReducers];
    }

    /// <summary>The mergeable forms the states follow.</summary>
    public MergePlan Merge { get; }

    /// <summary>The reducers of the variables that do not merge, run over each coarser order's points.</summary>
    public Reducer[] PointReducers { get; }

    /// <summary>Source columns sorted by value for the quantiles and the sketches.</summary>
    public ReadOnlySpan<int> QuantileColumns => _quantileColumns;

    /// <summary>
    /// Writes results[v][j] for every coarse cell j with points: from <paramref name="states"/> (merged to this order)
    /// for the mergeable variables, from <paramref name="orders"/> (one per <see cref="QuantileColumns"/> entry) for the
    /// quantiles.
    /// </summary>
    /// <param name="coarse">cells + 1 offsets: coarse cell j's points are [coarse[j], coarse[j + 1]) of the child-sorted points.</param>
    public void Finish(ChildStates states, IValueOrder[] orders, ReadOnlySpan<int> coarse, double[][] results)
    {
        var state = Merge.Empty();
        for (int j = 0; j + 1 < coarse.Length; j++)
        {
            int n = coarse[j + 1] - coarse[j];
            if (n == 0) continue;
            states.Load(j, n, state);
            for (int v = 0; v < _fromStates.Length; v++)
                if (_fromStates[v]) results[v][j] = Merge.Finish(v, state);
        }
        for (int i = 0; i < orders.Length; i++)
            if (_quantiles[i].Length > 0) orders[i].Quantiles(coarse, _quantiles[i], results);
    }

    /// <summary>The parent cell's state: its children's states merged to one (<paramref name="states"/> at depth 0), the sketches from the sorted values.</summary>
    public CellState ParentState(ChildStates states, IValueOrder[] orders, int points)
    {
        var state = Merge.Empty();
        states.Load(0, points, state);
        var sketchColumns = Merge.SketchColumns;
        for (int s = 0; s < sketchColumns.Length; s++)
            state.Sketches[s] = orders[Array.IndexOf(_quantileColumns, sketchColumns[s])].Sketch();
        return state;
    }
}

/// <summary>
/// A parent cell's mergeable states per cell of one order, struct of arrays: a <see cref="MomentState"/> per moment and
/// a <see cref="WeightedSumState"/> per weighted sum of the <see cref="MergePlan"/>, first per child (filled block by
/// block beside the child order's reducers, from the same evaluated per-point values), then merged in place to each
/// coarser order (<see cref="Coarsen"/>): cell j of an order is cells 4j … 4j + 3 of the next finer one (NESTED).
/// </summary>
internal sealed class ChildStates
{
    private readonly MergePlan _merge;
    private readonly MomentState[][] _moments;
    private readonly WeightedSumState[][] _weighted;

    public ChildStates(MergePlan merge, int children)
    {
        _merge = merge;
        _moments = new MomentState[merge.MomentExpressions.Length][];
        for (int m = 0; m < _moments.Length; m++) Array.Fill(_moments[m] = new MomentState[children], MomentState.Empty);
        _weighted = new WeightedSumState[merge.WeightedExpressions.Length][];
        for (int w = 0; w < _weighted.Length; w++) _weighted[w] = new WeightedSumState[children];
    }

    /// <summary>
    /// The states of a block's children, global children <paramref name="firstChild"/> + c for c below start.Length − 1,
    /// from the per-point values the block's evaluator holds (or computes, once for the reducers and the states).
    /// </summary>
    public void Add(SegmentedEvaluator evaluator, int[] start, int firstChild)
    {
        int children = start.Length - 1;
        var moments = _merge.MomentExpressions;
        for (int m = 0; m < moments.Length; m++)
        {
            var x = evaluator.Evaluate(moments[m]).PerPoint ?? throw new InvalidOperationException($"{moments[m]} is not per point");
            var into = _moments[m];
            for (int c = 0; c < children; c++)
                if (start[c + 1] > start[c]) into[firstChild + c] = MomentState.Of(x.AsSpan(start[c], start[c + 1] - start[c]));
        }
        var weighted = _merge.WeightedExpressions;
        for (int w = 0; w < weighted.Length; w++)
        {
            var x = evaluator.Evaluate(weighted[w].Values).PerPoint ?? throw new InvalidOperationException($"{weighted[w].Values} is not per point");
            var weights = evaluator.Evaluate(weighted[w].Weights);
            var into = _weighted[w];
            for (int c = 0; c < children; c++)
            {
                int from = start[c], n = start[c + 1] - from;
                if (n == 0) continue;
                var values = x.AsSpan(from, n);
                if (weights.PerPoint is { } perPoint) into[firstChild + c] = WeightedSumState.Of(values, perPoint.AsSpan(from, n));
                else into[firstChild + c] = WeightedSumState.OfOneWeight(values, weights.PerChild is { } pc ? pc[c] : weights.Scalar);
            }
        }
    }

    /// <summary>Merges the states in place to the next coarser order, of <paramref name="cells"/> cells (a quarter of what it had).</summary>
    public void Coarsen(int cells)
    {
        foreach (var a in _moments)
            for (int j = 0; j < cells; j++)
                a[j] = MomentState.Merge(MomentState.Merge(a[4 * j], a[4 * j + 1]), MomentState.Merge(a[4 * j + 2], a[4 * j + 3]));
        foreach (var a in _weighted)
            for (int j = 0; j < cells; j++)
                a[j] = WeightedSumState.Merge(WeightedSumState.Merge(a[4 * j], a[4 * j + 1]), WeightedSumState.Merge(a[4 * j + 2], a[4 * j + 3]));
    }

    /// <summary>Loads cell <paramref name="j"/>'s numbers (of <paramref name="count"/> points) into <paramref name="state"/>.</summary>
    public void Load(int j, long count, CellState state)
    {
        state.Count = count;
        for (int m = 0; m < _moments.Length; m++) state.Moments[m] = _moments[m][j];
        for (int w = 0; w < _weighted.Length; w++) state.Weighted[w] = _weighted[w][j];
    }
}
