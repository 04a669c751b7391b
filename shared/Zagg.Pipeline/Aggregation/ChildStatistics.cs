using System.Buffers;
using System.Runtime.InteropServices;
using Zagg.Pipeline.Config;
using Zagg.Zarr;

namespace Zagg.Pipeline.Aggregation;

/// <summary>
/// Every configured variable per child of one parent cell, over its gathered points: the points
/// are binned by child once (a counting sort), expressions and weights are evaluated once for the
/// whole cell, and order statistics (medians, quantiles) are selected once per child and column.
/// Statistics follow NumPy (see <see cref="Statistics"/>); results are float64 until written in
/// the variable's dtype.
/// </summary>
/// <param name="config">The variables and their functions or expressions.</param>
/// <param name="depth">Child order − parent order: 4^depth children per parent.</param>
internal sealed class ChildStatistics(PipelineConfig config, int depth)
{
    /// <summary>Bins the points by child with one counting sort, then computes each variable per child.</summary>
    public Dictionary<string, byte[]> Compute(GatheredPoints g, string[] columns, out int cellsWithData)
    {
        int children = 1 << (2 * depth);
        var start = new int[children + 1];
        for (int i = 0; i < g.Count; i++) start[g.Child[i] + 1]++;
        for (int c = 0; c < children; c++) start[c + 1] += start[c];
        var sorted = new double[columns.Length][];
        for (int k = 0; k < columns.Length; k++) sorted[k] = ArrayPool<double>.Shared.Rent(Math.Max(1, g.Count));
        try { return Compute(g, columns, start, sorted, out cellsWithData); }
        finally
        {
            foreach (var column in sorted) ArrayPool<double>.Shared.Return(column);
        }
    }

    /// <summary>Each variable per child, over the points sorted by child (child c's are [start[c], start[c + 1])).</summary>
    private Dictionary<string, byte[]> Compute(GatheredPoints g, string[] columns, int[] start, double[][] sorted, out int cellsWithData)
    {
        int children = start.Length - 1;
        var cursor = (int[])start.Clone();
        for (int i = 0; i < g.Count; i++)
        {
            int at = cursor[g.Child[i]]++;
            for (int k = 0; k < columns.Length; k++) sorted[k][at] = g.Values[k][i];
        }
        var index = new Dictionary<string, int>();
        for (int k = 0; k < columns.Length; k++) index[columns[k]] = k;

        var chunks = new Dictionary<string, byte[]>();
        foreach (var v in config.Variables) chunks[v.Name] = ZarrDataTypes.Repeat(v.Fill, children);
        cellsWithData = 0;
        // Expressions and weights, evaluated once for the whole cell (segments are children).
        using var segmented = new SegmentedEvaluator(sorted, index, start, g.Count);
        var perChild = new Dictionary<string, double[]>();
        var weights = new Dictionary<string, SegmentedEvaluator.Segmented>();
        foreach (var v in config.Variables)
        {
            if (v.Expression is not null)
            {
                var r = segmented.Evaluate(v.Expression);
                perChild[v.Name] = r.PerChild ?? Enumerable.Repeat(r.Scalar, children).ToArray();
            }
            else if (v.Function == "average" && v.Parameters.TryGetValue("weights", out var w))
                weights[v.Name] = segmented.Evaluate(w);
        }
        var orderStats = new double[columns.Length][];
        var selected = new bool[columns.Length];
        var hasNaN = new bool[columns.Length];
        // Per column, the medians (true) and quantiles (q) the configuration asks of it.
        var orderSpecs = new List<(bool Median, double Q)>[columns.Length];
        var rankList = new List<int>[columns.Length];
        for (int k = 0; k < columns.Length; k++) { orderSpecs[k] = []; rankList[k] = []; }
        foreach (var v in config.Variables)
            if (v.Expression is null && v.Function is "median" or "quantile")
                orderSpecs[index[v.SourceColumn!]].Add((v.Function == "median", v.Function == "quantile" ? ((NumberExpr)v.Parameters["q"]).Value : 0.5));
        for (int c = 0; c < children; c++)
        {
            int from = start[c], n = start[c + 1] - from;
            if (n == 0) continue;
            cellsWithData++;
            Array.Clear(selected);
            foreach (var v in config.Variables)
            {
                double value;
                if (v.Expression is not null) value = perChild[v.Name][c];
                else
                {
                    int k = index[v.SourceColumn!];
                    var x = sorted[k].AsSpan(from, n);
                    value = v.Function switch
                    {
                        "len" or "count" => n,
                        "min" => Aggregation.Statistics.Min(x),
                        "max" => Aggregation.Statistics.Max(x),
                        "sum" => Aggregation.Statistics.Sum(x),
                        "mean" => Aggregation.Statistics.Mean(x),
                        "var" => Aggregation.Statistics.Variance(x),
                        "std" => Aggregation.Statistics.StandardDeviation(x),
                        // A NaN among the values gives NaN, as NumPy does.
                        "median" => OrderStatistics(k, x) ? Aggregation.Statistics.MedianOf(n, Rank(k, (n - 1) / 2), Rank(k, n / 2)) : double.NaN,
                        "quantile" => OrderStatistics(k, x) ? Quantile(k, n, ((NumberExpr)v.Parameters["q"]).Value) : double.NaN,
                        "average" => weights.TryGetValue(v.Name, out var w) ? Weighted(x, w, from, n, c) : Aggregation.Statistics.Mean(x),
                        _ => throw new InvalidOperationException(v.Function),
                    };
                }
                Write(chunks[v.Name], v, c, value);
            }

            // Every order statistic a child's column needs (the ranks of its medians and quantiles), selected once
            // into orderStats[k] (rank r at index r); false when a value is NaN.
            bool OrderStatistics(int k, ReadOnlySpan<double> x)
            {
                if (selected[k]) return !hasNaN[k];
                selected[k] = true;
                hasNaN[k] = HasNaN(x);
                if (hasNaN[k]) return false;
                var buffer = orderStats[k] is { } b && b.Length >= n ? b : orderStats[k] = new double[Math.Max(n, 64)];
                x.CopyTo(buffer);
                var values = buffer.AsSpan(0, n);
                var ranks = rankList[k];
                ranks.Clear();
                foreach (var (median, q) in orderSpecs[k])
                {
                    if (median) { ranks.Add((n - 1) / 2); ranks.Add(n / 2); }
                    else
                    {
                        var (below, above, _) = Aggregation.Statistics.QuantileRanks(n, q);
                        ranks.Add(below);
                        ranks.Add(above);
                    }
                }
                ranks.Sort();
                Aggregation.Statistics.SelectRanks(values, CollectionsMarshal.AsSpan(ranks));
                return true;
            }

            double Rank(int k, int r) => orderStats[k][r];

            double Quantile(int k, int count, double q)
            {
                var (below, above, gamma) = Aggregation.Statistics.QuantileRanks(count, q);
                return Aggregation.Statistics.QuantileOf(Rank(k, below), Rank(k, above), gamma);
            }
        }
        return chunks;
    }

    private static bool HasNaN(ReadOnlySpan<double> x)
    {
        foreach (double v in x)
            if (double.IsNaN(v)) return true;
        return false;
    }

    /// <summary>The weighted average of a child; weights per point, or one weight (then the plain mean).</summary>
    private static double Weighted(ReadOnlySpan<double> x, SegmentedEvaluator.Segmented w, int from, int n, int child)
        => w.PerPoint is { } p ? Aggregation.Statistics.WeightedAverage(x, p.AsSpan(from, n)) : Aggregation.Statistics.Mean(x);

    /// <summary>
    /// Stores a child's float64 result in the variable's dtype through the one conversion,
    /// <see cref="ZarrDataTypes.Encode"/> (integers truncate, as NumPy's astype, and must fit).
    /// A non-finite result for a non-float dtype (a statistic of no usable values) keeps the fill.
    /// </summary>
    /// <exception cref="ZarrException">The value does not fit the variable's integer dtype.</exception>
    private static void Write(byte[] chunk, VariableConfig variable, int child, double v)
    {
        var type = variable.DataType;
        if (!type.IsFloat() && !double.IsFinite(v)) return;
        type.Encode(v, chunk.AsSpan(child * type.Size(), type.Size()), $"aggregation.variables.{variable.Name} (child {child})");
    }
}
