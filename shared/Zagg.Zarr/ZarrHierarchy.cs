using System.Text.Json.Nodes;
using Zagg.Zarr.Stores;

namespace Zagg.Zarr;

/// <summary>
/// Groups, the node listing, and consolidated metadata (zarr-python 3's inline form, the
/// "consolidated_metadata" key of the root zarr.json). Nodes follow the Zarr v3.0 core specification's
/// hierarchy: a node at path P has its metadata at "P/zarr.json" (the root's at "zarr.json").
/// </summary>
public static class ZarrHierarchy
{
    /// <summary>Whether a node (group or array) exists at <paramref name="path"/> ("" is the root): its zarr.json is present.</summary>
    /// <exception cref="StoreException">The store cannot be reached.</exception>
    public static Task<bool> NodeExistsAsync(IZarrStore store, string path = "", CancellationToken ct = default)
        => store.ExistsAsync(ZarrJson.KeyOf(path), ct);

    /// <summary>Writes a group node at <paramref name="path"/> ("" is the root) with <paramref name="attributes"/>.</summary>
    /// <exception cref="StoreException">The store cannot be written.</exception>
    public static Task CreateGroupAsync(IZarrStore store, string path, JsonObject? attributes = null, CancellationToken ct = default)
        => store.SetAsync(ZarrJson.KeyOf(path), ZarrJson.Encode(ZarrJson.Group(attributes)), ct);

    /// <summary>The metadata of a node (group or array), or null when there is none at <paramref name="path"/>.</summary>
    /// <exception cref="ZarrException">The zarr.json is not a JSON object (a <see cref="StoreException"/> when it cannot be read).</exception>
    public static async Task<JsonObject?> ReadNodeAsync(IZarrStore store, string path, CancellationToken ct = default)
    {
        byte[]? json = await store.GetAsync(ZarrJson.KeyOf(path), ct).ConfigureAwait(false);
        return json is null ? null : ZarrJson.Decode(json, $"{store.Name}: {(path.Length == 0 ? "/" : path)}");
    }

    /// <summary>
    /// Every node below the root, path → metadata: from the root's consolidated metadata when it
    /// has some, else by listing every zarr.json (a store never consolidated still opens).
    /// </summary>
    /// <exception cref="ZarrException">A zarr.json is not valid JSON, or the store cannot be listed or read.</exception>
    public static async Task<SortedDictionary<string, JsonObject>> NodesAsync(IZarrStore store, bool preferConsolidated = true, CancellationToken ct = default)
    {
        var nodes = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        var root = await ReadNodeAsync(store, "", ct).ConfigureAwait(false);
        if (preferConsolidated && root?["consolidated_metadata"]?["metadata"] is JsonObject meta)
        {
            foreach (var (k, v) in meta)
                if (v is JsonObject o) nodes[k] = (JsonObject)o.DeepClone();
            return nodes;
        }
        await foreach (string key in store.ListAsync("", ct).ConfigureAwait(false))
        {
            if (key != ZarrJson.Key && key.EndsWith("/" + ZarrJson.Key, StringComparison.Ordinal))
            {
                string path = key[..^(ZarrJson.Key.Length + 1)];
                nodes[path] = (await ReadNodeAsync(store, path, ct).ConfigureAwait(false))!;
            }
        }
        return nodes;
    }

    /// <summary>Writes the root zarr.json with every node's metadata inline, so readers open the store with one GET.</summary>
    /// <exception cref="ZarrException">The store has no root group, or cannot be listed, read or written.</exception>
    public static async Task ConsolidateAsync(IZarrStore store, CancellationToken ct = default)
    {
        var root = await ReadNodeAsync(store, "", ct).ConfigureAwait(false)
            ?? throw new ZarrException($"{store.Name}: no root group to consolidate");
        var nodes = await NodesAsync(store, preferConsolidated: false, ct).ConfigureAwait(false);
        var metadata = new JsonObject();
        foreach (var (path, node) in nodes)
        {
            node.Remove("consolidated_metadata");
            metadata[path] = node;
        }
        root["consolidated_metadata"] = new JsonObject
        {
            ["kind"] = "inline",
            ["must_understand"] = false,
            ["metadata"] = metadata,
        };
        await store.SetAsync(ZarrJson.Key, ZarrJson.Encode(root), ct).ConfigureAwait(false);
    }

    /// <summary>Deletes every key of a store (to rewrite a template with overwrite).</summary>
    /// <exception cref="StoreException">The store cannot be listed or a key cannot be deleted.</exception>
    public static async Task ClearAsync(IZarrStore store, CancellationToken ct = default)
    {
        var keys = new List<string>();
        await foreach (string k in store.ListAsync("", ct).ConfigureAwait(false)) keys.Add(k);
        foreach (string k in keys) await store.DeleteAsync(k, ct).ConfigureAwait(false);
    }
}
