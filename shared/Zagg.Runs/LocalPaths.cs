namespace Zagg.Runs;

/// <summary>
/// Local paths as the file system resolves them, for deciding whether a run's input lies inside the store it is about to
/// replace: symbolic links are followed (a catalog reached through a link into the store is still deleted with it).
/// </summary>
public static class LocalPaths
{
    // Links followed before a path is taken as it is (a loop, or a chain longer than any the system allows: Linux's 40).
    private const int MaxLinks = Zagg.Cloud.SymbolicLinks.MaxLinks;

    /// <summary>
    /// The absolute path with every symbolic link along it resolved, and each "..", as the system does, after the link
    /// before it (POSIX realpath), as far as the path exists; the components that do not exist are appended as given.
    /// </summary>
    public static string Resolve(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        // Not Path.GetFullPath: it removes "a/.." as text, where "a" may be a link to elsewhere.
        string absolute = Path.IsPathRooted(path) ? path : Path.Combine(Directory.GetCurrentDirectory(), path);
        string root = Path.GetPathRoot(absolute) ?? "/";
        var pending = new Stack<string>();
        Push(pending, absolute[root.Length..]);
        string current = root;
        int links = MaxLinks;
        bool exists = true;
        while (pending.TryPop(out string? part))
        {
            if (part is "" or ".") continue;
            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? current; // the root's parent is the root
                continue;
            }
            string next = Path.Combine(current, part);
            if (exists)
            {
                FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
                if (info.LinkTarget is { } target && links-- > 0)
                {
                    // The link's target, walked the same way: from the root, or from the link's folder.
                    if (Path.IsPathRooted(target)) current = Path.GetPathRoot(target) ?? root;
                    Push(pending, Path.IsPathRooted(target) ? target[(Path.GetPathRoot(target) ?? "").Length..] : target);
                    continue;
                }
                exists = info.Exists;
            }
            current = next;
        }
        return current;
    }

    /// <summary>The first of <paramref name="inputs"/> whose resolved path is <paramref name="folder"/>'s or lies inside it, or null.</summary>
    /// <param name="folder">A local folder (it need not exist).</param>
    /// <param name="inputs">What each input is ("the catalog") and its local path.</param>
    /// <param name="resolver">Resolves the inputs (one shared by several checks resolves each path once).</param>
    public static (string What, string Path)? FirstInside(string folder, IEnumerable<(string What, string Path)> inputs, Resolver? resolver = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        string resolved = Path.TrimEndingDirectorySeparator(Resolve(folder));
        string root = resolved + Path.DirectorySeparatorChar;
        resolver ??= new Resolver();
        foreach (var input in inputs)
        {
            string path = resolver.Resolve(input.Path);
            if (path.StartsWith(root, StringComparison.Ordinal) || path == resolved) return input;
        }
        return null;
    }

    /// <summary>
    /// <see cref="LocalPaths.Resolve(string)"/> for many paths: each path resolved once, and each folder (as given) once,
    /// so a catalog's granules, which share a few folders, cost one look at their last component each.
    /// </summary>
    public sealed class Resolver
    {
        private readonly Dictionary<string, string> _folders = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _paths = new(StringComparer.Ordinal);

        /// <summary>The path resolved (<see cref="LocalPaths.Resolve(string)"/>).</summary>
        public string Resolve(string path)
        {
            if (_paths.TryGetValue(path, out string? known)) return known;
            string absolute = Path.IsPathRooted(path) ? path : Path.Combine(Directory.GetCurrentDirectory(), path);
            string parent = Path.GetDirectoryName(absolute) ?? absolute;
            string name = Path.GetFileName(absolute);
            if (!_folders.TryGetValue(parent, out string? resolvedParent)) _folders[parent] = resolvedParent = LocalPaths.Resolve(parent);
            string candidate = Path.Combine(resolvedParent, name);
            // The folder has no link left in it: only the last component can still be a link (or "." and "..").
            string resolved = name is "" or "." or ".." || new FileInfo(candidate).LinkTarget is not null ? LocalPaths.Resolve(candidate) : candidate;
            return _paths[path] = resolved;
        }
    }

    private static void Push(Stack<string> pending, string relative)
    {
        var parts = relative.Split(Path.DirectorySeparatorChar);
        for (int i = parts.Length - 1; i >= 0; i--) pending.Push(parts[i]);
    }
}
