using Zagg.Cloud;

namespace Zagg.Hdf5.IO;

/// <summary>Opens a byte source for a local path, a file:// URL, an s3://bucket/key or an http(s):// URL.</summary>
public static class ByteSources
{
    /// <summary>
    /// The byte source at a location (parsed by <see cref="StorageLocation"/>). <paramref name="bearerToken"/>
    /// is sent to HTTP(S) sources only; it defaults to the EARTHDATA_TOKEN environment variable.
    /// </summary>
    /// <exception cref="Hdf5Exception">The location cannot be parsed.</exception>
    /// <exception cref="Hdf5SourceException">The file or object cannot be opened (missing, refused, unreachable).</exception>
    public static async Task<IByteSource> OpenAsync(string location, string? bearerToken = null, CancellationToken ct = default)
    {
        if (!StorageLocation.TryParse(location, out var where, out string? error)) throw new Hdf5Exception($"granule location {error}");
        return where.Kind switch
        {
            StorageKind.Http => await HttpByteSource.OpenAsync(where.Uri!, bearerToken ?? Environment.GetEnvironmentVariable("EARTHDATA_TOKEN"), ct: ct).ConfigureAwait(false),
            StorageKind.S3 => await S3ByteSource.OpenAsync(location, ct: ct).ConfigureAwait(false),
            _ => new FileByteSource(where.Path),
        };
    }
}
