using Zagg.Grid;
using Zagg.Maps;
using Zagg.Pipeline.Output;
using Zagg.Zarr;
using Zagg.Zarr.Stores;

namespace Zagg.Cli.Viewing;

/// <summary>
/// A store as the viewer sees it while it is written: per variable, the cells of the chunks read so far. A refresh
/// lists the variable's chunk keys (one listing, no chunk read) and reads only the chunks that appeared since, so
/// each parent cell shows once its chunk lands. Thread-safe: one refresh at a time per variable.
/// </summary>
internal sealed class StoreWatch(DggsStore store)
{
    private readonly Dictionary<string, Layer> _layers = [];
    private readonly SemaphoreSlim _gate = new(1, 1);
    private DggsStore _store = store;
    private DggsCellReader _cells = new(store);

    /// <summary>The level as last read (<see cref="TryMove"/> replaces it with a later reading of its metadata).</summary>
    public DggsStore Store => Volatile.Read(ref _store);

    /// <summary>
    /// Follows a later reading of the same level's metadata (more arrays written since), keeping the cells read so far;
    /// false when its layout differs (the store was replaced): the caller starts a new watch.
    /// </summary>
    public bool TryMove(DggsStore level)
    {
        DggsTemplate a = Store.Template, b = level.Template;
        if (a.Layout != b.Layout || a.ParentOrder != b.ParentOrder || a.ChildOrder != b.ChildOrder || a.ParentCellCount != b.ParentCellCount || a.Latitude != b.Latitude)
            return false;
        Volatile.Write(ref _store, level);
        if (!_cells.TryFollow(level)) Volatile.Write(ref _cells, new DggsCellReader(level));
        return true;
    }

    /// <summary>The level's reader of one cell's values (the hover's; the same as <c>zagg inspect --cell</c>'s).</summary>
    public DggsCellReader Cells => Volatile.Read(ref _cells);

    /// <summary>One variable's cells so far.</summary>
    internal sealed record Layer(CellValues Values, HashSet<long> Chunks, string? Units, float Lo, float Hi)
    {
        /// <summary>No cells (a variable not written yet).</summary>
        public static Layer Empty(int order) => new(new CellValues(order, [], []), [], null, 0, 1);
    }

    /// <summary>
    /// The variable's cells, with the chunks written since the last call read in; no cells while the level has no such
    /// array yet (a run still writing its template).
    /// </summary>
    /// <exception cref="ZarrException">A chunk cannot be read or decoded.</exception>
    public async Task<Layer> RefreshAsync(string variable, CancellationToken ct)
    {
        var store = Store;
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            _layers.TryGetValue(variable, out var layer);
            if (!store.Arrays.ContainsKey(variable)) return layer ?? Layer.Empty(store.Template.ChildOrder);
            var written = await DggsCellValues.WrittenChunksAsync(store, variable, ct).ConfigureAwait(false);
            var fresh = new HashSet<long>();
            foreach (long c in written) if (layer is null || !layer.Chunks.Contains(c)) fresh.Add(c);
            if (layer is not null && fresh.Count == 0) return layer;
            var data = await DggsCellValues.ReadAsync(store, variable, fresh, ct).ConfigureAwait(false);
            if (layer is not null && data.Chunks.Length == 0) return layer;
            long[] cells;
            float[] values;
            var chunks = layer is null ? new HashSet<long>() : new HashSet<long>(layer.Chunks);
            if (layer is null) (cells, values) = (data.Cells, data.Values);
            else
            {
                cells = [.. layer.Values.Cells, .. data.Cells];
                values = [.. layer.Values.Values, .. data.Values];
            }
            chunks.UnionWith(data.Chunks);
            var (lo, hi) = ValueRange.Percentiles(values);
            if (float.IsNaN(lo)) (lo, hi) = (0, 1);
            layer = new Layer(new CellValues(data.Order, cells, values), chunks, data.Units, lo, hi);
            _layers[variable] = layer;
            return layer;
        }
        finally { _gate.Release(); }
    }

    /// <summary>The latitude convention of the store's cells.</summary>
    public LatitudeConvention Latitude => Store.Template.Latitude;
}
