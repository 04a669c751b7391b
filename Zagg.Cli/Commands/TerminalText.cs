using System.Text;

namespace Zagg.Cli.Commands;

/// <summary>
/// Text from outside (a damaged file's names, a server's reply) as one line a terminal shows as it is: line breaks and
/// tabs become spaces, other control characters (C0, DEL, C1: escape sequences among them) and undecodable bytes
/// (U+FFFD) become '?'. Every error line the command prints goes through it.
/// </summary>
public static class TerminalText
{
    /// <summary>The text as one printable line (unchanged when it is one already; empty for null).</summary>
    public static string OneLine(string? text)
    {
        if (text is null) return "";
        int i = 0;
        while (i < text.Length && !NeedsChange(text[i])) i++;
        if (i == text.Length) return text;
        var sb = new StringBuilder(text.Length).Append(text, 0, i);
        for (; i < text.Length; i++)
        {
            char c = text[i];
            sb.Append(c is '\n' or '\r' or '\t' ? ' ' : NeedsChange(c) ? '?' : c);
        }
        return sb.ToString();
    }

    /// <summary>A count and its noun, singular for one: "1 granule", "2 granules" (nouns whose plural adds an s).</summary>
    public static string Count(long n, string noun) => n == 1 ? $"1 {noun}" : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{n} {noun}s");

    private static bool NeedsChange(char c) => char.IsControl(c) || c == '\uFFFD';
}
