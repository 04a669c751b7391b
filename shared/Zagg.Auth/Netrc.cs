namespace Zagg.Auth;

/// <summary>
/// The <c>machine</c> entries of a ~/.netrc file (the format of ftp(1) and curl's --netrc: whitespace-separated
/// tokens <c>machine NAME login USER password PASS</c>, <c>default</c>, <c>macdef</c> blocks ending at a blank line).
/// </summary>
public static class Netrc
{
    /// <summary>The netrc file: $NETRC, else ~/.netrc.</summary>
    public static string DefaultPath
        => Environment.GetEnvironmentVariable("NETRC") is { Length: > 0 } path ? path
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".netrc");

    /// <summary>The login and password for <paramref name="host"/> (else the <c>default</c> entry), or null.</summary>
    /// <param name="text">The file's text.</param>
    /// <param name="host">A host name, compared without case.</param>
    public static (string Login, string Password)? Find(string text, string host)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = Tokens(text);
        (string, string)? fallback = null;
        for (int i = 0; i < words.Count; i++)
        {
            bool isDefault = words[i] == "default";
            if (words[i] != "machine" && !isDefault) continue;
            string? machine = isDefault ? null : i + 1 < words.Count ? words[++i] : null;
            string? login = null, password = null;
            int j = i + 1;
            for (; j + 1 < words.Count && words[j] is not ("machine" or "default"); j += 2)
            {
                if (words[j] == "login") login = words[j + 1];
                else if (words[j] == "password") password = words[j + 1];
            }
            i = j - 1;
            if (login is null || password is null) continue;
            if (machine is not null && string.Equals(machine, host, StringComparison.OrdinalIgnoreCase)) return (login, password);
            if (isDefault) fallback ??= (login, password);
        }
        return fallback;
    }

    /// <summary>Reads <paramref name="path"/> and finds <paramref name="host"/>; null when the file does not exist.</summary>
    public static (string Login, string Password)? FindInFile(string path, string host)
        => File.Exists(path) ? Find(File.ReadAllText(path), host) : null;

    private static List<string> Tokens(string text)
    {
        var words = new List<string>();
        using var reader = new StringReader(text);
        bool inMacro = false;
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            if (inMacro) { if (line.Trim().Length == 0) inMacro = false; continue; }
            string trimmed = line.TrimStart();
            if (trimmed.StartsWith('#')) continue;
            foreach (string word in trimmed.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            {
                if (word == "macdef") { inMacro = true; break; }
                words.Add(word);
            }
        }
        return words;
    }
}
