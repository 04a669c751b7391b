using System.Globalization;

namespace Zagg.Pipeline.Config;

/// <summary>
/// The configuration's small expression language: numbers, column names, + − * / **, unary minus,
/// parentheses, and the functions sqrt abs log exp (element-wise) and sum mean min max len
/// (reductions), each optionally written with an np. or numpy. prefix. Parsed once into a tree;
/// no reflection and no eval.
/// </summary>
public abstract record Expr
{
    /// <summary>Columns the expression reads.</summary>
    public abstract IEnumerable<string> Columns();

    /// <summary>Whether the value is one number (true) or one value per point (false).</summary>
    public abstract bool IsScalar { get; }

    public static Expr Parse(string text, string where) => new Parser(text, where).ParseAll();
}

public sealed record NumberExpr(double Value) : Expr
{
    public override IEnumerable<string> Columns() => [];
    public override bool IsScalar => true;
}

public sealed record ColumnExpr(string Name) : Expr
{
    public override IEnumerable<string> Columns() => [Name];
    public override bool IsScalar => false;
}

public sealed record UnaryExpr(char Op, Expr Operand) : Expr
{
    public override IEnumerable<string> Columns() => Operand.Columns();
    public override bool IsScalar => Operand.IsScalar;
}

public sealed record BinaryExpr(string Op, Expr Left, Expr Right) : Expr
{
    public override IEnumerable<string> Columns() => Left.Columns().Concat(Right.Columns());
    public override bool IsScalar => Left.IsScalar && Right.IsScalar;
}

public sealed record CallExpr(string Function, Expr Argument) : Expr
{
    public static readonly string[] ElementWise = ["sqrt", "abs", "log", "exp"];
    public static readonly string[] Reductions = ["sum", "mean", "min", "max", "len"];

    public override IEnumerable<string> Columns() => Argument.Columns();
    public override bool IsScalar => Reductions.Contains(Function) || Argument.IsScalar;
}

/// <summary>Thrown for an expression that does not parse; the message quotes it and points at the place.</summary>
public sealed class ExpressionException(string message) : Exception(message);

internal sealed class Parser(string text, string where)
{
    private int _pos;

    public Expr ParseAll()
    {
        var e = ParseAdditive();
        SkipSpace();
        if (_pos < text.Length) throw Error($"unexpected '{text[_pos]}'");
        return e;
    }

    private Expr ParseAdditive()
    {
        var left = ParseMultiplicative();
        while (true)
        {
            SkipSpace();
            if (Peek('+') || Peek('-'))
            {
                char op = text[_pos++];
                left = new BinaryExpr(op.ToString(), left, ParseMultiplicative());
            }
            else return left;
        }
    }

    private Expr ParseMultiplicative()
    {
        var left = ParseUnary();
        while (true)
        {
            SkipSpace();
            if (Peek('*') && !PeekAt(1, '*') || Peek('/'))
            {
                char op = text[_pos++];
                left = new BinaryExpr(op.ToString(), left, ParseUnary());
            }
            else return left;
        }
    }

    private Expr ParseUnary()
    {
        SkipSpace();
        if (Peek('-')) { _pos++; return new UnaryExpr('-', ParseUnary()); }
        if (Peek('+')) { _pos++; return ParseUnary(); }
        return ParsePower();
    }

    private Expr ParsePower()
    {
        var b = ParsePrimary();
        SkipSpace();
        if (Peek('*') && PeekAt(1, '*'))
        {
            _pos += 2;
            return new BinaryExpr("**", b, ParseUnary()); // right-associative, binds tighter than unary minus on its left (as in Python)
        }
        return b;
    }

    private Expr ParsePrimary()
    {
        SkipSpace();
        if (_pos >= text.Length) throw Error("expression ends too soon");
        char c = text[_pos];
        if (c == '(')
        {
            _pos++;
            var e = ParseAdditive();
            SkipSpace();
            if (!Peek(')')) throw Error("missing ')'");
            _pos++;
            return e;
        }
        if (char.IsDigit(c) || c == '.')
        {
            int start = _pos;
            while (_pos < text.Length && (char.IsDigit(text[_pos]) || text[_pos] == '.')) _pos++;
            if (_pos < text.Length && (text[_pos] == 'e' || text[_pos] == 'E'))
            {
                _pos++;
                if (_pos < text.Length && (text[_pos] == '+' || text[_pos] == '-')) _pos++;
                while (_pos < text.Length && char.IsDigit(text[_pos])) _pos++;
            }
            string number = text[start.._pos];
            if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)) throw Error($"'{number}' is not a number", start);
            return new NumberExpr(v);
        }
        if (char.IsLetter(c) || c == '_')
        {
            int start = _pos;
            while (_pos < text.Length && (char.IsLetterOrDigit(text[_pos]) || text[_pos] == '_' || text[_pos] == '.')) _pos++;
            string name = text[start.._pos];
            string bare = name.StartsWith("np.", StringComparison.Ordinal) ? name[3..] : name.StartsWith("numpy.", StringComparison.Ordinal) ? name[6..] : name;
            SkipSpace();
            if (Peek('('))
            {
                if (!CallExpr.ElementWise.Contains(bare) && !CallExpr.Reductions.Contains(bare))
                    throw Error($"unknown function '{name}' (known: {string.Join(", ", CallExpr.ElementWise.Concat(CallExpr.Reductions))})", start);
                _pos++;
                var arg = ParseAdditive();
                SkipSpace();
                if (!Peek(')')) throw Error($"missing ')' after the argument of {name}");
                _pos++;
                return new CallExpr(bare, arg);
            }
            if (bare != name || name.Contains('.')) throw Error($"'{name}' is not a column name", start);
            return new ColumnExpr(name);
        }
        throw Error($"unexpected '{c}'");
    }

    private void SkipSpace()
    {
        while (_pos < text.Length && char.IsWhiteSpace(text[_pos])) _pos++;
    }

    private bool Peek(char c) => _pos < text.Length && text[_pos] == c;

    private bool PeekAt(int ahead, char c) => _pos + ahead < text.Length && text[_pos + ahead] == c;

    private ExpressionException Error(string message, int? at = null)
        => new($"{where}: cannot parse \"{text}\": {message} at position {(at ?? _pos) + 1}");
}
