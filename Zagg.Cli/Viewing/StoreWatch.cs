using Zagg.Grid;
using Zagg.Maps;
using Zagg.Pipeline.Output;
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

    public DggsStore Store { get; } = store;

    /// <summary>One variable's cells so far.</summary>
    internal sealed record Layer(CellValues Values, HashSet<long> Chunks, string? Units, float Lo, float Hi);

    /// <summary>The variable's cells, with the chunks written since the last call read in.</summary>
    /// <exception cref="ArgumentException">No such variable.</exception>
    public async Task<Layer> RefreshAsync(string variable, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            _layers.TryGetValue(variable, out var layer);
            var written = await DggsCellValues.WrittenChunksAsync(Store, variable, ct).ConfigureAwait(false);
            var fresh = new HashSet<long>();
            foreach (long c in written) if (layer is null || !layer.Chunks.Contains(c)) fresh.Add(c);
            if (layer is not null && fresh.Count == 0) return layer;
            var data = await DggsCellValues.ReadAsync(Store, variable, fresh, ct).ConfigureAwait(false);
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
