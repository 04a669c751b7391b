using Zagg.Pipeline.Config;

namespace Zagg.Pipeline.Aggregation;

/// <summary>One cell's points sorted by child, with what every reducer shares while the cell is computed.</summary>
/// <param name="Columns">The source columns, sorted by child.</param>
/// <param name="Start">children + 1 offsets: child c is [Start[c], Start[c + 1]).</param>
/// <param name="Expressions">The cell's expression evaluator (a derived column is computed once for all).</param>
/// <param name="Scratch">At least as long as the largest child: a reducer's working space.</param>
internal readonly record struct SortedCell(double[][] Columns, int[] Start, SegmentedEvaluator Expressions, double[] Scratch)
{
    public int Children => Start.Length - 1;

    /// <summary>Child <paramref name="c"/>'s values of column <paramref name="k"/>.</summary>
    public ReadOnlySpan<double> Segment(int k, int c) => Columns[k].AsSpan(Start[c], Start[c + 1] - Start[c]);
}

/// <summary>Computes one or more variables for every child of a cell in one pass over the children.</summary>
internal abstract class Reducer
{
    /// <summary>Writes results[variable][c] for every child c that has points (the others are not touched).</summary>
    public abstract void Reduce(in SortedCell cell, double[][] results);
}

/// <summary>A reducer of one column into one variable by a function of the child's values.</summary>
internal abstract class ColumnReducer(int variable, int column) : Reducer
{
    public sealed override void Reduce(in SortedCell cell, double[][] results)
    {
        var r = results[variable];
        var start = cell.Start;
        var values = cell.Columns[column];
        var scratch = cell.Scratch;
        for (int c = 0; c < cell.Children; c++)
        {
            int from = start[c], n = start[c + 1] - from;
            if (n > 0) r[c] = Of(values.AsSpan(from, n), scratch);
        }
    }

    /// <summary>The statistic of one child's values (never empty); <paramref name="scratch"/> is at least as long.</summary>
    protected abstract double Of(ReadOnlySpan<double> x, double[] scratch);
}

internal sealed class CountReducer(int variable) : Reducer
{
    public override void Reduce(in SortedCell cell, double[][] results)
    {
        var r = results[variable];
        for (int c = 0; c < cell.Children; c++)
        {
            int n = cell.Start[c + 1] - cell.Start[c];
            if (n > 0) r[c] = n;
        }
    }
}

internal sealed class MinReducer(int variable, int column) : ColumnReducer(variable, column)
{
    protected override double Of(ReadOnlySpan<double> x, double[] scratch) => Statistics.Min(x);
}

internal sealed class MaxReducer(int variable, int column) : ColumnReducer(variable, column)
{
    protected override double Of(ReadOnlySpan<double> x, double[] scratch) => Statistics.Max(x);
}

internal sealed class SumReducer(int variable, int column) : ColumnReducer(variable, column)
{
    protected override double Of(ReadOnlySpan<double> x, double[] scratch) => Statistics.Sum(x);
}

internal sealed class MeanReducer(int variable, int column) : ColumnReducer(variable, column)
{
    protected override double Of(ReadOnlySpan<double> x, double[] scratch) => Statistics.Mean(x);
}

/// <summary>Population variance (ddof 0), or its square root.</summary>
internal sealed class VarianceReducer(int variable, int column, bool root) : ColumnReducer(variable, column)
{
    protected override double Of(ReadOnlySpan<double> x, double[] scratch)
    {
        double v = Statistics.Variance(x, scratch);
        return root ? Math.Sqrt(v) : v;
    }
}

/// <summary>Σ w·x / Σ w with per-point weights from an expression (evaluated once per cell); the plain mean without weights, or with one weight per child.</summary>
internal sealed class WeightedMeanReducer(int variable, int column, Expr? weights) : Reducer
{
    public override void Reduce(in SortedCell cell, double[][] results)
    {
        var w = weights is null ? default : cell.Expressions.Evaluate(weights);
        var r = results[variable];
        var start = cell.Start;
        var values = cell.Columns[column];
        for (int c = 0; c < cell.Children; c++)
        {
            int from = start[c], n = start[c + 1] - from;
            if (n == 0) continue;
            var x = values.AsSpan(from, n);
            r[c] = weights is null ? Statistics.Mean(x)
                : w.PerPoint is { } perPoint ? Statistics.WeightedAverage(x, perPoint.AsSpan(from, n), cell.Scratch)
                // One weight for the child's points (a number, or a reduction such as np.max(s_li)): the same rule as the
                // pyramid's states, Σw·x / Σw = w·Σx / (n·w): the plain mean for any finite non-zero weight, NaN for 0.
                : WeightedSumState.OfOneWeight(x, w.PerChild is { } perChild ? perChild[c] : w.Scalar).WeightedMean;
        }
    }
}

/// <summary>An expression reduced to one number per child (e.g. <c>1.0 / np.sqrt(np.sum(1.0 / s_li**2))</c>).</summary>
internal sealed class ExpressionReducer(int variable, Expr expression) : Reducer
{
    public override void Reduce(in SortedCell cell, double[][] results)
    {
        var value = cell.Expressions.Evaluate(expression);
        var r = results[variable];
        for (int c = 0; c < cell.Children; c++)
            if (cell.Start[c + 1] > cell.Start[c]) r[c] = value.PerChild is { } p ? p[c] : value.Scalar;
    }
}

/// <summary>
/// Every median and quantile of one column: per child, the order statistics all of them need are selected once
/// (one copy, one NaN check, one selection of every rank), then each variable interpolates its own.
/// </summary>
internal sealed class OrderStatisticsReducer(int column) : Reducer
{
    private readonly List<(int Variable, double? Q)> _wanted = [];

    /// <summary>Adds a variable: the q-quantile, or the median (null).</summary>
    public void Add(int variable, double? q) => _wanted.Add((variable, q));

    public override void Reduce(in SortedCell cell, double[][] results)
    {
        var ranks = new int[2 * _wanted.Count];
        var buffer = cell.Scratch;
        var start = cell.Start;
        var values = cell.Columns[column];
        for (int c = 0; c < cell.Children; c++)
        {
            int from = start[c], n = start[c + 1] - from;
            if (n == 0) continue;
            var x = values.AsSpan(from, n);
            if (HasNaN(x))
            {
                // A NaN among the values gives NaN, as NumPy does.
                foreach (var (v, _) in _wanted) results[v][c] = double.NaN;
                continue;
            }
            var sorted = buffer.AsSpan(0, n);
            x.CopyTo(sorted);
            for (int i = 0; i < _wanted.Count; i++)
            {
                if (_wanted[i].Q is { } q) (ranks[2 * i], ranks[2 * i + 1], _) = Statistics.QuantileRanks(n, q);
                else (ranks[2 * i], ranks[2 * i + 1]) = ((n - 1) / 2, n / 2);
            }
            Array.Sort(ranks);
            Statistics.SelectRanks(sorted, ranks);
            foreach (var (v, q) in _wanted)
            {
                if (q is { } quantile)
                {
                    var (below, above, gamma) = Statistics.QuantileRanks(n, quantile);
                    results[v][c] = Statistics.QuantileOf(sorted[below], sorted[above], gamma);
                }
                else results[v][c] = Statistics.MedianOf(n, sorted[(n - 1) / 2], sorted[n / 2]);
            }
        }
    }

    private static bool HasNaN(ReadOnlySpan<double> x)
    {
        foreach (double v in x)
            if (double.IsNaN(v)) return true;
        return false;
    }
}
