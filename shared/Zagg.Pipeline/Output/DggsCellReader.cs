using System.Buffers.Binary;
using System.Globalization;
using Zagg.Grid;
using Zagg.Zarr;

namespace Zagg.Pipeline.Output;

/// <summary>One variable's value in one cell, as stored.</summary>
/// <param name="Variable">The variable's name.</param>
/// <param name="DataType">Its Zarr data type.</param>
/// <param name="Value">The element as a double (NaN for a NaN; integers above 2^53 rounded, see <see cref="Text"/>).</param>
/// <param name="IsFill">The element equals the array's fill value (no data), or its chunk is not written.</param>
/// <param name="Text">The element as printed: "fill", else the shortest text that round-trips the stored dtype (float32 as float32, integers exactly).</param>
public sealed record DggsCellValue(string Variable, ZarrDataType DataType, double Value, bool IsFill, string Text);

/// <summary>One cell of a level of a DGGS store and every variable's value there.</summary>
/// <param name="Order">The level's HEALPix order (its child order).</param>
/// <param name="Nested">The cell's NESTED id at <paramref name="Order"/>.</param>
/// <param name="Morton">Its morton word, or null outside orders 1–18.</param>
/// <param name="ParentOrder">The level's parent order (one chunk per parent cell).</param>
/// <param name="Parent">The parent cell holding it: NESTED id at <paramref name="ParentOrder"/>.</param>
/// <param name="Chunk">The chunk index of that parent cell in every array of the level.</param>
/// <param name="Values">Every variable of the level, in the template's order.</param>
public sealed record DggsCell(int Order, long Nested, long? Morton, int ParentOrder, long Parent, long Chunk, IReadOnlyList<DggsCellValue> Values);

/// <summary>
/// Reads one cell's values from one level of a DGGS store: the one reader behind <c>zagg inspect --cell</c> and the
/// viewer's hover. It reads the cell's chunk of each variable (one chunk per variable, nothing else). The full layout
/// finds the chunk from the parent cell's NESTED id; the compact layout from the <c>cell_ids</c> coordinate, whose
/// written chunks are indexed once (parent cell → chunk) and then only those written since. Thread-safe.
/// </summary>
public sealed class DggsCellReader
{
    private readonly Dictionary<long, long> _chunkOfParent = [];
    private readonly HashSet<long> _indexed = [];
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>A reader of <paramref name="level"/> (a store as <see cref="DggsStore.OpenAsync"/> returns it, or one of its <see cref="DggsStore.Levels"/>).</summary>
    public DggsCellReader(DggsStore level)
    {
        ArgumentNullException.ThrowIfNull(level);
        Store = level;
    }

    /// <summary>The level read.</summary>
    public DggsStore Store { get; private set; }

    /// <summary>
    /// Follows a later reading of the same level's metadata (arrays written since), keeping the parent cells indexed;
    /// false when its grid or layout differs (the caller makes a new reader).
    /// </summary>
    public bool TryFollow(DggsStore level)
    {
        ArgumentNullException.ThrowIfNull(level);
        DggsTemplate a = Store.Template, b = level.Template;
        if (a.Layout != b.Layout || a.ParentOrder != b.ParentOrder || a.ChildOrder != b.ChildOrder || a.ParentCellCount != b.ParentCellCount)
            return false;
        Store = level;
        return true;
    }

    /// <summary>
    /// The cell <paramref name="nested"/> (NESTED id at the level's order) and every variable's value there; null when
    /// its parent cell is not written in the store.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="nested"/> is not a cell of the level's order (0 ≤ id &lt; 12·4^order).</exception>
    /// <exception cref="ZarrException">A chunk cannot be read or decoded, or a compact level has no cell_ids coordinate.</exception>
    /// <exception cref="StoreException">The store cannot be listed or read.</exception>
    public async Task<DggsCell?> ReadAsync(long nested, CancellationToken ct = default)
    {
        var store = Store;
        var t = store.Template;
        if ((ulong)nested >= (ulong)HealpixNested.CellCount(t.ChildOrder))
            throw new ArgumentOutOfRangeException(nameof(nested), nested, $"{nested} is not a cell of order {t.ChildOrder}: NESTED ids run 0–{HealpixNested.CellCount(t.ChildOrder) - 1}");
        long parent = nested >> (2 * t.Depth);
        long? chunk = await ChunkOfAsync(store, parent, ct).ConfigureAwait(false);
        if (chunk is null) return null;
        int i = (int)(nested - (parent << (2 * t.Depth)));
        var values = new DggsCellValue[t.Variables.Count];
        await Parallel.ForAsync(0, values.Length, new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = 8 }, async (v, token) =>
        {
            var array = store.Arrays[t.Variables[v].Name];
            byte[] data = await array.ReadChunkAsync([chunk.Value], token).ConfigureAwait(false);
            values[v] = Value(t.Variables[v].Name, array.Metadata, data.AsSpan(i * array.ElementSize, array.ElementSize));
        }).ConfigureAwait(false);
        long? morton = t.ChildOrder is >= Morton.MinOrder and <= Morton.MaxOrder ? Morton.FromNested(nested, t.ChildOrder) : null;
        return new DggsCell(t.ChildOrder, nested, morton, t.ParentOrder, parent, chunk.Value, values);
    }

    /// <summary>One stored element as a value: fill when it equals the array's fill value.</summary>
    public static DggsCellValue Value(string variable, ArrayMetadata meta, ReadOnlySpan<byte> element)
    {
        ArgumentNullException.ThrowIfNull(meta);
        var type = meta.DataType;
        double d = type.ToDouble(element);
        if (element.SequenceEqual(meta.FillValue)) return new DggsCellValue(variable, type, d, true, "fill");
        var c = CultureInfo.InvariantCulture;
        string text = type switch
        {
            ZarrDataType.Float32 => BinaryPrimitives.ReadSingleLittleEndian(element).ToString("R", c),
            ZarrDataType.Float64 => d.ToString("R", c),
            ZarrDataType.UInt64 => BinaryPrimitives.ReadUInt64LittleEndian(element).ToString(c),
            ZarrDataType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(element).ToString(c),
            ZarrDataType.Bool => element[0] != 0 ? "true" : "false",
            _ => ((long)d).ToString(c),
        };
        return new DggsCellValue(variable, type, d, false, text);
    }

    /// <summary>The chunk of a parent cell, or null when it is not written.</summary>
    private async Task<long?> ChunkOfAsync(DggsStore store, long parent, CancellationToken ct)
    {
        var t = store.Template;
        if (t.Layout == DggsLayout.Full)
        {
            // Written when any of its arrays' chunk is (a writer stores them together).
            foreach (var array in store.Arrays.Values)
                if (await array.ChunkExistsAsync([parent], ct).ConfigureAwait(false)) return parent;
            return null;
        }
        if (!store.Arrays.TryGetValue(DggsStore.CellIds, out var ids))
            throw new ZarrException($"{store.Store.Name}: {t.GroupPath}/: a compact level without a {DggsStore.CellIds} coordinate: its cells cannot be placed");
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_chunkOfParent.TryGetValue(parent, out long known)) return known;
            // Index the cell_ids chunks written since: each chunk's first id gives its parent cell.
            long[] written = await DggsCellValues.WrittenChunksAsync(store, DggsStore.CellIds, ct).ConfigureAwait(false);
            long[] fresh = Array.FindAll(written, c => !_indexed.Contains(c));
            var parents = new long[fresh.Length];
            await Parallel.ForAsync(0, fresh.Length, new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = 8 }, async (k, token) =>
            {
                byte[] data = await ids.ReadChunkAsync([fresh[k]], token).ConfigureAwait(false);
                parents[k] = (long)(BinaryPrimitives.ReadUInt64LittleEndian(data) >> (2 * t.Depth));
            }).ConfigureAwait(false);
            for (int k = 0; k < fresh.Length; k++)
            {
                _indexed.Add(fresh[k]);
                _chunkOfParent[parents[k]] = fresh[k];
            }
            return _chunkOfParent.TryGetValue(parent, out long chunk) ? chunk : null;
        }
        finally { _gate.Release(); }
    }
}
