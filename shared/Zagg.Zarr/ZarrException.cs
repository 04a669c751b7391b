namespace Zagg.Zarr;

/// <summary>A store that cannot be reached or written, or metadata that is not valid Zarr v3; the message names where.</summary>
public class ZarrException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// A store's backend failed to read, write, delete or list a key: every <see cref="Stores.IZarrStore"/>
/// translates its backend's own errors (file system, S3 SDK, HTTP transport) into this one type, so
/// callers never see the backend's exception types. The message names the store, the key and the
/// reason, never credentials; the backend's exception is kept as <see cref="Exception.InnerException"/>.
/// </summary>
public sealed class StoreException : ZarrException
{
    /// <param name="store">The store's name (<see cref="Stores.IZarrStore.Name"/>).</param>
    /// <param name="action">What was attempted: "read", "write", "delete", "look up" or "list".</param>
    /// <param name="key">The key (or prefix, for a listing); empty for the store itself.</param>
    /// <param name="reason">Why, in words (no credentials).</param>
    /// <param name="inner">The backend's exception.</param>
    public StoreException(string store, string action, string key, string reason, Exception? inner = null)
        : base($"{store}: cannot {action} {(key.Length == 0 ? "the store" : key)}: {reason}", inner)
    {
        Store = store;
        Key = key;
        Reason = reason;
    }

    /// <summary>The store's name.</summary>
    public string Store { get; }

    /// <summary>The key that failed (a prefix for a listing; empty for the store itself).</summary>
    public string Key { get; }

    /// <summary>Why, in words.</summary>
    public string Reason { get; }
}
