using Zagg.Pipeline.Config;

namespace Zagg.Pipeline.Aggregation;

/// <summary>
/// Evaluates an expression for every child of a cell at once. The cell's points are sorted by
/// child, so a child is a contiguous segment: element-wise parts are computed once over all the
/// cell's points, and each reduction (sum, mean, min, max, len) becomes one pass over the
/// segments. The result is one value per point (element-wise) or one per child (reduced).
/// </summary>
/// <remarks>
/// A sub-expression met twice (the same weights in two variables) is computed once. Every array the
/// evaluator makes comes from <see cref="CellBuffers"/> and goes back when it is disposed, so results live until then.
/// </remarks>
internal sealed class SegmentedEvaluator(double[][] sorted, Dictionary<string, int> index, int[] start, int points) : IDisposable
{
    private readonly Dictionary<Expr, Segmented> _done = [];
    private readonly List<double[]> _rented = [];

    private int Children => start.Length - 1;

    /// <summary>A value per point (PerPoint, <c>points</c> long) or per child (PerChild), or one scalar.</summary>
    public readonly record struct Segmented(double Scalar, double[]? PerPoint, double[]? PerChild);

    public Segmented Evaluate(Expr e)
    {
        if (_done.TryGetValue(e, out var known)) return known;
        var value = e switch
        {
            NumberExpr n => new Segmented(n.Value, null, null),
            ColumnExpr c => new Segmented(0, index.TryGetValue(c.Name, out int k) ? sorted[k] : throw new KeyNotFoundException($"column '{c.Name}' is not available"), null),
            UnaryExpr u => Map(Evaluate(u.Operand), static x => -x),
            BinaryExpr { Op: "**", Right: NumberExpr { Value: 2 } } sq => Map(Evaluate(sq.Left), static x => x * x),
            BinaryExpr b => Combine(Evaluate(b.Left), Evaluate(b.Right), b.Op),
            CallExpr call => Call(call.Function, Evaluate(call.Argument)),
            _ => throw new InvalidOperationException(e.GetType().Name),
        };
        _done[e] = value;
        return value;
    }

    public void Dispose()
    {
        foreach (var a in _rented) CellBuffers.Return(a);
        _rented.Clear();
        _done.Clear();
    }

    private double[] Rent(int length)
    {
        var a = CellBuffers.Rent<double>(Math.Max(1, length));
        _rented.Add(a);
        return a;
    }

    private Segmented Call(string f, Segmented v)
    {
        switch (f)
        {
            case "sqrt": return Map(v, Math.Sqrt);
            case "abs": return Map(v, Math.Abs);
            case "log": return Map(v, Math.Log);
            case "exp": return Map(v, Math.Exp);
        }
        if (v.PerPoint is null) return v; // a reduction of one value per child (or a scalar) is that value, as NumPy's of a scalar
        var r = Rent(Children);
        for (int c = 0; c < Children; c++)
        {
            var seg = v.PerPoint.AsSpan(start[c], start[c + 1] - start[c]);
            r[c] = f switch
            {
                "sum" => Statistics.Sum(seg),
                "mean" => Statistics.Mean(seg),
                "min" => Statistics.Min(seg),
                "max" => Statistics.Max(seg),
                "len" => seg.Length,
                _ => throw new InvalidOperationException(f),
            };
        }
        return new(0, null, r);
    }

    private Segmented Map(Segmented v, Func<double, double> f)
    {
        if (v.PerPoint is { } p)
        {
            var r = Rent(points);
            for (int i = 0; i < points; i++) r[i] = f(p[i]);
            return new(0, r, null);
        }
        if (v.PerChild is { } ch)
        {
            var r = Rent(Children);
            for (int i = 0; i < Children; i++) r[i] = f(ch[i]);
            return new(0, null, r);
        }
        return new(f(v.Scalar), null, null);
    }

    private Segmented Combine(Segmented a, Segmented b, string op)
    {
        if (a.PerPoint is null && a.PerChild is null && b.PerPoint is null && b.PerChild is null)
            return new(Apply(op, a.Scalar, b.Scalar), null, null);
        bool perPoint = a.PerPoint is not null || b.PerPoint is not null;
        int length = perPoint ? points : Children;
        // A number with a column (1.0 / s_li**2): one loop, without spreading the number over a column first.
        if (a.PerPoint is null && a.PerChild is null) return WithScalar(a.Scalar, b.PerPoint ?? b.PerChild!, length, op, perPoint, scalarLeft: true);
        if (b.PerPoint is null && b.PerChild is null) return WithScalar(b.Scalar, a.PerPoint ?? a.PerChild!, length, op, perPoint, scalarLeft: false);
        // Both operands brought to the result's length (a per-child value spread over its points), then one tight loop per operator.
        var x = Expand(a, perPoint).AsSpan(0, length);
        var y = Expand(b, perPoint).AsSpan(0, length);
        var result = Rent(length);
        var r = result.AsSpan(0, length);
        switch (op)
        {
            case "+": for (int i = 0; i < r.Length; i++) r[i] = x[i] + y[i]; break;
            case "-": for (int i = 0; i < r.Length; i++) r[i] = x[i] - y[i]; break;
            case "*": for (int i = 0; i < r.Length; i++) r[i] = x[i] * y[i]; break;
            case "/": for (int i = 0; i < r.Length; i++) r[i] = x[i] / y[i]; break;
            case "**": for (int i = 0; i < r.Length; i++) r[i] = Math.Pow(x[i], y[i]); break;
            default: throw new InvalidOperationException(op);
        }
        return new(0, perPoint ? result : null, perPoint ? null : result);
    }

    private Segmented WithScalar(double scalar, double[] column, int length, string op, bool perPoint, bool scalarLeft)
    {
        var result = Rent(length);
        var r = result.AsSpan(0, length);
        var x = column.AsSpan(0, length);
        switch (op, scalarLeft)
        {
            case ("+", true): for (int i = 0; i < r.Length; i++) r[i] = scalar + x[i]; break;
            case ("+", false): for (int i = 0; i < r.Length; i++) r[i] = x[i] + scalar; break;
            case ("-", true): for (int i = 0; i < r.Length; i++) r[i] = scalar - x[i]; break;
            case ("-", false): for (int i = 0; i < r.Length; i++) r[i] = x[i] - scalar; break;
            case ("*", true): for (int i = 0; i < r.Length; i++) r[i] = scalar * x[i]; break;
            case ("*", false): for (int i = 0; i < r.Length; i++) r[i] = x[i] * scalar; break;
            case ("/", true): for (int i = 0; i < r.Length; i++) r[i] = scalar / x[i]; break;
            case ("/", false): for (int i = 0; i < r.Length; i++) r[i] = x[i] / scalar; break;
            case ("**", true): for (int i = 0; i < r.Length; i++) r[i] = Math.Pow(scalar, x[i]); break;
            case ("**", false): for (int i = 0; i < r.Length; i++) r[i] = Math.Pow(x[i], scalar); break;
            default: throw new InvalidOperationException(op);
        }
        return new(0, perPoint ? result : null, perPoint ? null : result);
    }

    private double[] Expand(Segmented v, bool perPoint)
    {
        if (perPoint)
        {
            if (v.PerPoint is { } p) return p;
            var r = Rent(points);
            if (v.PerChild is { } c)
                for (int k = 0; k < Children; k++) r.AsSpan(start[k], start[k + 1] - start[k]).Fill(c[k]);
            else r.AsSpan(0, points).Fill(v.Scalar);
            return r;
        }
        if (v.PerChild is { } ch) return ch;
        var s = Rent(Children);
        s.AsSpan(0, Children).Fill(v.Scalar);
        return s;
    }

    private static double Apply(string op, double x, double y) => op switch
    {
        "+" => x + y,
        "-" => x - y,
        "*" => x * y,
        "/" => x / y,
        "**" => Math.Pow(x, y),
        _ => throw new InvalidOperationException(op),
    };
}
