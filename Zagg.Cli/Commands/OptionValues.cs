using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Zagg.Cli.Commands;

/// <summary>
/// The one reading of every numeric option's text for all zagg commands: System.CommandLine's own conversion error
/// names .NET types ("Cannot parse argument 'x' for option '--order' as expected type 'System.Int32'"); ours says
/// <c>--order: 'x' is not an integer</c>, which <see cref="ZaggCli.Run"/> prints as <c>zagg: error: …</c> with exit 1.
/// Options that already have their own parser (e.g. --latitude) keep it.
/// </summary>
internal static class OptionValues
{
    /// <summary>
    /// Gives every int, long and double option (nullable or not) of <paramref name="command"/> and its subcommands our
    /// parser, and every text option the check that it is not empty.
    /// </summary>
    public static void Install(Command command)
    {
        foreach (var option in command.Options)
        {
            switch (option)
            {
                case Option<int> o when o.CustomParser is null:
                    o.CustomParser = r => Parse(r, o, "an integer", static (string s, out int v) => int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out v), 0);
                    break;
                case Option<int?> o when o.CustomParser is null:
                    o.CustomParser = r => Parse(r, o, "an integer", static (string s, out int? v) => Try(int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int x), x, out v), null);
                    break;
                case Option<long> o when o.CustomParser is null:
                    o.CustomParser = r => Parse(r, o, "an integer", static (string s, out long v) => long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out v), 0L);
                    break;
                case Option<long?> o when o.CustomParser is null:
                    o.CustomParser = r => Parse(r, o, "an integer", static (string s, out long? v) => Try(long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long x), x, out v), null);
                    break;
                case Option<double> o when o.CustomParser is null:
                    o.CustomParser = r => Parse(r, o, "a number", static (string s, out double v) => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out v), 0.0);
                    break;
                case Option<double?> o when o.CustomParser is null:
                    o.CustomParser = r => Parse(r, o, "a number", static (string s, out double? v) => Try(double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double x), x, out v), null);
                    break;
                // No text option means anything empty (a path, a URL, a name, a list): --store '' is a usage error, not
                // the current folder or a crash further on.
                case Option<string> o:
                    o.Check(v => v is not null && string.IsNullOrWhiteSpace(v) ? $"{o.Name} is empty" : null);
                    break;
            }
        }
        foreach (var sub in command.Subcommands) Install(sub);
    }

    /// <summary>
    /// Checks the option's value at parse time: a message from <paramref name="problem"/> is a usage error (one line
    /// and the help hint, exit 2, as every value out of range). Text that is not a value of the type has its own error
    /// already (<see cref="Install"/>), and is not checked.
    /// </summary>
    /// <param name="problem">The message for a value that is wrong, else null.</param>
    public static Option<T> Check<T>(this Option<T> option, Func<T, string?> problem)
    {
        option.Validators.Add(r =>
        {
            T value;
            // The value's conversion failed (e.g. --order x): reported by the parser; reading it would throw.
            try { value = r.GetValueOrDefault<T>()!; }
            catch (InvalidOperationException) { return; }
            if (problem(value) is { } message) r.AddError(message);
        });
        return option;
    }

    /// <summary>Refuses a value below <paramref name="min"/>: "--workers must be at least 1, not 0".</summary>
    public static Option<T> AtLeast<T>(this Option<T> option, int min)
        => option.Check(v => v is int x && x < min ? $"{option.Name} must be at least {min}, not {x}" : null);

    /// <summary>Refuses a value outside [<paramref name="min"/>, <paramref name="max"/>]: "--order must be in 0–29, not 30".</summary>
    public static Option<T> InRange<T>(this Option<T> option, int min, int max)
        => option.Check(v => v is int x && (x < min || x > max) ? $"{option.Name} must be in {min}–{max}, not {x}" : null);

    /// <summary>Refuses a value not among <paramref name="values"/>: "--driver must be s3 or https, not 'ftp'".</summary>
    public static Option<T> OneOf<T>(this Option<T> option, IReadOnlyList<string> values)
        => option.Check(v => v is string s && !values.Contains(s)
            ? $"{option.Name} must be {string.Join(", ", values.Take(values.Count - 1))} or {values[^1]}, not '{s}'" : null);

    /// <summary>
    /// True when <paramref name="error"/> is one of ours: a value an option could not read. Its message is the line to
    /// print after <c>zagg: error: </c>.
    /// </summary>
    public static bool IsValueError(ParseError error)
    {
        // System.CommandLine reports an option's argument error on the option's result or on its argument's.
        var option = error.SymbolResult switch
        {
            OptionResult o => o.Option,
            ArgumentResult { Parent: OptionResult o } => o.Option,
            _ => null,
        };
        return option is not null && error.Message.StartsWith(option.Name + ": '", StringComparison.Ordinal)
            && (error.Message.EndsWith(What(option), StringComparison.Ordinal) || error.Message.Contains("' is out of range for " + What(option), StringComparison.Ordinal));
    }

    /// <summary>What an option's value must be, as its error says.</summary>
    private static string What(Option option) => option.ValueType == typeof(double) || option.ValueType == typeof(double?) ? "a number" : "an integer";

    /// <summary>The bound of an integer option's type a whole number passed: "at most 2147483647", "at least -2147483648".</summary>
    private static string Bound(Option option, bool negative)
    {
        bool wide = option.ValueType == typeof(long) || option.ValueType == typeof(long?);
        long bound = negative ? (wide ? long.MinValue : int.MinValue) : (wide ? long.MaxValue : int.MaxValue);
        return $"{(negative ? "at least" : "at most")} {bound.ToString(CultureInfo.InvariantCulture)}";
    }

    private delegate bool TryParser<T>(string text, out T value);

    private static bool Try<T>(bool ok, T parsed, out T? value) where T : struct
    {
        value = ok ? parsed : null;
        return ok;
    }

    private static T? Parse<T>(ArgumentResult r, Option<T> option, string what, TryParser<T> tryParse, T none)
    {
        // No text: the option's default, as without a parser of ours.
        if (r.Tokens.Count == 0) return option.DefaultValueFactory is { } factory ? factory(r) : none;
        string text = r.Tokens[0].Value;
        if (tryParse(text, out T value)) return value;
        // A whole number the type cannot hold is a number, just too large (or too small): say so, not "not an integer".
        System.Numerics.BigInteger number = default;
        bool whole = what == "an integer" && System.Numerics.BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number);
        r.AddError(whole
            ? $"{option.Name}: '{text}' is out of range for an integer ({Bound(option, number.Sign < 0)})"
            : $"{option.Name}: '{text}' is not {what}");
        return none;
    }
}
