namespace Zagg.Cloud;

/// <summary>Where a <see cref="StorageLocation"/> points.</summary>
public enum StorageKind
{
    /// <summary>A local path (given as a path or a file:// URL).</summary>
    File,

    /// <summary>An S3 (or S3-compatible) bucket and key: s3://bucket/key.</summary>
    S3,

    /// <summary>An http:// or https:// URL.</summary>
    Http,
}

/// <summary>
/// A location as a user types it — a local path, file://path, s3://bucket/key or http(s)://host/path —
/// parsed once, the same way for every reader and writer (Zarr stores, HDF5 byte sources, catalogs,
/// reports). Which kinds a consumer accepts is the consumer's rule; what a location means is this type's.
/// </summary>
/// <remarks>
/// file:// URLs follow RFC 8089 (<c>file:///abs/path</c>); s3:// URLs follow the AWS CLI's form
/// (<c>s3://bucket/key</c>, the key possibly empty or a prefix). A query string or user info in an
/// HTTP URL is kept in <see cref="Uri"/> but never in <see cref="Display"/> (signed URLs carry
/// credentials there).
/// </remarks>
public sealed record StorageLocation
{
    private StorageLocation(StorageKind kind, string display)
    {
        Kind = kind;
        Display = display;
    }

    /// <summary>The kind of location.</summary>
    public StorageKind Kind { get; }

    /// <summary>The location for messages: as typed, without credentials.</summary>
    public string Display { get; }

    /// <summary>For <see cref="StorageKind.File"/>: the local path (relative paths stay relative).</summary>
    public string Path { get; private init; } = "";

    /// <summary>For <see cref="StorageKind.S3"/>: the bucket (never empty).</summary>
    public string Bucket { get; private init; } = "";

    /// <summary>For <see cref="StorageKind.S3"/>: the key or prefix, without leading or trailing '/' (may be empty).</summary>
    public string Key { get; private init; } = "";

    /// <summary>For <see cref="StorageKind.Http"/>: the absolute URL.</summary>
    public Uri? Uri { get; private init; }

    /// <summary>Parses a location; <paramref name="error"/> says what is wrong when it returns false.</summary>
    public static bool TryParse(string? text, out StorageLocation location, out string? error)
    {
        location = null!;
        error = null;
        if (string.IsNullOrWhiteSpace(text)) { error = "is empty; give a path, file://, s3://bucket/key or http(s)://"; return false; }
        if (text.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
        {
            string rest = text[5..].Trim('/');
            int slash = rest.IndexOf('/');
            string bucket = slash < 0 ? rest : rest[..slash];
            if (bucket.Length == 0 || text[5..].StartsWith('/')) { error = $"'{text}' names no bucket; expected s3://bucket/key"; return false; }
            location = new StorageLocation(StorageKind.S3, text) { Bucket = bucket, Key = slash < 0 ? "" : rest[(slash + 1)..] };
            return true;
        }
        if (text.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Host.Length == 0) { error = $"'{Redact(text)}' is not a valid URL"; return false; }
            location = new StorageLocation(StorageKind.Http, uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped)) { Uri = uri };
            return true;
        }
        if (text.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || !uri.IsFile) { error = $"'{text}' is not a valid file:// URL (file:///absolute/path)"; return false; }
            // RFC 8089: an authority of "localhost" is this machine; any other host would be read as a network share
            // (a path with backslashes here, written in the current folder).
            bool local = uri.Host.Length == 0 || uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase);
            if (!local) { error = $"'{text}' names the host '{uri.Host}'; a file:// URL is local: file:///absolute/path"; return false; }
            location = new StorageLocation(StorageKind.File, text) { Path = uri.Host.Length == 0 ? uri.LocalPath : Uri.UnescapeDataString(uri.AbsolutePath) };
            return true;
        }
        // RFC 8089's short form, file:/absolute/path; "file:out.zarr" is a URL without a path, not a folder named "file:…".
        if (text.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            if (text.Length < 6 || text[5] != '/') { error = $"'{text}' is not a valid file:// URL (file:///absolute/path)"; return false; }
            location = new StorageLocation(StorageKind.File, text) { Path = Uri.UnescapeDataString(text[5..]) };
            return true;
        }
        if (text.Contains("://", StringComparison.Ordinal)) { error = $"'{Redact(text)}': the scheme is not one of file://, s3://, http://, https:// (or give a path)"; return false; }
        location = new StorageLocation(StorageKind.File, text) { Path = text };
        return true;
    }

    /// <summary>Parses a location.</summary>
    /// <exception cref="FormatException">The text is empty, names no bucket, or has an unknown scheme; the message says which.</exception>
    public static StorageLocation Parse(string? text)
        => TryParse(text, out var location, out string? error) ? location : throw new FormatException(error);

    /// <summary>
    /// The folder (or bucket prefix, or URL path) holding this location, and the last name in it:
    /// "s3://b/run/out.zarr.report.json" → ("s3://b/run", "out.zarr.report.json"); "out.json" → (".", "out.json").
    /// </summary>
    public (StorageLocation Folder, string Name) Split()
    {
        switch (Kind)
        {
            case StorageKind.S3:
            {
                int slash = Key.LastIndexOf('/');
                string folder = slash < 0 ? "" : Key[..slash];
                return (new StorageLocation(StorageKind.S3, $"s3://{Bucket}{(folder.Length == 0 ? "" : "/" + folder)}") { Bucket = Bucket, Key = folder }, slash < 0 ? Key : Key[(slash + 1)..]);
            }
            case StorageKind.Http:
            {
                var folder = new Uri(Uri!, ".");
                string name = Uri!.AbsolutePath[(Uri.AbsolutePath.LastIndexOf('/') + 1)..];
                return (new StorageLocation(StorageKind.Http, folder.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped)) { Uri = folder }, Uri.UnescapeDataString(name));
            }
            default:
            {
                string trimmed = Path.TrimEnd('/');
                int slash = trimmed.LastIndexOf('/');
                string folder = slash < 0 ? "." : slash == 0 ? "/" : trimmed[..slash];
                return (new StorageLocation(StorageKind.File, folder) { Path = folder }, trimmed[(slash + 1)..]);
            }
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Display;

    private static string Redact(string text)
    {
        int at = text.IndexOf('@', StringComparison.Ordinal), scheme = text.IndexOf("://", StringComparison.Ordinal);
        if (at > scheme && scheme >= 0) text = text[..(scheme + 3)] + text[(at + 1)..];
        int q = text.IndexOf('?', StringComparison.Ordinal);
        return q < 0 ? text : text[..q];
    }
}
