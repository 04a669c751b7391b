using Zagg.Pipeline.Catalogs;

namespace Zagg.Runs;

/// <summary>
/// The last catalog file read in this process, kept while the file is unchanged (same full path, length and last write
/// time): zagg run reads its catalog, then its catalog and dispatch steps read it again (in this process with the
/// in-memory transport); each read after the first costs a stat instead of a parse. One entry: a service that follows many
/// runs holds one catalog at most.
/// </summary>
public static class CatalogFiles
{
    private static readonly Lock Gate = new();
    private static (string Path, long Length, DateTime Written, GranuleCatalog Catalog)? _last;

    /// <summary>The catalog file at <paramref name="path"/> (see <see cref="GranuleCatalog.Load"/>), parsed again only when it changed.</summary>
    /// <exception cref="CatalogException">The file cannot be read or is not a valid catalog.</exception>
    public static GranuleCatalog Load(string path)
    {
        FileInfo file;
        try
        {
            file = new FileInfo(path);
            if (!file.Exists) return GranuleCatalog.Load(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or UnauthorizedAccessException or PathTooLongException)
        {
            return GranuleCatalog.Load(path);
        }
        string full = file.FullName;
        long length = file.Length;
        DateTime written = file.LastWriteTimeUtc;
        lock (Gate)
            if (_last is { } last && last.Path == full && last.Length == length && last.Written == written) return last.Catalog;
        var catalog = GranuleCatalog.Load(path);
        lock (Gate) _last = (full, length, written, catalog);
        return catalog;
    }
}
