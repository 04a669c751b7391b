using Zagg.Pipeline.Config;
using Zagg.Zarr;

namespace Zagg.Pipeline.Aggregation;

/// <summary>
/// A configuration's statistics compiled once per run: the source columns a cell gathers, one reducer per
/// variable (or one per source column for all its medians and quantiles), and the cast of each result to
/// its output dtype. A cell's points are sorted by child once (a counting sort); every reducer then works
/// over whole sorted columns, child segment after child segment, with no per-child dispatch or allocation.
/// Derived columns (the weights <c>1/s_li**2</c> of <c>h_mean</c> and of <c>h_sigma</c>'s sum) are computed
/// once per cell by the <see cref="SegmentedEvaluator"/> all expression reducers share.
/// </summary>
/// <remarks>
/// Results follow NumPy (<see cref="Statistics"/>, <see cref="StatisticCatalog"/>): float64 until cast; a
/// child without points keeps the variable's fill value.
/// </remarks>
public sealed class AggregationPlan
{
    private readonly Reducer[] _reducers;
    private readonly OutputCast[] _casts;
    private readonly Dictionary<string, int> _index;
    private readonly Lazy<PyramidLevels> _pyramid;
    private readonly int _childOrder;

    private AggregationPlan(PipelineConfig config, string[] columns, int depth, Reducer[] reducers, OutputCast[] casts)
    {
        // Compiled on the first cell with coarser orders: a one-order run never compiles the mergeable forms.
        _pyramid = new Lazy<PyramidLevels>(() => new PyramidLevels(config, MergePlan.Compile(config)));
        _childOrder = config.Grid.ChildOrder;
        Columns = columns;
        Depth = depth;
        _reducers = reducers;
        _casts = casts;
        _index = [];
        for (int k = 0; k < columns.Length; k++) _index[columns[k]] = k;
    }

    /// <summary>The source columns (data_source.variables, in config order) a cell gathers, one array each.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Child order − parent order: a cell has 4^Depth children.</summary>
    public int Depth { get; }

    /// <summary>The number of children of a parent cell, 4^<see cref="Depth"/>.</summary>
    public int Children => 1 << (2 * Depth);

    /// <summary>
    /// About the bytes a parent cell's per-child arrays hold at once while it is computed and written, points apart: per
    /// child, a float64 result per variable twice (the cell's, a block's), each variable's chunk in its dtype, cell_ids
    /// and morton (8 bytes each) and its offset (4); with coarser orders, their levels (a third more) and the children's
    /// mergeable states (48 bytes per moment, 16 per weighted sum); then half again for what the measures showed besides
    /// (pool rounding, the write, the runtime). The built-in configuration gives 300 bytes a child (measured: 251–333 bytes
    /// a child of peak resident memory at child orders 15–17), 615 with a four-order pyramid (measured 437–522)
    /// (bench/e2e/README, "A parent cell's arrays, and memory").
    /// </summary>
    /// <param name="pyramid">Whether the run writes orders coarser than the child order.</param>
    public long ChildArraysBytes(bool pyramid)
    {
        long perChild = 20;
        foreach (var cast in _casts) perChild += 16 + cast.ItemSize;
        if (pyramid)
        {
            var merge = _pyramid.Value.Merge;
            perChild = perChild * 4 / 3 + 48L * merge.MomentExpressions.Length + 16L * merge.WeightedExpressions.Length;
        }
        return perChild * 3 / 2 * Children;
    }

    /// <summary>The output variables in config order (the order of <see cref="Evaluate"/>'s results).</summary>
    public IReadOnlyList<string> Variables => Array.ConvertAll(_casts, c => c.Name);

    /// <summary>Compiles a validated configuration for cells <paramref name="depth"/> orders above the child order.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="depth"/> is negative or more than <see cref="PipelineConfig.MaxOrdersBelowParent"/> (4^depth children must index an array).</exception>
    public static AggregationPlan Compile(PipelineConfig config, int depth)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(depth);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(depth, PipelineConfig.MaxOrdersBelowParent);
        var columns = config.DataSource.Variables.Keys.ToArray();
        int Column(string name) => Array.IndexOf(columns, name);
        var variables = config.Variables;
        var reducers = new List<Reducer>();
        var orderStatistics = new Dictionary<int, OrderStatisticsReducer>();
        for (int v = 0; v < variables.Count; v++)
        {
            var variable = variables[v];
            if (variable.Expression is { } e)
            {
                reducers.Add(new ExpressionReducer(v, e));
                continue;
            }
            int k = Column(variable.SourceColumn!);
            switch (variable.Function)
            {
                case "len": reducers.Add(new CountReducer(v)); break;
                case "min": reducers.Add(new MinReducer(v, k)); break;
                case "max": reducers.Add(new MaxReducer(v, k)); break;
                case "sum": reducers.Add(new SumReducer(v, k)); break;
                case "mean": reducers.Add(new MeanReducer(v, k)); break;
                case "var": reducers.Add(new VarianceReducer(v, k, root: false)); break;
                case "std": reducers.Add(new VarianceReducer(v, k, root: true)); break;
                case "average": reducers.Add(new WeightedMeanReducer(v, k, variable.Parameters.GetValueOrDefault("weights"))); break;
                case "median" or "quantile":
                    if (!orderStatistics.TryGetValue(k, out var os)) reducers.Add(orderStatistics[k] = os = new OrderStatisticsReducer(k));
                    os.Add(v, variable.Function == "median" ? null : ((NumberExpr)variable.Parameters["q"]).Value);
                    break;
                default: throw new InvalidOperationException($"statistic '{variable.Function}' is in the catalog but not in the plan");
            }
        }
        var casts = new OutputCast[variables.Count];
        for (int v = 0; v < casts.Length; v++) casts[v] = new OutputCast(variables[v]);
        return new AggregationPlan(config, columns, depth, reducers.ToArray(), casts);
    }

    /// <summary>
    /// Every variable per child over a cell's points sorted by child: child c's points are
    /// [<paramref name="start"/>[c], <paramref name="start"/>[c + 1]) of every column.
    /// </summary>
    /// <param name="sortedColumns">One array per <see cref="Columns"/> entry, at least start[^1] long.</param>
    /// <param name="start">children + 1 ascending offsets, start[0] = 0.</param>
    /// <returns>Per variable (config order), one float64 per child; NaN for a child without points.</returns>
    /// <exception cref="ArgumentException">A column is missing or shorter than the points.</exception>
    public double[][] Evaluate(IReadOnlyList<double[]> sortedColumns, ReadOnlySpan<int> start)
    {
        int children = start.Length - 1, points = start[^1];
        if (sortedColumns.Count != Columns.Count) throw new ArgumentException($"{Columns.Count} columns expected, {sortedColumns.Count} given", nameof(sortedColumns));
        foreach (var c in sortedColumns)
            if (c.Length < points) throw new ArgumentException("a column is shorter than the points", nameof(sortedColumns));
        var results = new double[_casts.Length][];
        for (int v = 0; v < results.Length; v++) Array.Fill(results[v] = new double[children], double.NaN);
        Run(sortedColumns as double[][] ?? sortedColumns.ToArray(), start.ToArray(), points, results, _reducers, null, 0);
        return results;
    }

    /// <summary>
    /// Sorts a cell's gathered points by child and computes every variable's chunk (4^depth values of its dtype).
    /// The gathered columns are released once sorted (<see cref="SortedColumns"/>).
    /// </summary>
    /// <exception cref="ZarrException">A result does not fit its variable's integer dtype.</exception>
    internal Dictionary<string, byte[]> Compute(GatheredPoints g, out int cellsWithData)
    {
        var cell = Compute(g, [], null);
        cellsWithData = cell.CellsWithData;
        return cell.Chunks;
    }

    /// <summary>
    /// Sorts a cell's gathered points by child and computes every variable's chunk; and for each of
    /// <paramref name="levelDepths"/> (orders between the parent's and the child's, as depths below the parent) the
    /// chunk of 4^d coarser cells; and the parent cell's mergeable state when <paramref name="merge"/> is given (for the
    /// orders coarser than the parent's). NESTED children of a cell are consecutive, so a coarser cell is a run of
    /// children: its mergeable variables come from the children's states merged up four cells at a time, its quantiles
    /// from the column sorted in place, coarse cell by coarse cell (<see cref="PyramidLevels"/>); both exact, at O(cells) and one O(points) pass
    /// per order instead of every reducer again over the points.
    /// </summary>
    /// <exception cref="ZarrException">A result does not fit its variable's integer dtype.</exception>
    internal PyramidCell Compute(GatheredPoints g, ReadOnlySpan<int> levelDepths, MergePlan? merge, PhaseTrace? trace = null)
    {
        int children = Children, points = g.Count;
        var start = SortedColumns.Starts(g, children);
        using var sorted = new SortedColumns(g, start);
        var results = new double[_casts.Length][];
        bool pyramid = levelDepths.Length > 0 || merge is not null;
        var levels = pyramid ? _pyramid.Value : null;
        var orders = levels is null ? [] : new IValueOrder[levels.QuantileColumns.Length];
        try
        {
            long t = PhaseTrace.Now();
            for (int v = 0; v < results.Length; v++) results[v] = CellBuffers.Rent<double>(children);
            var states = levels is null ? null : new ChildStates(levels.Merge, children);
            RunInBlocks(sorted, start, results, _reducers, states);
            int cellsWithData = 0;
            for (int c = 0; c < children; c++)
                if (start[c + 1] > start[c]) cellsWithData++;
            var chunks = new Dictionary<string, byte[]>(_casts.Length);
            for (int v = 0; v < _casts.Length; v++) chunks[_casts[v].Name] = _casts[v].Write(results[v], start);
            if (trace is not null) trace.ComputeChild = PhaseTrace.Since(t);
            var pyramidLevels = new Dictionary<int, Dictionary<string, byte[]>>();
            if (levels is null) return new PyramidCell(chunks, cellsWithData, pyramidLevels, null);
            t = PhaseTrace.Now();
            // The quantile columns are sorted in place when nothing reads them afterwards (no coarser statistic from the points).
            bool take = levels.PointReducers.Length == 0;
            for (int i = 0; i < orders.Length; i++) orders[i] = ValueOrder.Of(sorted, levels.QuantileColumns[i], points, take);
            // The other columns given back now: the orders' working space, rented at their first sort, can reuse them.
            if (take) sorted.Dispose();
            if (trace is not null) trace.ComputeSort = PhaseTrace.Since(t);
            t = PhaseTrace.Now();
            for (int d = Depth - 1; d >= 0; d--)
            {
                int cells = 1 << (2 * d);
                states!.Coarsen(cells);
                if (!levelDepths.Contains(d)) continue;
                // The coarser cell j is children [j·4^(Depth−d), (j+1)·4^(Depth−d)).
                int step = 1 << (2 * (Depth - d));
                var coarse = new int[cells + 1];
                for (int j = 0; j <= cells; j++) coarse[j] = start[j * step];
                levels.Finish(states, orders, coarse, results);
                if (levels.PointReducers.Length > 0) RunInBlocks(sorted, coarse, results, levels.PointReducers, null);
                var level = new Dictionary<string, byte[]>(_casts.Length);
                for (int v = 0; v < _casts.Length; v++) level[_casts[v].Name] = _casts[v].Write(results[v].AsSpan(0, cells), coarse, order: _childOrder - Depth + d);
                pyramidLevels[d] = level;
            }
            var state = merge is null ? null : levels.ParentState(states!, orders, points);
            if (trace is not null) trace.ComputeLevels = PhaseTrace.Since(t);
            return new PyramidCell(chunks, cellsWithData, pyramidLevels, state);
        }
        finally
        {
            foreach (var a in results) if (a is not null) CellBuffers.Return(a);
            foreach (var o in orders) o?.Dispose();
        }
    }

    /// <summary>
    /// The points of a block of consecutive cells the reducers see at once (their float64 columns, their expressions'
    /// per-point values): 64 Ki points (<see cref="CellBuffers.PooledLength"/>, so every per-block array is pooled, not
    /// left to the collector block after block), or the largest cell when one is larger. A cell's float64 working set
    /// is then about a MB however many points it has, and the results are the same (every reducer works child by child).
    /// </summary>
    internal const int BlockPoints = CellBuffers.PooledLength;

    /// <summary>
    /// Runs every reducer over the cells [<paramref name="start"/>[c], <paramref name="start"/>[c + 1]) of
    /// <paramref name="sorted"/>, block of cells after block (<see cref="BlockPoints"/>), writing results[v][c].
    /// </summary>
    private void RunInBlocks(SortedColumns sorted, int[] start, double[][] results, Reducer[] reducers, ChildStates? states)
    {
        int cells = start.Length - 1, longest = 0;
        for (int c = 0; c < cells; c++) longest = Math.Max(longest, start[c + 1] - start[c]);
        int capacity = Math.Max(1, Math.Min(start[cells], Math.Max(BlockPoints, longest)));
        var block = new double[sorted.Count][];
        var blockResults = new double[results.Length][];
        try
        {
            for (int k = 0; k < block.Length; k++) block[k] = CellBuffers.Rent<double>(capacity);
            for (int v = 0; v < blockResults.Length; v++) blockResults[v] = CellBuffers.Rent<double>(cells);
            for (int c0 = 0; c0 < cells;)
            {
                // The block: cells [c0, c1) of at most `capacity` points in all (at least one cell).
                int c1 = c0 + 1;
                while (c1 < cells && start[c1 + 1] - start[c0] <= capacity) c1++;
                int from = start[c0], n = start[c1] - from;
                for (int k = 0; k < block.Length; k++) sorted.CopyTo(k, from, block[k].AsSpan(0, n));
                if (c0 == 0 && c1 == cells)
                {
                    Run(block, start, n, results, reducers, states, 0);
                    break;
                }
                var blockStart = new int[c1 - c0 + 1];
                for (int c = c0; c <= c1; c++) blockStart[c - c0] = start[c] - from;
                // The block's results start as the cells' own: the reducers may write only some variables (a coarser
                // order's point reducers), and every variable is copied back.
                for (int v = 0; v < results.Length; v++) results[v].AsSpan(c0, c1 - c0).CopyTo(blockResults[v]);
                Run(block, blockStart, n, blockResults, reducers, states, c0);
                for (int v = 0; v < results.Length; v++) blockResults[v].AsSpan(0, c1 - c0).CopyTo(results[v].AsSpan(c0));
                c0 = c1;
            }
        }
        finally
        {
            foreach (var a in block) if (a is not null) CellBuffers.Return(a);
            foreach (var a in blockResults) if (a is not null) CellBuffers.Return(a);
        }
    }

    /// <summary>Runs <paramref name="reducers"/> over one block, and fills its children's states (global children from <paramref name="firstChild"/>) when given.</summary>
    private void Run(double[][] sorted, int[] start, int points, double[][] results, Reducer[] reducers, ChildStates? states, int firstChild)
    {
        int longest = 0;
        for (int c = 0; c + 1 < start.Length; c++) longest = Math.Max(longest, start[c + 1] - start[c]);
        using var expressions = new SegmentedEvaluator(sorted, _index, start, points);
        var scratch = CellBuffers.Rent<double>(Math.Max(1, longest));
        try
        {
            var cell = new SortedCell(sorted, start, expressions, scratch);
            foreach (var r in reducers) r.Reduce(cell, results);
            states?.Add(expressions, start, firstChild);
        }
        finally { CellBuffers.Return(scratch); }
    }
}

/// <summary>One parent cell computed: its child-order chunks, its chunks at coarser depths, its mergeable state.</summary>
/// <param name="Chunks">Variable → its chunk at the child order.</param>
/// <param name="CellsWithData">Children with at least one point.</param>
/// <param name="Levels">Depth below the parent order → variable → its chunk of 4^depth cells.</param>
/// <param name="State">The parent cell's mergeable state, or null when no order is coarser than the parent's.</param>
internal sealed record PyramidCell(Dictionary<string, byte[]> Chunks, int CellsWithData, Dictionary<int, Dictionary<string, byte[]>> Levels, CellState? State);
