using Zagg.Pipeline.Aggregation;

namespace Zagg.Pipeline.Config;

/// <summary>A value while evaluating: one number, or one per point.</summary>
public readonly record struct Value(double Scalar, double[]? Vector)
{
    public static Value Of(double s) => new(s, null);
    public static Value Of(double[] v) => new(0, v);
    public bool IsVector => Vector is not null;
}

/// <summary>Where an expression finds its columns: one cell's (or one child's) values per column, all of one length.</summary>
public interface IColumnSource
{
    ReadOnlySpan<double> Column(string name);
}

/// <summary>Evaluates an <see cref="Expr"/> over one cell's columns (all of one length), in float64.</summary>
public static class ExpressionEvaluator
{
    private sealed class DictionaryColumns(IReadOnlyDictionary<string, double[]> columns) : IColumnSource
    {
        public ReadOnlySpan<double> Column(string name)
            => columns.TryGetValue(name, out var col) ? col : throw new KeyNotFoundException($"column '{name}' is not available");
    }

    public static Value Evaluate(Expr e, IReadOnlyDictionary<string, double[]> columns) => Evaluate(e, new DictionaryColumns(columns));

    public static double EvaluateScalar(Expr e, IReadOnlyDictionary<string, double[]> columns) => EvaluateScalar(e, new DictionaryColumns(columns));

    public static Value Evaluate(Expr e, IColumnSource columns) => e switch
    {
        NumberExpr n => Value.Of(n.Value),
        ColumnExpr c => Value.Of(columns.Column(c.Name).ToArray()),
        BinaryExpr { Op: "**", Right: NumberExpr { Value: 2 } } sq => Map(Evaluate(sq.Left, columns), x => x * x),
        UnaryExpr u => Map(Evaluate(u.Operand, columns), x => -x),
        BinaryExpr b => Combine(Evaluate(b.Left, columns), Evaluate(b.Right, columns), b.Op switch
        {
            "+" => (x, y) => x + y,
            "-" => (x, y) => x - y,
            "*" => (x, y) => x * y,
            "/" => (x, y) => x / y,
            "**" => (Func<double, double, double>)Math.Pow,
            _ => throw new InvalidOperationException(b.Op),
        }),
        CallExpr call => Call(call.Function, Evaluate(call.Argument, columns)),
        _ => throw new InvalidOperationException(e.GetType().Name),
    };

    /// <summary>Evaluates to one number: a vector result is an error the config validation prevents.</summary>
    public static double EvaluateScalar(Expr e, IColumnSource columns)
    {
        var v = Evaluate(e, columns);
        if (v.IsVector) throw new InvalidOperationException("the expression yields one value per point, not one number");
        return v.Scalar;
    }

    private static Value Call(string f, Value v) => f switch
    {
        "sqrt" => Map(v, Math.Sqrt),
        "abs" => Map(v, Math.Abs),
        "log" => Map(v, Math.Log),
        "exp" => Map(v, Math.Exp),
        "sum" => Value.Of(v.IsVector ? Statistics.Sum(v.Vector) : v.Scalar),
        "mean" => Value.Of(v.IsVector ? Statistics.Mean(v.Vector) : v.Scalar),
        "min" => Value.Of(v.IsVector ? Statistics.Min(v.Vector) : v.Scalar),
        "max" => Value.Of(v.IsVector ? Statistics.Max(v.Vector) : v.Scalar),
        "len" => Value.Of(v.IsVector ? v.Vector!.Length : 1),
        _ => throw new InvalidOperationException(f),
    };

    private static Value Map(Value v, Func<double, double> f)
    {
        if (!v.IsVector) return Value.Of(f(v.Scalar));
        var r = new double[v.Vector!.Length];
        for (int i = 0; i < r.Length; i++) r[i] = f(v.Vector[i]);
        return Value.Of(r);
    }

    private static Value Combine(Value a, Value b, Func<double, double, double> f)
    {
        if (!a.IsVector && !b.IsVector) return Value.Of(f(a.Scalar, b.Scalar));
        int n = a.IsVector ? a.Vector!.Length : b.Vector!.Length;
        if (a.IsVector && b.IsVector && b.Vector!.Length != n) throw new InvalidOperationException("columns differ in length");
        var r = new double[n];
        for (int i = 0; i < n; i++) r[i] = f(a.IsVector ? a.Vector![i] : a.Scalar, b.IsVector ? b.Vector![i] : b.Scalar);
        return Value.Of(r);
    }
}
