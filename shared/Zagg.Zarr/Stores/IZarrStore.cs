using Zagg.Cloud;

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
    /// <summary>The store at a location (parsed by <see cref="StorageLocation"/>): a folder, or an S3 bucket and prefix.</summary>
    /// <exception cref="ZarrException">The location is not a path, file:// or s3://bucket/prefix (HTTP stores are read-only elsewhere and not supported).</exception>
    public static IZarrStore Open(string location)
    {
        if (!StorageLocation.TryParse(location, out var where, out string? error)) throw new ZarrException($"store location {error}");
        return where.Kind switch
        {
            StorageKind.S3 => new S3Store(S3Clients.Create(), where.Bucket, where.Key),
            StorageKind.File => new LocalStore(where.Path),
            _ => throw new ZarrException($"'{where.Display}': store URLs are paths, file:// or s3://bucket/prefix"),
        };
    }
}
