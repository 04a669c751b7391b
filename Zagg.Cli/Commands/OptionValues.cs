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
    /// <summary>Gives every int, long and double option (nullable or not) of <paramref name="command"/> and its subcommands our parser.</summary>
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
            }
        }
        foreach (var sub in command.Subcommands) Install(sub);
    }

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
        return option is not null && error.Message.StartsWith(option.Name + ": '", StringComparison.Ordinal) && error.Message.EndsWith(What(option), StringComparison.Ordinal);
    }

    /// <summary>What an option's value must be, as its error says.</summary>
    private static string What(Option option) => option.ValueType == typeof(double) || option.ValueType == typeof(double?) ? "a number" : "an integer";

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
        r.AddError($"{option.Name}: '{text}' is not {what}");
        return none;
    }
}
