using System.Text.Json.Nodes;
using Zagg.Pipeline.Aggregation;
using Zagg.Pipeline.Config;
using Zagg.Zarr;

namespace Zagg.Pipeline.Output;

/// <summary>
/// The levels of a pyramid coarser than the parent order: made by the consolidation step from the parent cells'
/// mergeable states (<see cref="MergePlan"/>), once every cell of the run is in.
/// </summary>
/// <remarks>
/// A level at order o &lt; parent order has one chunk per cell of order o (the whole group of parent cells under
/// it). In the compact layout its cells are the distinct ancestors of the run's parent cells, ascending by NESTED id
/// (chunk i, <c>cell_ids</c> and <c>morton</c> as every level); in the full layout chunk = the NESTED id. Each
/// variable's array says how its numbers were made in its "zagg" attribute: <c>{"level": "merged", "from_order": P,
/// "exact": true}</c> for mergeable statistics, <c>"exact": false</c> with <c>"sketch"</c> and
/// <c>"rank_error_bound"</c> (the largest certified rank error over the level's cells, relative to each cell's count)
/// for quantiles, <c>"merge": "none"</c> for an expression that does not merge (fill).
/// </remarks>
public static class DggsPyramid
{
    /// <summary>
    /// Writes every level of <paramref name="store"/> coarser than its parent order from the parent cells' states.
    /// </summary>
    /// <param name="store">The store (its finest level, as <see cref="DggsStore.OpenAsync"/> returns it).</param>
    /// <param name="config">The run's configuration (the statistics' mergeable forms).</param>
    /// <param name="parentCells">Every parent cell of the catalog (NESTED ids at the parent order), with or without data: those the
    /// run aggregated and those its selection left out, so that each level expects every cell holding one.</param>
    /// <param name="states">Parent cell → its state bytes (<see cref="CellAggregation.State"/>), for the cells with data.</param>
    /// <param name="failedParentCells">Parent cells whose numbers the run does not have (NESTED ids at the parent order): failed,
    /// or left out by the run's selection. A coarser cell holding one is not written, as a failed parent cell's own chunk is
    /// not: its numbers would be those of the other parents alone, a part passing for the whole.</param>
    /// <param name="ct">Cancellation.</param>
    /// <returns>The levels written (order ascending).</returns>
    /// <exception cref="InvalidDataException">A state is not one of this configuration.</exception>
    /// <exception cref="ZarrException">A merged value does not fit its integer dtype, or the store cannot be written.</exception>
    public static async Task<IReadOnlyList<int>> WriteCoarseLevelsAsync(DggsStore store, PipelineConfig config, IReadOnlyCollection<long> parentCells,
        IReadOnlyDictionary<long, byte[]> states, IReadOnlyCollection<long>? failedParentCells = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(parentCells);
        ArgumentNullException.ThrowIfNull(states);
        var t = store.Template;
        int parent = t.ParentOrder;
        var coarse = t.LevelOrders.Where(t.IsMergedLevel).ToList();
        if (coarse.Count == 0) return [];
        var merge = MergePlan.Compile(config);
        var parsed = new SortedDictionary<long, CellState>();
        foreach (var (cell, bytes) in states) parsed[cell] = merge.FromBytes(bytes);
        var casts = config.Variables.Select(v => new OutputCast(v)).ToArray();
        foreach (int order in coarse)
        {
            int shift = 2 * (parent - order);
            var cells = parentCells.Select(p => p >> shift).Distinct().Order().ToArray();
            // Each coarser cell's state: its parents' merged, in NESTED order (the same bytes every time).
            var merged = new SortedDictionary<long, CellState>();
            foreach (var (p, state) in parsed)
            {
                if (!merged.TryGetValue(p >> shift, out var into)) merged[p >> shift] = into = merge.Empty();
                into.Merge(state);
            }
            if (failedParentCells is not null)
                foreach (long failed in failedParentCells) merged.Remove(failed >> shift);
            double rankError = 0;
            foreach (var s in merged.Values) rankError = Math.Max(rankError, s.RelativeRankError);
            var level = await DggsStore.CreateLevelAsync(store.Store, t.Level(order, cells.Length), name => Attributes(merge, name, parent, rankError), ct).ConfigureAwait(false);
            int[] start = [0, 0];
            foreach (var (cell, state) in merged)
            {
                if (state.Count == 0) continue;
                var values = merge.Finish(state);
                start[1] = 1;
                var chunks = new Dictionary<string, byte[]>(casts.Length);
                for (int v = 0; v < casts.Length; v++) chunks[casts[v].Name] = casts[v].Write([values[v]], start, $"cell {cell} of order {order}");
                long index = Array.BinarySearch(cells, cell);
                await level.WriteCellAsync(cell, index, chunks, ct).ConfigureAwait(false);
            }
        }
        return coarse;
    }

    private static JsonObject? Attributes(MergePlan merge, string array, int parentOrder, double rankError)
    {
        int v = merge.Variables.ToList().IndexOf(array);
        if (v < 0) return null; // a coordinate
        var z = new JsonObject { ["level"] = "merged", ["from_order"] = parentOrder };
        switch (merge.Exactness[v])
        {
            case LevelExactness.Exact:
                z["exact"] = true;
                break;
            case LevelExactness.Sketch:
                z["exact"] = false;
                z["sketch"] = $"KLL (Karnin, Lang, Liberty 2016), k = {QuantileSketch.DefaultK}";
                z["rank_error_bound"] = rankError;
                break;
            default:
                z["exact"] = false;
                z["merge"] = "none";
                break;
        }
        return new JsonObject { ["zagg"] = z };
    }
}
