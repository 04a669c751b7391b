namespace Zagg.Hdf5.IO;

/// <summary>Opens a byte source for a local path, a file:// URL or an http(s):// URL.</summary>
public static class ByteSources
{
    /// <summary>
    /// <paramref name="bearerToken"/> is sent to HTTP(S) sources only; it defaults to the
    /// EARTHDATA_TOKEN environment variable.
    /// </summary>
    public static async Task<IByteSource> OpenAsync(string location, string? bearerToken = null, CancellationToken ct = default)
    {
        if (location.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || location.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            return await HttpByteSource.OpenAsync(new Uri(location), bearerToken ?? Environment.GetEnvironmentVariable("EARTHDATA_TOKEN"), ct: ct).ConfigureAwait(false);
        if (location.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
            return await S3ByteSource.OpenAsync(location, ct: ct).ConfigureAwait(false);
        if (location.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
            location = new Uri(location).LocalPath;
        return new FileByteSource(location);
    }
}
