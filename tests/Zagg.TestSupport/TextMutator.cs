using System.Text;

namespace Zagg.TestSupport;

/// <summary>
/// Seeded mutations of a valid text input (JSON, YAML) for parser fuzz tests: characters deleted, duplicated or
/// replaced, tokens that change a value's type or range spliced in, lines dropped or swapped, truncation.
/// </summary>
public static class TextMutator
{
    private static readonly string[] Tokens =
    [
        "null", "true", "[]", "{}", "[", "]", "{", "}", ",", ":", "\"", "\"\"", "-", "0", "-1", "1e999", "-1e999", "NaN",
        "1.5", "99999999999999999999", "2147483648", "\"x\"", "[[]]", "[[[0]]]", "\n", " ", "#", "- ", ": ", "'", "~", ".inf",
        "&a", "*a", "!!str ", "!!binary ", "\t", "\\u0000", "\u00e9", "\"type\"", "\"Polygon\"", "\"coordinates\"",
    ];

    /// <summary>Returns a mutated copy of <paramref name="text"/> and says what was done.</summary>
    public static (string Text, string How) Mutate(string text, Random rng)
    {
        var sb = new StringBuilder(text);
        int count = 1 + rng.Next(3);
        var how = new List<string>();
        for (int i = 0; i < count && sb.Length > 0; i++)
        {
            int at = rng.Next(sb.Length);
            switch (rng.Next(7))
            {
                case 0: sb.Remove(at, Math.Min(1 + rng.Next(4), sb.Length - at)); how.Add($"delete at {at}"); break;
                case 1: sb.Insert(at, sb[at]); how.Add($"duplicate at {at}"); break;
                case 2: sb[at] = (char)rng.Next(32, 127); how.Add($"replace at {at}"); break;
                case 3:
                {
                    string t = Tokens[rng.Next(Tokens.Length)];
                    sb.Insert(at, t);
                    how.Add($"insert {t.Replace("\n", "\\n")} at {at}");
                    break;
                }
                case 4:
                {
                    // Replace a number or a word by a token.
                    int end = at;
                    while (end < sb.Length && (char.IsLetterOrDigit(sb[end]) || sb[end] is '.' or '-' or '_')) end++;
                    string t = Tokens[rng.Next(Tokens.Length)];
                    sb.Remove(at, end - at).Insert(at, t);
                    how.Add($"token {t.Replace("\n", "\\n")} at {at}");
                    break;
                }
                case 5:
                {
                    var lines = sb.ToString().Split('\n').ToList();
                    if (lines.Count > 1)
                    {
                        int a = rng.Next(lines.Count), b = rng.Next(lines.Count);
                        if (rng.Next(2) == 0) lines.RemoveAt(a);
                        else (lines[a], lines[b]) = (lines[b], lines[a]);
                        sb.Clear().Append(string.Join('\n', lines));
                        how.Add($"line {a}");
                    }
                    break;
                }
                default: sb.Length = at; how.Add($"truncate at {at}"); break;
            }
        }
        return (sb.ToString(), string.Join(", ", how));
    }
}
