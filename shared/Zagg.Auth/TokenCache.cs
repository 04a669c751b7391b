using System.Text.Json;
using System.Text.Json.Nodes;

namespace Zagg.Auth;

/// <summary>
/// The cached Earthdata token: one JSON file readable by its owner only (mode 0600, written whole then renamed into
/// place), under the user's cache folder: $XDG_CACHE_HOME/zagg/earthdata-token.json, else ~/.cache/zagg/….
/// It holds the Earthdata Login host, the user, the token and its expiry; it is never printed.
/// </summary>
public sealed class TokenCache(string path)
{
    /// <summary>The cache file's path.</summary>
    public string Path { get; } = path;

    /// <summary>$XDG_CACHE_HOME/zagg/earthdata-token.json, else ~/.cache/zagg/earthdata-token.json.</summary>
    public static string DefaultPath
    {
        get
        {
            string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            string root = !string.IsNullOrEmpty(xdg) ? xdg : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return System.IO.Path.Combine(root, "zagg", "earthdata-token.json");
        }
    }

    /// <summary>The token cached for <paramref name="loginHost"/>, or null (no file, another host, an unreadable file).</summary>
    public EarthdataToken? Read(string loginHost)
    {
        try
        {
            if (!File.Exists(Path)) return null;
            var node = JsonNode.Parse(File.ReadAllText(Path));
            if (node?["host"]?.GetValue<string>() != loginHost || node["token"]?.GetValue<string>() is not { Length: > 0 } token) return null;
            DateTimeOffset? expires = node["expires"]?.GetValue<DateTimeOffset>();
            return new EarthdataToken(token, expires, node["user"]?.GetValue<string>(), "cache");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException or FormatException)
        {
            return null; // an unreadable cache is no cache: the token is asked for again
        }
    }

    /// <summary>Writes the token for <paramref name="loginHost"/>, replacing the file atomically, owner-only.</summary>
    /// <exception cref="IOException">The cache folder cannot be written.</exception>
    public void Write(string loginHost, EarthdataToken token)
    {
        ArgumentNullException.ThrowIfNull(token);
        string folder = System.IO.Path.GetDirectoryName(Path)!;
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(folder);
        else Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var json = new JsonObject { ["host"] = loginHost, ["user"] = token.User, ["token"] = token.Value, ["expires"] = token.Expires };
        string temp = Path + "." + Environment.ProcessId + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temp, options)) stream.Write(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString()));
        File.Move(temp, Path, overwrite: true);
    }

    /// <summary>Removes the cached token, if any.</summary>
    public void Clear()
    {
        if (File.Exists(Path)) File.Delete(Path);
    }
}
