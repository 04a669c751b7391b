using Zagg.Cloud;

namespace Zagg.Hdf5.IO;

/// <summary>Opens a byte source for a local path, a file:// URL, an s3://bucket/key or an http(s):// URL.</summary>
public static class ByteSources
{
    /// <summary>
    /// The byte source at a location (parsed by <see cref="StorageLocation"/>), remote ones through
    /// <paramref name="access"/> (null: <see cref="RemoteAccess.Default"/>, which a host that logged in replaces).
    /// </summary>
    /// <exception cref="Hdf5Exception">The location cannot be parsed.</exception>
    /// <exception cref="Hdf5SourceException">The file or object cannot be opened (missing, refused, unreachable).</exception>
    public static async Task<IByteSource> OpenAsync(string location, RemoteAccess? access = null, CancellationToken ct = default)
    {
        if (!StorageLocation.TryParse(location, out var where, out string? error)) throw new Hdf5Exception($"granule location {error}");
        access ??= RemoteAccess.Default;
        return where.Kind switch
        {
            StorageKind.Http => await HttpByteSource.OpenAsync(where.Uri!, access, ct).ConfigureAwait(false),
            StorageKind.S3 => await S3ByteSource.OpenAsync(location, access, ct).ConfigureAwait(false),
            _ => new FileByteSource(where.Path),
        };
    }
}
