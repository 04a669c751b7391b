using System.Text.Json;
using Xunit;
using Zagg.Pipeline.Aggregation;
using Zagg.Pipeline.Config;

namespace Zagg.Pipeline.Tests;

/// <summary>Every aggregation function and the config's expressions against NumPy (tools/fixtures/statistics_golden.py).</summary>
public class StatisticsTests
{
    private static readonly JsonElement Golden = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", "statistics.json"))).RootElement;

    private static double D(JsonElement e) => e.ValueKind == JsonValueKind.String ? double.NaN : e.GetDouble();

    private static void Close(double expected, double actual, string what)
    {
        if (double.IsNaN(expected)) { Assert.True(double.IsNaN(actual), $"{what}: expected NaN, got {actual}"); return; }
        // float64 results within a few ulps of NumPy's (all are stored as float32 in the end).
        double tol = Math.Max(Math.Abs(expected), 1e-300) * 4e-15;
        Assert.True(Math.Abs(expected - actual) <= tol, $"{what}: NumPy {expected:R}, ours {actual:R}");
    }

    /// <summary>The data_source of the plans below: two source columns, h_li and s_li.</summary>
    private const string SourceColumns = """
        data_source:
          reader: zagg
          driver: s3
          coordinates: {latitude: /lat, longitude: /lon}
          variables: {h_li: /h, s_li: /s}

        """;

    /// <summary>
    /// A plan of every statistic (each alias and prefix form once), float64 output so nothing is rounded away;
    /// the quantiles the golden file holds.
    /// </summary>
    private static AggregationPlan EveryStatistic(out string[] quantiles)
    {
        quantiles = Golden.GetProperty("cells")[0].GetProperty("quantile").EnumerateObject().Select(q => q.Name).ToArray();
        string yaml = SourceColumns + """
            aggregation:
              variables:
                len: {function: len, source: h_li, dtype: int32, fill_value: 0}
                count: {function: np.count, source: h_li, dtype: int64, fill_value: -1}
                min: {function: min, source: h_li, dtype: float64}
                max: {function: numpy.max, source: h_li, dtype: float64}
                sum: {function: sum, source: h_li, dtype: float64}
                mean: {function: mean, source: h_li, dtype: float64}
                average: {function: average, source: h_li, params: {weights: "1.0 / s_li**2"}, dtype: float64}
                unweighted: {function: average, source: h_li, dtype: float64}
                var: {function: var, source: h_li, dtype: float64}
                std: {function: std, source: h_li, dtype: float64}
                median: {function: median, source: h_li, dtype: float64}
                h_sigma: {expression: "1.0 / np.sqrt(np.sum(1.0 / s_li**2))", dtype: float64}

            """ + string.Concat(quantiles.Select((q, i) => $"    q{i}: {{function: quantile, source: h_li, params: {{q: {q}}}, dtype: float64}}\n")) + """
            output:
              grid: {child_order: 10}
            """;
        return AggregationPlan.Compile(ConfigLoader.Parse(yaml, "every.yaml"), depth: 3);
    }

    [Fact]
    public void Every_function_of_the_plan_agrees_with_numpy()
    {
        // Every golden cell is one child of one parent cell: the production path, segment after segment.
        var plan = EveryStatistic(out var quantiles);
        var cells = Golden.GetProperty("cells").EnumerateArray().ToArray();
        Assert.True(cells.Length > 40 && cells.Length < plan.Children - 1);
        var start = new int[plan.Children + 1];
        var h = new List<double>();
        var s = new List<double>();
        for (int c = 0; c < plan.Children; c++)
        {
            // Child 0 and every other child after the golden cells are empty: they must not disturb their neighbours.
            if (c >= 1 && c <= cells.Length)
            {
                h.AddRange(cells[c - 1].GetProperty("h").EnumerateArray().Select(D));
                s.AddRange(cells[c - 1].GetProperty("s").EnumerateArray().Select(D));
            }
            start[c + 1] = h.Count;
        }
        var results = plan.Evaluate([h.ToArray(), s.ToArray()], start);
        var names = plan.Variables.ToList();
        double R(string name, int child) => results[names.IndexOf(name)][child];
        for (int i = 0; i < cells.Length; i++)
        {
            var c = cells[i];
            int child = i + 1;
            string n = $"cell of {c.GetProperty("len").GetInt32()}";
            Assert.Equal(c.GetProperty("len").GetInt32(), R("len", child));
            Assert.Equal(c.GetProperty("len").GetInt32(), R("count", child));
            foreach (string f in new[] { "min", "max", "sum", "mean", "average", "var", "std", "median", "h_sigma" })
                Close(D(c.GetProperty(f)), R(f, child), $"{n} {f}");
            Close(D(c.GetProperty("mean")), R("unweighted", child), $"{n} average without weights");
            for (int q = 0; q < quantiles.Length; q++)
                Close(D(c.GetProperty("quantile").GetProperty(quantiles[q])), R($"q{q}", child), $"{n} quantile {quantiles[q]}");
        }
        foreach (int empty in new[] { 0, cells.Length + 1, plan.Children - 1 })
            Assert.All(results, r => Assert.True(double.IsNaN(r[empty]), $"child {empty} has no points"));
    }

    [Fact]
    public void Zero_weights_give_nan_whether_a_number_or_a_column_and_a_weight_all_points_share_gives_the_mean()
    {
        // NumPy refuses weights that sum to zero ("Weights sum to zero, can't be normalized"); Σw·x / Σw is then 0/0.
        string yaml = SourceColumns + """
            aggregation:
              variables:
                mean: {function: mean, source: h_li, dtype: float64}
                zero: {function: average, source: h_li, params: {weights: 0}, dtype: float64}
                zeros: {function: average, source: h_li, params: {weights: "0 * s_li"}, dtype: float64}
                two: {function: average, source: h_li, params: {weights: 2}, dtype: float64}
            output:
              grid: {child_order: 8}
            """;
        var plan = AggregationPlan.Compile(ConfigLoader.Parse(yaml, "weights.yaml"), depth: 2);
        double[] h = [1598.8, 1700.25, 2000.5, 1833.0, 1650.75];
        double[] sigma = [0.1, 0.2, 0.3, 0.4, 0.5];
        var start = new int[plan.Children + 1];
        for (int c = 1; c <= plan.Children; c++) start[c] = c == 1 ? 2 : h.Length; // child 0: two points, child 1: three
        var results = plan.Evaluate([h, sigma], start);
        var names = plan.Variables.ToList();
        for (int child = 0; child < 2; child++)
        {
            Assert.True(double.IsNaN(results[names.IndexOf("zero")][child]), "weights: 0");
            Assert.True(double.IsNaN(results[names.IndexOf("zeros")][child]), "weights: 0 * s_li");
            Assert.Equal(results[names.IndexOf("mean")][child], results[names.IndexOf("two")][child]);
        }
    }

    [Fact]
    public void The_library_functions_agree_with_numpy()
    {
        foreach (var c in Golden.GetProperty("cells").EnumerateArray())
        {
            double[] h = c.GetProperty("h").EnumerateArray().Select(D).ToArray();
            double[] w = c.GetProperty("s").EnumerateArray().Select(D).Select(x => 1.0 / (x * x)).ToArray();
            string n = $"cell of {h.Length}";
            Close(D(c.GetProperty("average")), Statistics.WeightedAverage(h, w), $"{n} average");
            Close(D(c.GetProperty("var")), Statistics.Variance(h), $"{n} var");
            Close(D(c.GetProperty("std")), Statistics.StandardDeviation(h), $"{n} std");
            Close(D(c.GetProperty("median")), Statistics.Median(h), $"{n} median");
            foreach (var q in c.GetProperty("quantile").EnumerateObject())
                Close(D(q.Value), Statistics.Quantile(h, double.Parse(q.Name, System.Globalization.CultureInfo.InvariantCulture)), $"{n} quantile {q.Name}");
        }
    }

    /// <summary>
    /// Sums and what is made of them (mean, variance, standard deviation, weighted average, h_sigma) are NumPy's to the
    /// bit, float64 and not only after the float32 cast: the golden cells' sizes (1 to 500) cover each branch of NumPy's
    /// pairwise summation (below 8, 8 to 128 in eight partial sums, split beyond).
    /// </summary>
    [Fact]
    public void Sums_and_what_is_made_of_them_are_numpys_to_the_bit()
    {
        foreach (var c in Golden.GetProperty("cells").EnumerateArray())
        {
            double[] h = c.GetProperty("h").EnumerateArray().Select(D).ToArray();
            double[] s = c.GetProperty("s").EnumerateArray().Select(D).ToArray();
            double[] w = s.Select(x => 1.0 / (x * x)).ToArray();
            string n = $"cell of {h.Length}";
            void Same(string f, double actual)
            {
                double expected = D(c.GetProperty(f));
                Assert.True(expected.Equals(actual), $"{n} {f}: NumPy {expected:R}, ours {actual:R}");
            }
            Same("sum", Statistics.Sum(h));
            Same("mean", Statistics.Mean(h));
            Same("var", Statistics.Variance(h));
            Same("std", Statistics.StandardDeviation(h));
            Same("average", Statistics.WeightedAverage(h, w));
            Same("h_sigma", 1.0 / Math.Sqrt(Statistics.Sum(w)));
        }
    }

    [Fact]
    public void Empty_cells_give_nan()
    {
        Assert.True(double.IsNaN(Statistics.Mean([])));
        Assert.True(double.IsNaN(Statistics.Quantile([], 0.5)));
        Assert.True(double.IsNaN(Statistics.Variance([])));
        Assert.Throws<ArgumentOutOfRangeException>(() => Statistics.Quantile([1.0], 1.5));
    }
}

public class ExpressionTests
{
    /// <summary>An expression over one cell of one child, through the engine's evaluator.</summary>
    private static double Eval(string text, params (string, double[])[] cols)
    {
        int n = cols.Length > 0 ? cols[0].Item2.Length : 0;
        var index = new Dictionary<string, int>();
        for (int k = 0; k < cols.Length; k++) index[cols[k].Item1] = k;
        using var evaluator = new SegmentedEvaluator(cols.Select(c => c.Item2).ToArray(), index, [0, n], n);
        var v = evaluator.Evaluate(Expr.Parse(text, "t"));
        Assert.Null(v.PerPoint);
        return v.PerChild is { } perChild ? perChild[0] : v.Scalar;
    }

    [Theory]
    [InlineData("-2**2", -4)]          // power binds tighter than unary minus, as in Python
    [InlineData("2**-1", 0.5)]
    [InlineData("2**3**2", 512)]       // right-associative
    [InlineData("1 + 2 * 3", 7)]
    [InlineData("(1 + 2) * 3", 9)]
    [InlineData("10 / 4 - 1", 1.5)]
    [InlineData("np.sqrt(16) + numpy.abs(-2) + sqrt(4)", 8)]
    [InlineData("1.5e2 + .5", 150.5)]
    public void Arithmetic_follows_python(string text, double expected) => Assert.Equal(expected, Eval(text));

    [Fact]
    public void Reductions_over_columns()
    {
        double[] x = [1, 2, 3, 4];
        Assert.Equal(10, Eval("np.sum(x)", ("x", x)));
        Assert.Equal(2.5, Eval("mean(x)", ("x", x)));
        Assert.Equal(4, Eval("len(x)", ("x", x)));
        Assert.Equal(30, Eval("sum(x ** 2)", ("x", x)));
        Assert.Equal(Math.Exp(1) + Math.Log(4), Eval("max(exp(x / x)) + np.log(max(x))", ("x", x)), 12);
    }

    [Theory]
    [InlineData("1 +", "expression ends too soon")]
    [InlineData("(1 + 2", "missing ')'")]
    [InlineData("np.foo(x)", "unknown function 'np.foo'")]
    [InlineData("x $ 2", "unexpected '$'")]
    [InlineData("np.pi", "'np.pi' is not a column name")]
    public void Bad_expressions_are_refused_with_the_place(string text, string message)
    {
        var e = Assert.Throws<ExpressionException>(() => Expr.Parse(text, "aggregation.variables.v.expression"));
        Assert.Contains(message, e.Message);
        Assert.Contains("position", e.Message);
        Assert.StartsWith("aggregation.variables.v.expression: cannot parse", e.Message);
    }

    [Fact]
    public void Scalar_and_vector_results_are_told_apart()
    {
        Assert.True(Expr.Parse("1.0 / np.sqrt(np.sum(1.0 / s**2))", "t").IsScalar);
        Assert.False(Expr.Parse("1.0 / s**2", "t").IsScalar);
        Assert.Equal(["s", "h"], Expr.Parse("mean(s) + h", "t").Columns());
    }

    [Fact]
    public void Selection_finds_each_rank_a_sort_would_put_there_one_after_another()
    {
        var random = new Random(20261121);
        for (int round = 0; round < 2000; round++)
        {
            int n = 1 + random.Next(round < 1000 ? 40 : 3000);
            int distinct = 1 + random.Next(n);
            var values = new double[n];
            for (int i = 0; i < n; i++) values[i] = random.Next(distinct) * 0.25 - distinct / 8.0;
            var sorted = values.Order().ToArray();
            var ranks = Enumerable.Range(0, 1 + random.Next(6)).Select(_ => random.Next(n)).Distinct().Order().ToArray();
            var work = (double[])values.Clone();
            int from = 0;
            foreach (int r in ranks)
            {
                Statistics.Select(work, from, n, r);
                Assert.Equal(sorted[r], work[r]);
                for (int i = from; i < r; i++) Assert.True(work[i] <= work[r]);
                for (int i = r + 1; i < n; i++) Assert.True(work[i] >= work[r]);
                from = r + 1;
            }
            Assert.Equal(sorted, work.Order().ToArray()); // a permutation, nothing lost
            var again = (double[])values.Clone();
            Statistics.SelectRanks(again, ranks.Concat(ranks).Order().ToArray()); // repeats too
            Assert.All(ranks, r => Assert.Equal(sorted[r], again[r]));
            Assert.Equal(sorted, again.Order().ToArray());
            // A quantile's two order statistics, next to each other, for the quartiles (first, last and middle ranks too).
            var pairs = new[] { 0.0, 0.25, 0.5, 0.75, 1.0 }.SelectMany(q => { var (b, a, _) = Statistics.QuantileRanks(n, q); return new[] { b, a }; }).Order().ToArray();
            var third = (double[])values.Clone();
            Statistics.SelectRanks(third, pairs);
            Assert.All(pairs, r => Assert.Equal(sorted[r], third[r]));
            Assert.Equal(sorted, third.Order().ToArray());
        }
    }
}
