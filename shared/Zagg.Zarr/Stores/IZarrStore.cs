namespace Zagg.Zarr.Stores;

/// <summary>
/// A Zarr store: a map from keys ("12/count/c/3", "zarr.json") to bytes. Everything else in
/// this library sits above it. Implementations are safe for concurrent use; a Set is atomic
/// (readers see the old value or the new one, never a part).
/// </summary>
public interface IZarrStore
{
    /// <summary>Where the store is, for messages (never with credentials).</summary>
    string Name { get; }

    /// <summary>The value, or null when the key is absent.</summary>
    Task<byte[]?> GetAsync(string key, CancellationToken ct = default);

    Task SetAsync(string key, ReadOnlyMemory<byte> value, CancellationToken ct = default);

    /// <summary>Removes a key; absent keys are not an error.</summary>
    Task DeleteAsync(string key, CancellationToken ct = default);

    Task<bool> ExistsAsync(string key, CancellationToken ct = default);

    /// <summary>Every key that starts with <paramref name="prefix"/> ("" lists all).</summary>
    IAsyncEnumerable<string> ListAsync(string prefix, CancellationToken ct = default);
}

/// <summary>Opens a store from what a user types: a path, file://…, or s3://bucket/prefix.</summary>
public static class ZarrStores
{
    public static IZarrStore Open(string location)
    {
        if (location.StartsWith("s3://", StringComparison.OrdinalIgnoreCase)) return S3Store.Open(location);
        if (location.StartsWith("file://", StringComparison.OrdinalIgnoreCase)) location = new Uri(location).LocalPath;
        if (location.Contains("://")) throw new ZarrException($"'{location}': store URLs are paths, file:// or s3://bucket/prefix");
        return new LocalStore(location);
    }
}
