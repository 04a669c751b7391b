using System.Text.Json.Nodes;
using Zagg.Zarr;
using Zagg.Zarr.Stores;

namespace Zagg.Pipeline.Output;

/// <summary>One variable of a DGGS store as cell ids and values: what a map draws.</summary>
/// <param name="Variable">The variable's name.</param>
/// <param name="Order">The HEALPix order of <paramref name="Cells"/> (the store's child order).</param>
/// <param name="Cells">NESTED ids of the cells of every written chunk, in chunk order.</param>
/// <param name="Values">Their values as float32; NaN for the fill value (no data).</param>
/// <param name="Units">The array's "units" attribute, or null.</param>
/// <param name="Chunks">The chunks (parent cells) read, ascending; <see cref="DggsTemplate.ChunkLength"/> cells each, in this order.</param>
public sealed record DggsVariableCells(string Variable, int Order, long[] Cells, float[] Values, string? Units, long[] Chunks)
{
    /// <summary>Chunks (parent cells) read.</summary>
    public int ChunksWritten => Chunks.Length;
}

/// <summary>Reads a DGGS store's cells for maps and viewers: the levels it holds and one variable's written cells.</summary>
public static class DggsCellValues
{
    /// <summary>
    /// The HEALPix orders of the store's levels: the child order of every group carrying "zagg" attributes,
    /// ascending (one today; several once a store holds a pyramid).
    /// </summary>
    /// <exception cref="ZarrException">The store cannot be read.</exception>
    public static async Task<IReadOnlyList<int>> LevelsAsync(IZarrStore store, CancellationToken ct = default)
    {
        var orders = new SortedSet<int>();
        foreach (var (_, node) in await ZarrHierarchy.NodesAsync(store, ct: ct).ConfigureAwait(false))
            if (DggsStore.NodeType(node) == "group" && node["attributes"] is JsonObject a && a["zagg"] is JsonObject z
                && z["child_order"] is JsonValue v && v.TryGetValue(out int order))
                orders.Add(order);
        return [.. orders];
    }

    /// <summary>The chunk indices present in the store for an array (listing the store, not reading chunks), ascending.</summary>
    /// <exception cref="StoreException">The store cannot be listed.</exception>
    /// <exception cref="ZarrException">A chunk lies outside the array's shape (damaged metadata).</exception>
    public static async Task<long[]> WrittenChunksAsync(DggsStore store, string array, CancellationToken ct = default)
    {
        var a = store.Arrays[array];
        string prefix = a.Path + "/c" + a.Metadata.Separator;
        var written = new List<long>();
        await foreach (string key in store.Store.ListAsync(prefix, ct).ConfigureAwait(false))
            if (long.TryParse(key.AsSpan(prefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long c))
            {
                // A chunk past the array's shape: the metadata or the store is damaged.
                if (c >= a.ChunkCount)
                    throw new ZarrException($"{store.Store.Name}: {key}: chunk {c} is outside the array's grid (shape [{string.Join(",", a.Metadata.Shape)}], chunk_shape [{string.Join(",", a.Metadata.ChunkShape)}])");
                written.Add(c);
            }
        written.Sort();
        return [.. written];
    }

    /// <summary>
    /// Every cell of every written chunk of a variable (or of the written ones among <paramref name="only"/>), with its
    /// value (fill → NaN). Compact layout: the cell ids come from the cell_ids coordinate, and a chunk whose coordinate
    /// is not written yet is left out; full layout: from the chunk's position.
    /// </summary>
    /// <exception cref="ArgumentException">The store has no variable of that name (the message lists those it has).</exception>
    /// <exception cref="ZarrException">A chunk cannot be read or decoded.</exception>
    public static async Task<DggsVariableCells> ReadAsync(DggsStore store, string variable, CancellationToken ct = default)
        => await ReadAsync(store, variable, null, ct).ConfigureAwait(false);

    /// <inheritdoc cref="ReadAsync(DggsStore, string, CancellationToken)"/>
    /// <param name="store">The store.</param>
    /// <param name="variable">The variable's name.</param>
    /// <param name="only">When given, read only these chunks (those of them that are written); else every written chunk.</param>
    /// <param name="ct">Cancellation.</param>
    public static async Task<DggsVariableCells> ReadAsync(DggsStore store, string variable, ISet<long>? only, CancellationToken ct = default)
    {
        var t = store.Template;
        if (!store.Arrays.TryGetValue(variable, out var array) || variable is DggsStore.CellIds or DggsStore.MortonName)
            throw new ArgumentException($"no variable '{variable}' in {store.Store.Name} (it has: {string.Join(", ", t.Variables.Select(v => v.Name))})");
        long[] chunks = await WrittenChunksAsync(store, variable, ct).ConfigureAwait(false);
        store.Arrays.TryGetValue(DggsStore.CellIds, out var idsArray);
        if (t.Layout == DggsLayout.Compact && idsArray is not null)
        {
            // A chunk whose coordinate is not written yet (a writer mid-way) cannot be placed: leave it for later.
            var placed = new HashSet<long>(await WrittenChunksAsync(store, DggsStore.CellIds, ct).ConfigureAwait(false));
            chunks = Array.FindAll(chunks, placed.Contains);
        }
        if (only is not null) chunks = Array.FindAll(chunks, only.Contains);
        int n = t.ChunkLength;
        var cells = new long[checked(chunks.Length * n)];
        var values = new float[cells.Length];
        var meta = array.Metadata;
        int size = meta.DataType.Size();
        void Fill(int k, long chunk, byte[] data, byte[]? idBytes)
        {
            var dst = values.AsSpan(k * n, n);
            for (int i = 0; i < n; i++)
            {
                var v = data.AsSpan(i * size, size);
                dst[i] = v.SequenceEqual(meta.FillValue) ? float.NaN : (float)meta.DataType.ToDouble(v);
            }
            var ids = cells.AsSpan(k * n, n);
            if (idBytes is not null)
                for (int i = 0; i < n; i++) ids[i] = (long)BitConverter.ToUInt64(idBytes, i * 8);
            else
            {
                long first = chunk << (2 * t.Depth);
                for (int i = 0; i < n; i++) ids[i] = first + i;
            }
        }
        await Parallel.ForAsync(0, chunks.Length, new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = 8 }, async (k, token) =>
        {
            long chunk = chunks[k];
            byte[] data = await array.ReadChunkAsync([chunk], token).ConfigureAwait(false);
            byte[]? idBytes = t.Layout == DggsLayout.Compact && idsArray is not null
                ? await idsArray.ReadChunkAsync([chunk], token).ConfigureAwait(false)
                : null;
            Fill(k, chunk, data, idBytes);
        }).ConfigureAwait(false);
        string? units = meta.Attributes["units"] is JsonValue u && u.TryGetValue(out string? s) ? s : null;
        return new DggsVariableCells(variable, t.ChildOrder, cells, values, units, chunks);
    }
}
