namespace Zagg.Runs;

/// <summary>
/// Local paths as the file system resolves them, for deciding whether a run's input lies inside the store it is about to
/// replace: symbolic links are followed (a catalog reached through a link into the store is still deleted with it).
/// </summary>
public static class LocalPaths
{
    // Links followed before a path is taken as it is (a loop, or a chain longer than any the system allows: Linux's 40).
    private const int MaxLinks = 40;

    /// <summary>
    /// The absolute path with every symbolic link along it resolved (as POSIX realpath does), as far as the path exists;
    /// the components that do not exist are appended as given.
    /// </summary>
    public static string Resolve(string path) => Resolve(Path.GetFullPath(path), MaxLinks);

    /// <summary>The first of <paramref name="inputs"/> that lies inside <paramref name="folder"/> (both resolved), or null.</summary>
    /// <param name="folder">A local folder (it need not exist).</param>
    /// <param name="inputs">What each input is ("the catalog") and its local path.</param>
    public static (string What, string Path)? FirstInside(string folder, IEnumerable<(string What, string Path)> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        string root = Path.TrimEndingDirectorySeparator(Resolve(folder)) + Path.DirectorySeparatorChar;
        // Many granules share a folder: each folder resolved once.
        var folders = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var input in inputs)
        {
            string full = Path.GetFullPath(input.Path);
            string parent = Path.GetDirectoryName(full) ?? full;
            if (!folders.TryGetValue(parent, out string? resolvedParent)) folders[parent] = resolvedParent = Resolve(parent, MaxLinks);
            string resolved = Resolve(Path.Combine(resolvedParent, Path.GetFileName(full)), MaxLinks);
            if (resolved.StartsWith(root, StringComparison.Ordinal) || resolved + Path.DirectorySeparatorChar == root) return input;
        }
        return null;
    }

    private static string Resolve(string full, int links)
    {
        string root = Path.GetPathRoot(full) ?? "";
        string current = root;
        var parts = full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < parts.Length; i++)
        {
            string next = Path.Combine(current, parts[i]);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (!info.Exists && info.LinkTarget is null)
            {
                // The rest does not exist: appended as given.
                return Path.Combine([next, .. parts[(i + 1)..]]);
            }
            if (info.LinkTarget is { } target && links > 0)
                next = Resolve(Path.GetFullPath(target, current), links - 1);
            current = next;
        }
        return current;
    }
}
