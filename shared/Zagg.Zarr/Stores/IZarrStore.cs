using Zagg.Cloud;

namespace Zagg.Zarr.Stores;

/// <summary>
/// A Zarr store: a map from keys ("12/count/c/3", "zarr.json") to bytes. Everything else in
/// this library sits above it. Implementations are safe for concurrent use; a Set is atomic
/// (readers see the old value or the new one, never a part). Keys and values follow the Zarr v3
/// abstract store interface (https://zarr-specs.readthedocs.io/en/latest/v3/core/index.html#abstract-store-interface);
/// every backend error surfaces as <see cref="StoreException"/>, never as the backend's own type.
/// </summary>
public interface IZarrStore
{
    /// <summary>Where the store is, for messages (never with credentials).</summary>
    string Name { get; }

    /// <summary>The value, or null when the key is absent.</summary>
    /// <exception cref="StoreException">The backend failed (the message names the key and why).</exception>
    Task<byte[]?> GetAsync(string key, CancellationToken ct = default);

    /// <summary>Sets a key's value, atomically.</summary>
    /// <exception cref="StoreException">The backend failed.</exception>
    Task SetAsync(string key, ReadOnlyMemory<byte> value, CancellationToken ct = default);

    /// <summary>Removes a key; absent keys are not an error.</summary>
    /// <exception cref="StoreException">The backend failed.</exception>
    Task DeleteAsync(string key, CancellationToken ct = default);

    /// <summary>Whether the key is present.</summary>
    /// <exception cref="StoreException">The backend failed (for S3, also: the bucket does not exist).</exception>
    Task<bool> ExistsAsync(string key, CancellationToken ct = default);

    /// <summary>Every key that starts with <paramref name="prefix"/> ("" lists all).</summary>
    /// <exception cref="StoreException">The backend failed.</exception>
    IAsyncEnumerable<string> ListAsync(string prefix, CancellationToken ct = default);
}

/// <summary>Opens a store from what a user types: a path, file://…, or s3://bucket/prefix (parsed by <see cref="StorageLocation"/>).</summary>
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

    /// <summary>
    /// One object at a location, as the store of its folder (or bucket prefix) and its key there — for
    /// files that sit beside a store, such as a catalog or a run report: "s3://b/run/out.zarr.report.json"
    /// → (store s3://b/run, "out.zarr.report.json"); "out.json" → (store ".", "out.json").
    /// </summary>
    /// <exception cref="ZarrException">The location is not a path, file:// or s3://bucket/key, or names no object.</exception>
    public static (IZarrStore Folder, string Key) ForObject(string location)
    {
        if (!StorageLocation.TryParse(location, out var where, out string? error)) throw new ZarrException($"location {error}");
        var (folder, name) = where.Split();
        if (name.Length == 0) throw new ZarrException($"'{where.Display}' names a folder or bucket, not an object");
        // A folder's temporaries beside their object: writing a report or a catalog makes no .zagg/ folder beside the store.
        return (folder.Kind == StorageKind.File ? new LocalStore(folder.Path, temporariesBesideKeys: true) : Open(folder.Display), name);
    }
}
