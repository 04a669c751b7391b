using System.Collections.Concurrent;
using Zagg.Contracts;
using Zagg.Pipeline;
using Zagg.Pipeline.Output;
using Zagg.Zarr.Stores;

namespace Zagg.Runs;

/// <summary>
/// The consolidation service's logic: tracks every cell of each run in the run's ledger and, when
/// every planned cell has a record, consolidates the store, writes the run report and returns the
/// RunCompleted to publish (once). State lives in the store; what is held in memory is a cache
/// rebuilt from the ledger after a restart. Its methods throw what the store throws
/// (<see cref="Zagg.Zarr.ZarrException"/>, <see cref="IOException"/>): the message is then retried.
/// </summary>
public sealed class RunConsolidator
{
    private readonly ConcurrentDictionary<Guid, Tally> _runs = new();

    private sealed class Tally(RunLedger ledger, string location)
    {
        public readonly string Location = location;
        public readonly SemaphoreSlim Gate = new(1, 1);
        public readonly RunLedger Ledger = ledger;
        public bool Loaded;
        public RunPlan? Plan;
        public Dictionary<long, CellRecord> Cells = [];
        public bool Completed;
    }

    /// <summary>The dispatcher has written the plan: completes a run with no cells, or one whose results came first.</summary>
    /// <remarks>
    /// <paramref name="publish"/> is called with the RunCompleted once the store is consolidated and the
    /// report written, before the run is marked complete: if publishing fails, the message that
    /// triggered it is retried and completes the run again; once it succeeds, never again.
    /// </remarks>
    public Task DispatchedAsync(CellsDispatched m, Func<RunCompleted, Task> publish, CancellationToken ct = default) =>
        UpdateAsync(m.RunId, m.Store, null, publish, ct);

    /// <summary>A cell's result (aggregated, or failed after its last attempt) for the run <paramref name="runId"/> writing <paramref name="store"/>.</summary>
    /// <remarks>A failed cell is counted in the zagg.cells metric (outcome=failed) once its record is kept.</remarks>
    public Task CellAsync(Guid runId, string store, CellRecord record, Func<RunCompleted, Task> publish, CancellationToken ct = default) =>
        UpdateAsync(runId, store, record, publish, ct);

    private async Task UpdateAsync(Guid runId, string store, CellRecord? record, Func<RunCompleted, Task> publish, CancellationToken ct)
    {
        var tally = _runs.GetOrAdd(runId, id => new Tally(new RunLedger(ZarrStores.Open(store), id), store));
        await tally.Gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (!tally.Loaded)
            {
                tally.Completed = await tally.Ledger.ReadCompletedAsync(ct).ConfigureAwait(false) is not null;
                tally.Cells = await tally.Ledger.ReadCellsAsync(ct).ConfigureAwait(false);
                tally.Loaded = true;
            }
            if (record is not null && await tally.Ledger.RecordAsync(record, ct).ConfigureAwait(false))
            {
                if (!record.Succeeded) PipelineTelemetry.Cells.Add(1, new KeyValuePair<string, object?>("outcome", "failed"));
                tally.Cells[record.CatalogIndex] = record;
            }
            tally.Plan ??= await tally.Ledger.ReadPlanAsync(ct).ConfigureAwait(false);
            if (tally.Completed || tally.Plan is null) return;
            foreach (var cell in tally.Plan.Cells)
                if (!tally.Cells.ContainsKey(cell.CatalogIndex)) return;
            var completed = await CompleteAsync(tally, runId, ct).ConfigureAwait(false);
            await publish(completed).ConfigureAwait(false);
            await tally.Ledger.MarkCompletedAsync(completed, ct).ConfigureAwait(false);
            tally.Completed = true;
            // Nothing more to hold for it: a late duplicate finds the completion in the ledger.
            _runs.TryRemove(runId, out _);
        }
        finally { tally.Gate.Release(); }
    }

    /// <summary>A pyramid's orders coarser than the parent order, merged from the states the workers kept for the cells with data.</summary>
    private static async Task MergeCoarseLevelsAsync(Tally tally, CancellationToken ct)
    {
        var plan = tally.Plan!;
        if (plan.Config is null) return;
        var config = ConfigReferences.Load(plan.Config);
        if (config.Grid.Orders.Count < 2) return;
        var dggs = await DggsStore.OpenAsync(tally.Ledger.Store, ct).ConfigureAwait(false);
        if (!dggs.Template.HasMergedLevels) return;
        var parents = new List<long>(plan.Cells.Count);
        var states = new Dictionary<long, byte[]>();
        var failed = new List<long>();
        foreach (var cell in plan.Cells)
        {
            long nested = Zagg.Grid.Morton.ToNested(cell.ParentMorton, out _);
            parents.Add(nested);
            if (!tally.Cells.TryGetValue(cell.CatalogIndex, out var r) || !r.Succeeded) failed.Add(nested);
            else if (r.ChildCellsWithData > 0)
            {
                // A cell with data whose state is gone cannot be merged: its coarser cells would hold the others alone.
                if (await tally.Ledger.ReadStateAsync(cell.CatalogIndex, ct).ConfigureAwait(false) is { } bytes) states[nested] = bytes;
                else failed.Add(nested);
            }
        }
        // The cells the selection left out are parent cells of the catalog too, whose numbers the run does not have.
        foreach (long word in plan.LeftOut ?? [])
        {
            long nested = Zagg.Grid.Morton.ToNested(word, out _);
            parents.Add(nested);
            failed.Add(nested);
        }
        await DggsPyramid.WriteCoarseLevelsAsync(dggs, config, parents, states, failed, ct).ConfigureAwait(false);
    }

    private static async Task<RunCompleted> CompleteAsync(Tally tally, Guid runId, CancellationToken ct)
    {
        var store = tally.Ledger.Store;
        await MergeCoarseLevelsAsync(tally, ct).ConfigureAwait(false);
        await Zagg.Zarr.ZarrHierarchy.ConsolidateAsync(store, ct).ConfigureAwait(false);
        double duration = (DateTimeOffset.UtcNow - tally.Plan!.RequestedAt).TotalSeconds;
        var cells = tally.Plan.Cells.OrderBy(c => c.CatalogIndex).Select(c => tally.Cells[c.CatalogIndex]).ToList();
        var report = new RunReport(store.Name, cells, duration) { Catalog = tally.Plan.Catalog };
        await report.WriteAsync(tally.Location, ct).ConfigureAwait(false);
        return new RunCompleted
        {
            RunId = runId,
            Store = store.Name,
            Cells = cells.Count,
            ParentCellsWithData = report.ParentCellsWithData,
            Observations = report.Observations,
            Errors = report.Errors,
            DurationSeconds = duration,
            Report = RunReport.LocationOf(tally.Location),
        };
    }
}
