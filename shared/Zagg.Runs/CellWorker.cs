using Zagg.Contracts;
using Zagg.Pipeline;
using Zagg.Pipeline.Aggregation;
using Zagg.Grid;
using Zagg.Pipeline.Output;
using Zagg.Zarr.Stores;

namespace Zagg.Runs;

/// <summary>
/// A cell could not be aggregated (a granule unreadable, the chunk unwritable). Retried unless <see cref="Permanent"/>;
/// after the last attempt the message faults and consolidation reports the cell failed.
/// </summary>
public sealed class CellFailedException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>
    /// True when retrying cannot help: a granule lacks a dataset the config names, a granule is damaged or missing, or a
    /// statistic does not fit its dtype. False for transport errors. See <see cref="FailurePolicy.IsPermanent"/>.
    /// </summary>
    public bool Permanent { get; init; }
}

/// <summary>
/// The worker's logic, for any host (the worker service, the Lambda): aggregate one cell with the
/// pipeline library and write its chunk. A run's granules stay open and located between the cells
/// of that run (neighbouring cells share granules); a new run retires the previous run's caches.
/// Processing a cell twice writes the same bytes.
/// </summary>
public sealed class CellWorker : IAsyncDisposable
{
    /// <summary>This worker's name in results: host:process id.</summary>
    public static string Identity { get; } = $"{Environment.MachineName}:{Environment.ProcessId}";

    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, RunResources> _runs = [];

    private sealed class RunResources(CellAggregator aggregator)
    {
        public readonly CellAggregator Aggregator = aggregator;
        private Task<DggsStore>? _store;
        public int Users;
        public bool Retired;

        /// <summary>The run's store, opened once (its metadata listed once) for all of the run's cells.</summary>
        public Task<DggsStore> OpenStoreAsync(string location)
        {
            lock (this) return _store ??= DggsStore.OpenAsync(ZarrStores.Open(location));
        }

        /// <summary>After a failure, the next cell opens the store afresh (it may have been unreachable).</summary>
        public void ForgetStore()
        {
            lock (this) _store = null;
        }
    }

    /// <summary>
    /// Whether the run's ledger already records the cell <paramref name="m"/> names as aggregated. A host asks it of a
    /// redelivered message only (a worker killed after its result was sent, before the message was acknowledged; an SQS
    /// visibility timeout) and then acknowledges the message without aggregating or writing the cell again: every chunk of
    /// the cell was written before the result that made the record. One ledger read. A record that cannot be read says no
    /// (the cell is done again, and writes the same bytes).
    /// </summary>
    /// <param name="m">The cell.</param>
    /// <param name="ct">Cancels the read.</param>
    public static async Task<bool> IsRecordedAsync(AggregateCell m, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(m);
        try
        {
            return await new RunLedger(ZarrStores.Open(m.Store), m.RunId).ReadCellAsync(m.CatalogIndex, ct).ConfigureAwait(false) is { Succeeded: true };
        }
        catch (Exception e) when (e is Zagg.Zarr.ZarrException or System.Text.Json.JsonException) { return false; }
    }

    /// <summary>Aggregates the cell <paramref name="m"/> names and writes its chunk (when it has data).</summary>
    /// <param name="m">The cell.</param>
    /// <param name="redelivered">The message was delivered before (carried into the result).</param>
    /// <param name="ct">Cancels the work.</param>
    /// <returns>The CellAggregated to publish.</returns>
    /// <exception cref="CellFailedException">A granule could not be read, or the chunk could not be written.</exception>
    /// <exception cref="Zagg.Pipeline.Config.ConfigException">The message's config is wrong.</exception>
    public async Task<CellAggregated> ProcessAsync(AggregateCell m, bool redelivered, CancellationToken ct = default)
    {
        var run = Acquire(m);
        try
        {
            long nested = Morton.ToNested(m.ParentMorton, out int order);
            if (order != m.ParentOrder) throw new CellFailedException($"cell {m.ParentMorton} has order {order}, the message says {m.ParentOrder}");
            // The cell's per-child arrays reserved from the process's memory: deep child orders take turns, and a cell
            // that could never fit is refused before it allocates (never killed out of memory halfway).
            long need = run.Aggregator.ChildArraysBytes;
            if (!Budget.Fits(need))
                throw new CellFailedException(
                    $"a parent cell's arrays at {run.Aggregator.Depth} orders below the parent (4^{run.Aggregator.Depth} children) take ~{Gib(need)} GiB, " +
                    $"more than the {Gib(Budget.Bytes)} GiB this worker lets cells hold (three quarters of its memory): choose a coarser output.grid.child_order" +
                    (run.Aggregator.WritesPyramid ? " or fewer output.grid.orders" : ""))
                { Permanent = true };
            using var reservation = await Budget.ReserveAsync(need, ct).ConfigureAwait(false);
            var aggregation = await run.Aggregator.AggregateAsync(nested, m.Granules, ct).ConfigureAwait(false);
            var result = aggregation.Result;
            if (result.IsFailure)
                throw new CellFailedException(result.FailureMessage) { Permanent = result.IsPermanentFailure };
            if (result.CellsWithData > 0)
            {
                DggsStore store;
                using var write = PipelineTelemetry.Source.StartActivity("zagg.chunk.write");
                write?.SetTag("zagg.catalog_index", m.CatalogIndex).SetTag("zagg.arrays", aggregation.Chunks.Count);
                try
                {
                    long t = PhaseTrace.Now();
                    store = await run.OpenStoreAsync(m.Store).ConfigureAwait(false);
                    // A pyramid's state first: a cell whose chunks are all in has what consolidation needs.
                    if (aggregation.State is { } state) await new RunLedger(store.Store, m.RunId).WriteStateAsync(m.CatalogIndex, state, ct).ConfigureAwait(false);
                    await store.WriteCellAsync(nested, m.CatalogIndex, aggregation.Chunks, aggregation.Levels, ct).ConfigureAwait(false);
                    aggregation.ReleaseChunks(); // written: the arrays serve the next cell
                    if (PhaseTrace.Enabled) PhaseTrace.WriteStore(nested, PhaseTrace.Since(t));
                }
                catch (Zagg.Zarr.ZarrException x)
                {
                    run.ForgetStore();
                    write?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, x.Message);
                    throw new CellFailedException($"writing the cell to {m.Store} failed: {x.Message}", x);
                }
            }
            PipelineTelemetry.Cells.Add(1, new KeyValuePair<string, object?>("outcome", "aggregated"));
            return new CellAggregated
            {
                RunId = m.RunId,
                CatalogIndex = m.CatalogIndex,
                ParentMorton = m.ParentMorton,
                ChildCellsWithData = result.CellsWithData,
                Observations = result.TotalObs,
                GranuleCount = result.GranuleCount,
                FilesProcessed = result.FilesProcessed,
                DurationSeconds = result.DurationSeconds,
                Note = result.Error,
                Worker = Identity,
                Store = m.Store,
                Redelivered = redelivered,
                Reads = result.Reads is { } r ? new SourceReads
                {
                    Requests = r.Requests, Bytes = r.Bytes, Retries = r.Retries, TimeToFirstByteSeconds = r.TimeToFirstByteSeconds, WaitSeconds = r.WaitSeconds,
                } : null,
            };
        }
        finally { await ReleaseAsync(run).ConfigureAwait(false); }
    }

    /// <summary>The memory this process's cells may hold at once (shared by every worker of the process).</summary>
    private static readonly MemoryBudget Budget = MemoryBudget.ForProcess();

    private static string Gib(long bytes) => (bytes / (double)(1L << 30)).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);

    private RunResources Acquire(AggregateCell m) => Acquire(m.RunId, m.Config, m.ParentOrder);

    private RunResources Acquire(Guid runId, ConfigReference configReference, int parentOrder)
    {
        lock (_gate)
        {
            if (!_runs.TryGetValue(runId, out var run))
            {
                var config = ConfigReferences.Load(configReference);
                foreach (var other in _runs.Values) other.Retired = true;
                run = new RunResources(new CellAggregator(config, parentOrder));
                _runs[runId] = run;
            }
            run.Users++;
            return run;
        }
    }

    /// <summary>
    /// A hint from a host that knows a run's plan before its first AggregateCell arrives (zagg run's in-memory transport,
    /// whose worker lives in the same process): opens and locates, into the run's caches, the granules of the cells this
    /// worker will be sent first — the first <paramref name="cellsAtOnce"/> of <paramref name="cells"/> (dispatch order,
    /// largest first): the first granule of each, then the second of each, …; then the other cells' granules in dispatch
    /// order, until the hint is stopped or half the run's cache of located points is full — which the cells then find
    /// (<see cref="CellAggregator.LocateAheadAsync"/>). Nothing a cell reports depends on it: a granule that fails is
    /// left for its cell to meet.
    /// </summary>
    /// <param name="runId">The run whose AggregateCell messages will follow.</param>
    /// <param name="config">The run's config reference, as its messages carry it.</param>
    /// <param name="parentOrder">The catalog's parent order, as its messages carry it.</param>
    /// <param name="cells">Each cell's resolved granule locations, in the order the dispatcher sends the cells.</param>
    /// <param name="cellsAtOnce">The cells the worker takes at once.</param>
    /// <param name="ct">Stops the hint before its next granule.</param>
    /// <returns>The granules it located.</returns>
    /// <exception cref="Zagg.Pipeline.Config.ConfigException">The config is wrong (the cells say so too).</exception>
    public async Task<int> LocateAheadAsync(Guid runId, ConfigReference config, int parentOrder, IReadOnlyList<IReadOnlyList<string>> cells,
        int cellsAtOnce, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(cells);
        ArgumentOutOfRangeException.ThrowIfLessThan(cellsAtOnce, 1);
        int first = Math.Min(cellsAtOnce, cells.Count), longest = 0;
        for (int c = 0; c < first; c++) longest = Math.Max(longest, cells[c].Count);
        var granules = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < longest; i++)
            for (int c = 0; c < first; c++)
                if (i < cells[c].Count && seen.Add(cells[c][i])) granules.Add(cells[c][i]);
        // Then the later cells' granules, in the order the cells come: the bus starts and the first cells read their values
        // meanwhile, and a sparse catalog's first cells have one or two granules each, which leaves a core idle until the
        // cells arrive. What is located is kept for the cells (within half the cache's budget, where the hint stops).
        for (int c = first; c < cells.Count; c++)
            foreach (string g in cells[c])
                if (seen.Add(g)) granules.Add(g);
        var run = Acquire(runId, config, parentOrder);
        try { return await run.Aggregator.LocateAheadAsync(granules, ct).ConfigureAwait(false); }
        finally { await ReleaseAsync(run).ConfigureAwait(false); }
    }

    private ValueTask ReleaseAsync(RunResources run)
    {
        lock (_gate) run.Users--;
        return ReleaseIdleAsync();
    }

    private async ValueTask ReleaseIdleAsync()
    {
        List<RunResources> closing = [];
        lock (_gate)
        {
            foreach (var (id, r) in _runs.ToList())
                if (r.Retired && r.Users == 0) { _runs.Remove(id); closing.Add(r); }
        }
        foreach (var r in closing) await r.Aggregator.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Retires every run's open granules, located points and decoded-chunk caches: those no cell is using now are closed
    /// here, the others when their last cell ends; the next cell opens what it needs afresh. A host whose memory must not
    /// grow from cell to cell (a warm Lambda container, which serves many runs' cells) calls it after each cell.
    /// </summary>
    public async ValueTask RetireRunsAsync()
    {
        lock (_gate)
            foreach (var r in _runs.Values) r.Retired = true;
        await ReleaseIdleAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        List<RunResources> all;
        lock (_gate) { all = [.. _runs.Values]; _runs.Clear(); }
        foreach (var r in all) await r.Aggregator.DisposeAsync().ConfigureAwait(false);
    }
}
