namespace Zagg.Cloud;

/// <summary>The symbolic links of local paths, followed as the system follows them (POSIX path resolution, Linux's limit of 40 links).</summary>
public static class SymbolicLinks
{
    /// <summary>Links followed before a chain counts as a loop (Linux's MAXSYMLINKS).</summary>
    public const int MaxLinks = 40;

    /// <summary>
    /// Where the last component of <paramref name="path"/> leads: the absolute path the chain of symbolic links ends at
    /// (which may not exist), the path itself when it is no link, or null when the links loop. Links in the folders above
    /// are left as they are (the system follows them when the path is used).
    /// </summary>
    public static string? FinalTarget(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var at = new FileInfo(path);
        for (int links = 0; at.LinkTarget is { } target; links++)
        {
            if (links == MaxLinks) return null;
            at = new FileInfo(Path.IsPathRooted(target) ? target : Path.Combine(Path.GetDirectoryName(at.FullName)!, target));
        }
        return at.FullName;
    }
}
