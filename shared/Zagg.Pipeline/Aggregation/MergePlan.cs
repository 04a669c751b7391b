using Zagg.Pipeline.Config;

namespace Zagg.Pipeline.Aggregation;

/// <summary>How a variable's value at a coarser cell comes from its finer cells' states.</summary>
public enum LevelExactness
{
    /// <summary>From exactly mergeable states (counts, sums, extrema, Chan's moments, weight sums): NumPy's number up to rounding.</summary>
    Exact,

    /// <summary>From a <see cref="QuantileSketch"/>: within the sketch's certified rank-error bound.</summary>
    Sketch,

    /// <summary>Not mergeable (an expression whose reduction reads another reduction): coarser cells keep the fill value.</summary>
    None,
}

/// <summary>
/// The mergeable form of a configuration's statistics — state, merge, finish — compiled once per run from the same
/// <see cref="StatisticCatalog"/> as <see cref="AggregationPlan"/>: what the worker keeps of a parent cell so that the
/// consolidation step can make the orders coarser than the parent order without the points.
/// </summary>
/// <remarks>
/// A cell's state (<see cref="CellState"/>) holds the number of points; a <see cref="MomentState"/> (n, Σx, min, max,
/// mean, M2) per source column read by len/min/max/sum/mean/var/std/average and per per-point argument of an
/// expression's reduction (<c>np.sum(1.0 / s_li**2)</c> keeps the moments of <c>1.0 / s_li**2</c>); a
/// <see cref="WeightedSumState"/> (Σw, Σw·x) per weighted average; and a <see cref="QuantileSketch"/> per column read
/// by median/quantile. Finishing: len = n, min/max = the extrema, sum = Σx, mean = Σx/n, var = M2/n (Chan merged),
/// std = √var, average = Σw·x/Σw, an expression is evaluated with each reduction replaced by its state's number,
/// median/quantile from the sketch (<see cref="LevelExactness.Sketch"/>).
/// </remarks>
public sealed class MergePlan
{
    private readonly Expr[] _moments;
    private readonly (Expr Values, Expr Weights)[] _weighted;
    private readonly int[] _sketchColumns;
    private readonly Func<CellState, double>[] _finish;
    private readonly Dictionary<string, int> _index;

    private MergePlan(string[] columns, Expr[] moments, (Expr, Expr)[] weighted, int[] sketchColumns, Func<CellState, double>[] finish, LevelExactness[] exactness, string[] variables)
    {
        Columns = columns;
        _moments = moments;
        _weighted = weighted;
        _sketchColumns = sketchColumns;
        _finish = finish;
        Exactness = exactness;
        Variables = variables;
        _index = [];
        for (int k = 0; k < columns.Length; k++) _index[columns[k]] = k;
    }

    /// <summary>The source columns (data_source.variables, config order), as <see cref="AggregationPlan.Columns"/>.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>The output variables in config order.</summary>
    public IReadOnlyList<string> Variables { get; }

    /// <summary>Per variable (config order), how exactly a merged cell gives it.</summary>
    public IReadOnlyList<LevelExactness> Exactness { get; }

    /// <summary>The per-point expressions whose moments a state keeps (<see cref="CellState"/>'s moments, in order).</summary>
    internal ReadOnlySpan<Expr> MomentExpressions => _moments;

    /// <summary>The (values, weights) of each weighted sum a state keeps, in order.</summary>
    internal ReadOnlySpan<(Expr Values, Expr Weights)> WeightedExpressions => _weighted;

    /// <summary>The source columns (indices into <see cref="Columns"/>) whose sketch a state keeps, in order.</summary>
    internal ReadOnlySpan<int> SketchColumns => _sketchColumns;

    /// <summary>Variable <paramref name="variable"/>'s float64 value for a state of at least one point.</summary>
    internal double Finish(int variable, CellState state) => _finish[variable](state);

    /// <summary>Compiles a validated configuration's mergeable forms.</summary>
    public static MergePlan Compile(PipelineConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var columns = config.DataSource.Variables.Keys.ToArray();
        var moments = new List<Expr>();
        var weighted = new List<(Expr, Expr)>();
        var sketches = new List<int>();
        int Moment(Expr e)
        {
            int i = moments.IndexOf(e);
            if (i < 0) { moments.Add(e); i = moments.Count - 1; }
            return i;
        }
        int Sketch(int column)
        {
            int i = sketches.IndexOf(column);
            if (i < 0) { sketches.Add(column); i = sketches.Count - 1; }
            return i;
        }
        var finish = new Func<CellState, double>[config.Variables.Count];
        var exactness = new LevelExactness[finish.Length];
        for (int v = 0; v < finish.Length; v++)
        {
            var variable = config.Variables[v];
            exactness[v] = LevelExactness.Exact;
            if (variable.Expression is { } e)
            {
                if (Mergeable(e, inReduction: false)) finish[v] = Expression(e, Moment);
                else
                {
                    finish[v] = static _ => double.NaN;
                    exactness[v] = LevelExactness.None;
                }
                continue;
            }
            var column = new ColumnExpr(variable.SourceColumn!);
            switch (variable.Function)
            {
                case "len": finish[v] = static s => s.Count; break;
                case "min": { int m = Moment(column); finish[v] = s => s.Moments[m].Min; break; }
                case "max": { int m = Moment(column); finish[v] = s => s.Moments[m].Max; break; }
                case "sum": { int m = Moment(column); finish[v] = s => s.Moments[m].Sum; break; }
                case "mean": { int m = Moment(column); finish[v] = s => s.Moments[m].Sum / s.Moments[m].Count; break; }
                case "var": { int m = Moment(column); finish[v] = s => s.Moments[m].Variance; break; }
                case "std": { int m = Moment(column); finish[v] = s => s.Moments[m].StandardDeviation; break; }
                case "average":
                    {
                        var w = variable.Parameters.GetValueOrDefault("weights");
                        if (w is not null && ReadsReduction(w))
                        {
                            // Weights that read a reduction (s_li / np.sum(s_li)) are the cell's own: a merged cell's
                            // differ from its parts', so no state gives its weighted mean.
                            finish[v] = static _ => double.NaN;
                            exactness[v] = LevelExactness.None;
                        }
                        else if (w is not null)
                        {
                            weighted.Add((column, w));
                            int i = weighted.Count - 1;
                            finish[v] = s => s.Weighted[i].WeightedMean;
                        }
                        else { int m = Moment(column); finish[v] = s => s.Moments[m].Sum / s.Moments[m].Count; }
                        break;
                    }
                case "median" or "quantile":
                    {
                        int k = Sketch(Array.IndexOf(columns, variable.SourceColumn));
                        double q = variable.Function == "median" ? 0.5 : ((NumberExpr)variable.Parameters["q"]).Value;
                        finish[v] = s => s.Sketches[k].Quantile(q);
                        exactness[v] = LevelExactness.Sketch;
                        break;
                    }
                default: throw new InvalidOperationException($"statistic '{variable.Function}' is in the catalog but has no mergeable form");
            }
        }
        return new MergePlan(columns, [.. moments], [.. weighted], [.. sketches], finish, exactness, config.Variables.Select(x => x.Name).ToArray());
    }

    /// <summary>An expression merges when every reduction reads per-point values that involve no other reduction.</summary>
    /// <summary>Whether an expression reads a reduction anywhere (its value then depends on the cell it is reduced over).</summary>
    internal static bool ReadsReduction(Expr e) => e switch
    {
        CallExpr c => CallExpr.Reductions.Contains(c.Function) || ReadsReduction(c.Argument),
        UnaryExpr u => ReadsReduction(u.Operand),
        BinaryExpr b => ReadsReduction(b.Left) || ReadsReduction(b.Right),
        _ => false,
    };

    private static bool Mergeable(Expr e, bool inReduction) => e switch
    {
        NumberExpr or ColumnExpr => true,
        UnaryExpr u => Mergeable(u.Operand, inReduction),
        BinaryExpr b => Mergeable(b.Left, inReduction) && Mergeable(b.Right, inReduction),
        CallExpr c when CallExpr.Reductions.Contains(c.Function) => !inReduction && (c.Argument.IsScalar ? Mergeable(c.Argument, false) : Mergeable(c.Argument, true)),
        CallExpr c => Mergeable(c.Argument, inReduction),
        _ => false,
    };

    /// <summary>The finish of an expression: its tree over the states' numbers (a reduction of per-point values reads its moments).</summary>
    private static Func<CellState, double> Expression(Expr e, Func<Expr, int> moment)
    {
        switch (e)
        {
            case NumberExpr n: { double value = n.Value; return _ => value; }
            case UnaryExpr u: { var f = Expression(u.Operand, moment); return s => -f(s); }
            case BinaryExpr b:
                {
                    var l = Expression(b.Left, moment);
                    var r = Expression(b.Right, moment);
                    return b.Op switch
                    {
                        "+" => s => l(s) + r(s),
                        "-" => s => l(s) - r(s),
                        "*" => s => l(s) * r(s),
                        "/" => s => l(s) / r(s),
                        "**" => s => Math.Pow(l(s), r(s)),
                        _ => throw new InvalidOperationException(b.Op),
                    };
                }
            case CallExpr c when CallExpr.Reductions.Contains(c.Function):
                {
                    // NumPy's reduction of a scalar is the scalar (as SegmentedEvaluator); of per-point values, from their moments.
                    if (c.Argument.IsScalar) return Expression(c.Argument, moment);
                    int m = moment(c.Argument);
                    return c.Function switch
                    {
                        "sum" => s => s.Moments[m].Sum,
                        "mean" => s => s.Moments[m].Sum / s.Moments[m].Count,
                        "min" => s => s.Moments[m].Min,
                        "max" => s => s.Moments[m].Max,
                        "len" => s => s.Moments[m].Count,
                        _ => throw new InvalidOperationException(c.Function),
                    };
                }
            case CallExpr c:
                {
                    var f = Expression(c.Argument, moment);
                    return c.Function switch
                    {
                        "sqrt" => s => Math.Sqrt(f(s)),
                        "abs" => s => Math.Abs(f(s)),
                        "log" => s => Math.Log(f(s)),
                        "exp" => s => Math.Exp(f(s)),
                        _ => throw new InvalidOperationException(c.Function),
                    };
                }
            default: throw new InvalidOperationException($"{e} is not a number of a cell");
        }
    }

    /// <summary>The state of no points (the identity of <see cref="CellState.Merge"/>).</summary>
    public CellState Empty()
    {
        var s = new CellState(new MomentState[_moments.Length], new WeightedSumState[_weighted.Length], new QuantileSketch[_sketchColumns.Length]);
        Array.Fill(s.Moments, MomentState.Empty);
        for (int k = 0; k < s.Sketches.Length; k++) s.Sketches[k] = new QuantileSketch();
        return s;
    }

    /// <summary>The state of one cell's points: <paramref name="columns"/>[k][0..<paramref name="points"/>) of every source column.</summary>
    /// <exception cref="ArgumentException">A column is missing or shorter than the points.</exception>
    public CellState StateOf(double[][] columns, int points)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Length != Columns.Count) throw new ArgumentException($"{Columns.Count} columns expected, {columns.Length} given", nameof(columns));
        foreach (var c in columns)
            if (c.Length < points) throw new ArgumentException("a column is shorter than the points", nameof(columns));
        var s = Empty();
        s.Count = points;
        using var evaluator = new SegmentedEvaluator(columns, _index, [0, points], points);
        for (int m = 0; m < _moments.Length; m++) s.Moments[m] = MomentState.Of(evaluator.Evaluate(_moments[m]).PerPoint.AsSpan(0, points));
        for (int w = 0; w < _weighted.Length; w++)
        {
            var (values, weights) = _weighted[w];
            var x = evaluator.Evaluate(values).PerPoint.AsSpan(0, points);
            var wv = evaluator.Evaluate(weights);
            if (wv.PerPoint is { } perPoint) s.Weighted[w] = WeightedSumState.Of(x, perPoint.AsSpan(0, points));
            else s.Weighted[w] = WeightedSumState.OfOneWeight(x, wv.PerChild is { } pc ? pc[0] : wv.Scalar);
        }
        for (int k = 0; k < _sketchColumns.Length; k++) s.Sketches[k] = QuantileSketch.Of(columns[_sketchColumns[k]].AsSpan(0, points));
        return s;
    }

    /// <summary>Every variable's float64 value for a cell's state (config order); NaN everywhere for a cell of no points.</summary>
    public double[] Finish(CellState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var r = new double[_finish.Length];
        for (int v = 0; v < r.Length; v++) r[v] = state.Count == 0 ? double.NaN : _finish[v](state);
        return r;
    }

    /// <summary>Reads a state <see cref="CellState.ToBytes"/> wrote for this plan.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a state of this plan.</exception>
    public CellState FromBytes(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        using var r = new BinaryReader(new MemoryStream(bytes));
        try
        {
            int magic = r.ReadInt32();
            if (magic == CellState.OlderMagic) throw new InvalidDataException("a cell state written by an older zagg (without the mean's low part): aggregate the cell again");
            if (magic != CellState.Magic) throw new InvalidDataException("not a Zagg cell state");
            var s = Empty();
            s.Count = r.ReadInt64();
            if (r.ReadInt32() != s.Moments.Length || r.ReadInt32() != s.Weighted.Length || r.ReadInt32() != s.Sketches.Length)
                throw new InvalidDataException("a cell state of another configuration");
            for (int m = 0; m < s.Moments.Length; m++)
                s.Moments[m] = new MomentState(r.ReadInt64(), r.ReadDouble(), r.ReadDouble(), r.ReadDouble(), r.ReadDouble(), r.ReadDouble(), r.ReadDouble());
            for (int w = 0; w < s.Weighted.Length; w++) s.Weighted[w] = new WeightedSumState(r.ReadDouble(), r.ReadDouble());
            for (int k = 0; k < s.Sketches.Length; k++) s.Sketches[k] = QuantileSketch.FromBytes(r);
            return s;
        }
        catch (EndOfStreamException e) { throw new InvalidDataException("a cell state's bytes end too soon", e); }
    }
}

/// <summary>The mergeable state of one cell (see <see cref="MergePlan"/>); made by <see cref="MergePlan.StateOf"/> or <see cref="MergePlan.Empty"/>.</summary>
public sealed class CellState
{
    /// <summary>"ZCS2": a moment state holds its mean as two float64 (high and low parts).</summary>
    internal const int Magic = 0x5a435332;

    /// <summary>"ZCS1": the states of zagg before the mean's low part, which this one does not read.</summary>
    internal const int OlderMagic = 0x5a435331;

    internal CellState(MomentState[] moments, WeightedSumState[] weighted, QuantileSketch[] sketches)
    {
        Moments = moments;
        Weighted = weighted;
        Sketches = sketches;
    }

    /// <summary>Points of the cell.</summary>
    public long Count { get; internal set; }

    internal MomentState[] Moments { get; }

    internal WeightedSumState[] Weighted { get; }

    internal QuantileSketch[] Sketches { get; }

    /// <summary>The largest certified rank-error bound of the state's sketches, relative to <see cref="Count"/> (0 without sketches or points).</summary>
    public double RelativeRankError
    {
        get
        {
            double e = 0;
            foreach (var k in Sketches)
                if (k.Count > 0) e = Math.Max(e, (double)k.RankErrorBound / k.Count);
            return e;
        }
    }

    /// <summary>Adds <paramref name="other"/>'s points to this state (Chan's formula, sums, sketch merge); <paramref name="other"/> is not changed.</summary>
    /// <exception cref="ArgumentException">The states are of different plans.</exception>
    public void Merge(CellState other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Moments.Length != Moments.Length || other.Weighted.Length != Weighted.Length || other.Sketches.Length != Sketches.Length)
            throw new ArgumentException("states of different plans", nameof(other));
        Count += other.Count;
        for (int m = 0; m < Moments.Length; m++) Moments[m] = MomentState.Merge(Moments[m], other.Moments[m]);
        for (int w = 0; w < Weighted.Length; w++) Weighted[w] = WeightedSumState.Merge(Weighted[w], other.Weighted[w]);
        for (int k = 0; k < Sketches.Length; k++) Sketches[k].Merge(other.Sketches[k]);
    }

    /// <summary>The state as bytes (little-endian), read back by <see cref="MergePlan.FromBytes"/>.</summary>
    public byte[] ToBytes()
    {
        using var m = new MemoryStream();
        using (var w = new BinaryWriter(m))
        {
            w.Write(Magic);
            w.Write(Count);
            w.Write(Moments.Length);
            w.Write(Weighted.Length);
            w.Write(Sketches.Length);
            foreach (var s in Moments)
            {
                w.Write(s.Count); w.Write(s.Sum); w.Write(s.Min); w.Write(s.Max); w.Write(s.Mean); w.Write(s.M2); w.Write(s.MeanLow);
            }
            foreach (var s in Weighted) { w.Write(s.SumWeights); w.Write(s.SumWeightedValues); }
            foreach (var k in Sketches) w.Write(k.ToBytes());
        }
        return m.ToArray();
    }
}
