using System.Buffers;
using System.Diagnostics;
using Zagg.Grid;
using Zagg.Hdf5;
using Zagg.Hdf5.Chunks;
using Zagg.Hdf5.IO;
using Zagg.Pipeline.Config;

namespace Zagg.Pipeline.Aggregation;

/// <summary>
/// Aggregates one parent cell: for each granule and group, reads the coordinates, finds the points
/// whose child cell lies in the parent, reads the variables and the quality flag over just that
/// index range, keeps quality == value (<see cref="GatheredPoints"/>), and computes every configured
/// statistic per child (<see cref="AggregationPlan"/>, compiled once). Granules stay open and located between the
/// cells of a run (<see cref="OpenGranules"/>, <see cref="LocatedCells"/>): neighbouring cells share them.
/// </summary>
/// <param name="config">The validated configuration.</param>
/// <param name="parentOrder">The catalog's parent order (≤ the config's child order).</param>
/// <param name="open">Opens a granule's bytes; by default <see cref="ByteSources.OpenAsync"/> (path, file://, s3://, http(s)://).</param>
public sealed class CellAggregator(PipelineConfig config, int parentOrder, Func<string, CancellationToken, Task<IByteSource>>? open = null) : IAsyncDisposable
{
    /// <summary>Closes the granules kept open for the cells of a run.</summary>
    public ValueTask DisposeAsync() => _files.CloseAllAsync();

    private readonly Func<string, CancellationToken, Task<IByteSource>> _open = open ?? ((url, ct) => ByteSources.OpenAsync(url, ct: ct));
    private readonly int _depth = config.Grid.ChildOrder - parentOrder;
    // The statistics, compiled once for the run's cells.
    private readonly AggregationPlan _plan = AggregationPlan.Compile(config, config.Grid.ChildOrder - parentOrder);

    // A pyramid's orders from the parent's to the child's (exclusive), as depths below the parent; and the mergeable
    // forms when an order is coarser than the parent's.
    private readonly int[] _levelDepths = config.Grid.Orders.Where(o => o >= parentOrder && o < config.Grid.ChildOrder).Select(o => o - parentOrder).ToArray();
    private readonly MergePlan? _merge = config.Grid.Orders.Any(o => o < parentOrder) ? MergePlan.Compile(config) : null;

    /// <summary>About the bytes one parent cell's per-child arrays hold while it is computed and written (<see cref="AggregationPlan.ChildArraysBytes"/>).</summary>
    public long ChildArraysBytes => _plan.ChildArraysBytes(WritesPyramid);

    /// <summary>Whether the run writes orders besides the child order (output.grid.orders).</summary>
    public bool WritesPyramid => config.Grid.Orders.Count > 1;

    /// <summary>Child order − parent order.</summary>
    public int Depth => _depth;

    // Neighbouring cells share granules: each granule's coordinates are read and located once per run
    // (96 MiB holds 12 M points: the end-to-end catalogs' 5 M whole).
    private readonly LocatedCells _cells = new(maxBytes: 96 << 20);

    // ... and the values of a granule group whose points lie in several parent cells are read and decoded once for all
    // of them, each entry dropped when its last cell has taken it (bench/e2e's dense catalog, 60 granules crossing the
    // same cells, held at most 50 MB of whole groups' arrays, which the cells share rather than copy; 64 MiB leaves
    // room, and a group evicted early is read again, not lost).
    private readonly SharedGroups _shared = new(maxBytes: 64 << 20);

    // The groups (beams) read from each granule: the config's, or the file's root when it names none.
    private readonly IReadOnlyList<string> _groups = config.DataSource.Groups.Count > 0 ? config.DataSource.Groups : [""];

    // ... and each granule is opened, and its metadata parsed, once while cells need it. An open granule keeps the
    // 64 KiB metadata blocks it has read (Zagg.Hdf5's MetadataCache: most of a bench/e2e granule's 2 MB once its 42
    // datasets are resolved), so few stay open: 8.
    private readonly OpenGranules _files = new(capacity: 8);

    // No decoded-chunk cache (Hdf5ChunkCache): the chunks cells share are those of the groups SharedGroups decodes once;
    // a group of one cell is read over its rows alone, and its chunks are not asked for again.

    /// <summary>
    /// Aggregates the parent cell <paramref name="parentNested"/> (NESTED id at the parent order) over
    /// <paramref name="granules"/>. A granule that cannot be read does not throw: it is a
    /// <see cref="GranuleFailure"/> of the result, of the kind that says whether a retry may help.
    /// </summary>
    /// <returns>The result and one chunk per variable: 4^(child−parent) little-endian values of its dtype.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="parentNested"/> is not a cell at the parent order.</exception>
    public async Task<CellAggregation> AggregateAsync(long parentNested, IReadOnlyList<string> granules, CancellationToken ct = default)
    {
        var watch = Stopwatch.StartNew();
        HealpixNested.CheckCell(parentOrder, parentNested);
        using var span = PipelineTelemetry.Source.StartActivity("zagg.cell.aggregate");
        span?.SetTag("zagg.parent_nested", parentNested).SetTag("zagg.parent_order", parentOrder).SetTag("zagg.granules", granules.Count);
        var columns = _plan.Columns;
        // The cell's own remote requests, whichever granule and task made them.
        var reads = new ByteSourceStatistics();
        using var collect = ByteSourceStatistics.CollectInto(reads);
        using var gathered = new GatheredPoints(columns.Count, _depth);
        var failures = new List<GranuleFailure>();
        int processed = 0;
        var trace = PhaseTrace.Enabled ? new PhaseTrace() : null;
        using (var window = new PrefetchWindow(this, granules, parentNested, trace, ct))
            for (int i = 0; i < granules.Count; i++)
            {
                string url = granules[i];
                using var read = PipelineTelemetry.Source.StartActivity("zagg.granule.read");
                read?.SetTag("zagg.granule", url);
                try
                {
                    // The granule's points are kept in the catalog's order (the sums' rounding depends on it), whichever
                    // thread fetched them. A remote granule's prefetch (its lease and chunks) stays held until then.
                    long t = PhaseTrace.Now();
                    using var prefetched = await window.TakeAsync(i).ConfigureAwait(false);
                    using var fetched = prefetched as FetchedGranule ?? await FetchGranuleAsync(url, parentNested, trace, ct).ConfigureAwait(false);
                    if (trace is not null) trace.Wait += PhaseTrace.Since(t);
                    Keep(fetched, parentNested, gathered, trace);
                    processed++;
                }
                catch (Exception e) when (Classify(e) is { } kind)
                {
                    failures.Add(Failure(url, kind, e));
                    read?.SetStatus(ActivityStatusCode.Error, e.Message).SetTag("zagg.failure", kind.ToString());
                }
            }
        long morton = parentOrder >= Morton.MinOrder ? Morton.FromNested(parentNested, parentOrder) : 0;
        IReadOnlyDictionary<string, byte[]> chunks;
        var levels = new Dictionary<int, IReadOnlyDictionary<string, byte[]>>();
        byte[]? state = null;
        int cellsWithData;
        string? detail = null;
        long computeStart = PhaseTrace.Now();
        try
        {
            var computed = _plan.Compute(gathered, _levelDepths, _merge, trace);
            chunks = computed.Chunks;
            cellsWithData = computed.CellsWithData;
            foreach (var (depth, level) in computed.Levels) levels[parentOrder + depth] = level;
            state = computed.State?.ToBytes();
        }
        catch (Zagg.Zarr.ZarrException e)
        {
            // A statistic that does not fit its integer dtype: the same input fails the same way.
            chunks = new Dictionary<string, byte[]>();
            cellsWithData = 0;
            detail = e.Message;
        }
        if (trace is not null)
        {
            trace.Compute = PhaseTrace.Since(computeStart);
            trace.Write(parentNested, granules.Count, gathered.Count, watch.Elapsed.TotalSeconds, _shared.PeakBytes);
        }
        var outcome = detail is not null ? CellOutcome.Failed
            : failures.Count > 0 ? CellOutcome.GranulesFailed
            : granules.Count == 0 ? CellOutcome.NoGranules
            : gathered.Count == 0 ? CellOutcome.NoDataAfterFiltering
            : CellOutcome.Aggregated;
        var result = new CellResult(morton, parentNested, cellsWithData, gathered.Count, granules.Count, processed, watch.Elapsed.TotalSeconds, outcome, failures, detail)
        {
            Reads = reads.Requests == 0 && reads.Retries == 0 ? null
                : new CellReads(reads.Requests, reads.Bytes, reads.Retries, reads.TimeToFirstByte.TotalSeconds, reads.Wait.TotalSeconds),
        };
        if (result.Reads is { } r)
            span?.SetTag("zagg.source.requests", r.Requests).SetTag("zagg.source.bytes", r.Bytes).SetTag("zagg.source.retries", r.Retries)
                .SetTag("zagg.source.time_to_first_byte_s", r.TimeToFirstByteSeconds).SetTag("zagg.source.wait_s", r.WaitSeconds);
        span?.SetTag("zagg.parent_morton", morton).SetTag("zagg.observations", gathered.Count).SetTag("zagg.children_with_data", cellsWithData).SetTag("zagg.outcome", outcome.ToString());
        PipelineTelemetry.Observations.Add(gathered.Count);
        return new CellAggregation(result, chunks) { Levels = levels, State = state };
    }

    /// <summary>
    /// A hint that <paramref name="granules"/> will be aggregated soon: opens each local granule and locates its groups
    /// (<see cref="LocatedCells"/>, the cache the cells read) one granule after the other, in the given order, so that
    /// the cells that follow find them located. Nothing else is kept: no value is read. Remote granules (http, https,
    /// s3) are left to the cells (their requests are the cells' own, in each cell's prefetch window), and locating stops
    /// once the located points fill half of the cache's budget (so it never evicts what it located) or
    /// <paramref name="ct"/> is cancelled. A granule that cannot be opened or located is skipped: the cell that reads it
    /// meets the error itself and reports it as it would without this hint.
    /// </summary>
    /// <param name="granules">Granule locations, most urgent first (repeats are located once).</param>
    /// <param name="ct">Stops before the next granule; a granule being located finishes (a cell may be waiting on it).</param>
    /// <remarks>Each granule is a work item of its own on the thread pool: the hint holds a thread for one granule at a time.</remarks>
    /// <returns>The granules this call located, every group (those located already, skipped or failed are not counted).</returns>
    public async Task<int> LocateAheadAsync(IReadOnlyList<string> granules, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(granules);
        var ds = config.DataSource;
        int located = 0;
        foreach (string url in granules)
        {
            if (IsRemote(url)) continue;
            // A local granule is opened and located without a real wait (its reads are synchronous): give the thread back
            // between granules, so that the work queued beside the hint (a host starting, the cells) never waits for the
            // whole list, only for one granule.
            await Task.Yield();
            if (ct.IsCancellationRequested || _cells.Bytes >= _cells.MaxBytes / 2) break;
            OpenGranules.Lease? lease = null;
            bool any = false, failed = false;
            try
            {
                foreach (string group in _groups)
                {
                    // Located, or being located by a cell: nothing to wait for here.
                    if (_cells.Contains((url, group))) continue;
                    lease ??= await AcquireAsync(url, CancellationToken.None).ConfigureAwait(false);
                    var h5 = lease.File;
                    // Not cancelled half-way: a cell may be awaiting this very entry, and must not see the hint's cancellation.
                    await _cells.GetAsync((url, group), () => LocateAsync(h5, ds.Latitude.Replace("{group}", group),
                        ds.Longitude.Replace("{group}", group), CancellationToken.None)).ConfigureAwait(false);
                    any = true;
                }
            }
            catch (Exception e) when (Classify(e) is not null)
            {
                // Left for the cell: the failed open or read is not remembered (OpenGranules, LocatedCells).
                failed = true;
            }
            finally { lease?.Dispose(); }
            if (any && !failed) located++;
        }
        return located;
    }

    private static GranuleFailure Failure(string url, GranuleFailureKind kind, Exception e)
        => new(url, kind, e.Message.StartsWith(url, StringComparison.Ordinal) ? e.Message : $"{url}: {e.Message}");

    /// <summary>
    /// The kind of a granule read failure, or null for an exception that is not one (a cancellation, a bug).
    /// The HDF5 reader's types say which: a missing object, a source that could not deliver bytes
    /// (transient or not), or anything else about the file's bytes (damaged or unsupported).
    /// </summary>
    internal static GranuleFailureKind? Classify(Exception e) => e switch
    {
        Hdf5NotFoundException or DatasetShapeException => GranuleFailureKind.MissingDataset,
        Hdf5SourceException s => s.IsTransient ? GranuleFailureKind.Transient : GranuleFailureKind.Unavailable,
        Hdf5Exception or InvalidDataException or KeyNotFoundException => GranuleFailureKind.Damaged,
        IOException or HttpRequestException => GranuleFailureKind.Transient,
        ArgumentException => GranuleFailureKind.Unavailable, // a granule location that cannot be parsed
        _ => null,
    };

    /// <summary>
    /// Over remote sources, keeps up to <see cref="MaxGranulesInFlight"/> granules of the cell ahead of the ordered pass
    /// opened and prefetched: each, as soon as its points are located (the metadata and coordinate reads, most of a
    /// granule's round trips), fetches every chunk the ordered pass will read from it — each variable and the quality flag
    /// over each group's index range in the cell — at once (<see cref="ChunkPrefetch"/>). No granule waits for another:
    /// the requests of all of them share the access's bound on requests in flight, so the link stays busy while some
    /// granules wait on a round trip and others decode, and latency is paid about once per granule's chain of metadata
    /// reads rather than once per read. A granule's lease is held until the ordered pass has gathered it, so the run's
    /// small pool of open granules (<see cref="OpenGranules"/>) cannot close it in between (its prefetched chunks belong to
    /// that open file), and a cell's memory stays bounded by the window, not by its granule count.
    /// </summary>
    private sealed class PrefetchWindow : IDisposable
    {
        private readonly CellAggregator _owner;
        private readonly IReadOnlyList<string> _granules;
        private readonly long _parent;
        private readonly PhaseTrace? _trace;
        private readonly CancellationToken _ct;
        private readonly Task<IDisposable?>?[] _started;
        private int _next;

        public PrefetchWindow(CellAggregator owner, IReadOnlyList<string> granules, long parent, PhaseTrace? trace, CancellationToken ct)
        {
            (_owner, _granules, _parent, _trace, _ct) = (owner, granules, parent, trace, ct);
            _started = new Task<IDisposable?>?[granules.Count];
        }

        /// <summary>
        /// The prefetch of granule <paramref name="index"/>: a local granule's <see cref="FetchedGranule"/>, a remote
        /// one's held chunks, or null for a failed remote prefetch; starting the next ones.
        /// </summary>
        /// <exception cref="Exception">A local granule's fetch failed (<see cref="Classify"/> tells which).</exception>
        public Task<IDisposable?> TakeAsync(int index)
        {
            while (_next < _granules.Count && _next <= index + (IsRemote(_granules[_next]) ? MaxGranulesInFlight : MaxLocalGranulesAhead))
            {
                string url = _granules[_next];
                _started[_next++] = IsRemote(url) ? _owner.PrefetchGranuleAsync(url, _parent, _ct) : FetchLocalAsync(url);
            }
            var task = _started[index];
            _started[index] = null;
            return task ?? Task.FromResult<IDisposable?>(null);
        }

        /// <summary>Releases what was prefetched and not taken (a cell that ended early), now or when it completes.</summary>
        public void Dispose()
        {
            foreach (var task in _started)
                task?.ContinueWith(static t => { if (t.IsCompletedSuccessfully) t.Result?.Dispose(); }, CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        /// <summary>A local granule fetched (located, its values read) on the thread pool, beside the ordered pass.</summary>
        private Task<IDisposable?> FetchLocalAsync(string url)
            => Task.Run(async () => (IDisposable?)await _owner.FetchGranuleAsync(url, _parent, _trace, _ct).ConfigureAwait(false), _ct);
    }

    /// <summary>Granules a cell keeps opened and prefetched ahead of its ordered pass (their requests share the access's own bound).</summary>
    private const int MaxGranulesInFlight = 64;

    /// <summary>
    /// Local granules a cell fetches ahead of its ordered pass, on the thread pool: a dense cell's locating and decoding
    /// then runs on every core (its points are still kept in order), with at most this many granules' values held.
    /// </summary>
    private const int MaxLocalGranulesAhead = 2;

    /// <summary>Opens, locates and prefetches one remote granule of a cell; null when that fails (the ordered pass meets it again and reports it).</summary>
    private async Task<IDisposable?> PrefetchGranuleAsync(string url, long parent, CancellationToken ct)
    {
        OpenGranules.Lease? lease = null;
        bool held = false;
        try
        {
            lease = await AcquireAsync(url, ct).ConfigureAwait(false);
            var located = new Task<DatasetRows[]>[_groups.Count];
            for (int g = 0; g < _groups.Count; g++)
                located[g] = GroupRowsAsync(url, lease.File, _groups[g], parent, ct);
            var reads = new List<DatasetRows>();
            foreach (var rows in await Task.WhenAll(located).ConfigureAwait(false)) reads.AddRange(rows);
            var chunks = await ChunkPrefetch.FetchAsync(reads, ct: ct).ConfigureAwait(false);
            held = true;
            return new HeldGranule(lease, chunks);
        }
        catch (Exception e) when (Classify(e) is not null)
        {
            return null;
        }
        finally
        {
            if (!held) lease?.Dispose();
        }
    }

    /// <summary>A prefetched granule: its chunks, and the lease that keeps the file they belong to open.</summary>
    private sealed class HeldGranule(OpenGranules.Lease lease, ChunkPrefetch chunks) : IDisposable
    {
        public void Dispose()
        {
            chunks.Dispose();
            lease.Dispose();
        }
    }

    /// <summary>The rows of a group's variables (and quality flag) that the ordered pass will read for the parent cell.</summary>
    private async Task<DatasetRows[]> GroupRowsAsync(string url, Hdf5File h5, string group, long parent, CancellationToken ct)
    {
        var ds = config.DataSource;
        string Path(string template) => template.Replace("{group}", group);
        var cells = await _cells.GetAsync((url, group), () => LocateAsync(h5, Path(ds.Latitude), Path(ds.Longitude), ct)).ConfigureAwait(false);
        if (cells is null) return [];
        var (i0, i1) = cells.RangeIn(parent, 2 * _depth);
        if (i0 < 0) return [];
        int n = i1 - i0 + 1;
        // A group of several cells is read whole (once, for all of them: SharedGroups).
        if (cells.Parents > 1)
        {
            if (_shared.Contains((url, group))) return [];
            (i0, n) = (0, cells.Length);
        }
        var paths = new List<string>(_plan.Columns.Count + 1);
        foreach (string column in _plan.Columns) paths.Add(Path(ds.Variables[column]));
        if (ds.QualityFilter is { } qf) paths.Add(Path(qf.Dataset));
        var datasets = await Task.WhenAll(paths.Select(p => h5.TryGetAsync(p, ct))).ConfigureAwait(false);
        var rows = new List<DatasetRows>(datasets.Length);
        foreach (var d in datasets)
            if (d is Hdf5Dataset { Shape: [var length] } column && length == cells.Length) rows.Add(new DatasetRows(column, i0, i0 + n));
        return [.. rows];
    }

    /// <summary>Leases a granule kept open for the run's cells, opening it (its metadata parsed once) on first use.</summary>
    private Task<OpenGranules.Lease> AcquireAsync(string url, CancellationToken ct) => _files.AcquireAsync(url, async () =>
    {
        var file = await Hdf5File.OpenAsync(await _open(url, ct).ConfigureAwait(false), ownsSource: true, ct).ConfigureAwait(false);
        return file;
    });

    private static bool IsRemote(string url)
        => url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("s3://", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// A granule's groups, located, and the values of each group that has points in the parent cell (null for the
    /// others) with the index range those points lie in; the values a cell owns are given back on dispose.
    /// </summary>
    private sealed class FetchedGranule(LocatedGroup?[] located, GroupValues?[] values, (int First, int Last)[] ranges) : IDisposable
    {
        public readonly LocatedGroup?[] Located = located;
        public readonly GroupValues?[] Values = values;
        public readonly (int First, int Last)[] Ranges = ranges;

        public void Dispose()
        {
            foreach (var v in Values) v?.Dispose();
        }
    }

    /// <summary>
    /// Locates a granule's groups (once per run: <see cref="LocatedCells"/>) and reads the values of those with points in
    /// the parent cell: a group whose points lie in several parent cells whole, once for all of them
    /// (<see cref="SharedGroups"/>), any other over just the rows that hold the cell's points. The granule is opened only
    /// for what is not held already.
    /// </summary>
    private async Task<FetchedGranule> FetchGranuleAsync(string url, long parent, PhaseTrace? trace, CancellationToken ct)
    {
        var ds = config.DataSource;
        var columns = _plan.Columns;
        int shift = 2 * _depth;
        OpenGranules.Lease? lease = null;
        async Task<Hdf5File> FileAsync()
        {
            if (lease is null)
            {
                long t = PhaseTrace.Now();
                lease = await AcquireAsync(url, ct).ConfigureAwait(false);
                if (trace is not null) Interlocked.Add(ref trace.Open, PhaseTrace.Since(t));
            }
            return lease.File;
        }
        var values = new GroupValues?[_groups.Count];
        try
        {
            // Every group located before any value is read: a granule whose coordinates cannot be read adds no point.
            var located = new LocatedGroup?[_groups.Count];
            long t = PhaseTrace.Now(), opened = trace?.Open ?? 0;
            for (int g = 0; g < _groups.Count; g++)
            {
                string group = _groups[g];
                located[g] = await _cells.GetAsync((url, group), async () => await LocateAsync(await FileAsync().ConfigureAwait(false),
                    ds.Latitude.Replace("{group}", group), ds.Longitude.Replace("{group}", group), ct).ConfigureAwait(false)).ConfigureAwait(false);
            }
            if (trace is not null) Interlocked.Add(ref trace.Locate, PhaseTrace.Since(t) - (trace.Open - opened));
            t = PhaseTrace.Now();
            opened = trace?.Open ?? 0;
            var ranges = new (int First, int Last)[_groups.Count];
            for (int g = 0; g < _groups.Count; g++)
            {
                string group = _groups[g];
                var cells = located[g];
                if (cells is null) continue; // a missing group (beam)
                var (i0, i1) = ranges[g] = cells.RangeIn(parent, shift);
                if (i0 < 0) continue;
                values[g] = cells.Parents > 1
                    ? await _shared.TakeAsync((url, group), cells.Parents, async () =>
                    {
                        // Read whole (each chunk decoded once), into arrays of its own that outlive this cell (GroupValues); the others' rows kept for them.
                        var whole = await ReadValuesAsync(await FileAsync().ConfigureAwait(false), group, columns, cells.Length, 0, cells.Length, pooled: false, ct).ConfigureAwait(false);
                        var (o0, o1) = cells.RangeOutside(parent, shift);
                        return (whole, o0 < 0 ? new GroupValues(0, 0, columns.Count, pooled: false) : whole.View(o0, o1 - o0 + 1));
                    }).ConfigureAwait(false)
                    : null;
                // A group of this cell alone, or a cell taking a shared group a second time (a retry, a cell processed
                // again: the rows kept are the other cells'), reads its own rows.
                if (values[g] is not { } v || i0 < v.First || i1 >= v.First + v.Length)
                    values[g] = await ReadValuesAsync(await FileAsync().ConfigureAwait(false), group, columns, cells.Length, i0, i1 - i0 + 1, pooled: true, ct).ConfigureAwait(false);
            }
            if (trace is not null) Interlocked.Add(ref trace.Read, PhaseTrace.Since(t) - (trace.Open - opened));
            return new FetchedGranule(located, values, ranges);
        }
        catch
        {
            foreach (var v in values) v?.Dispose();
            throw;
        }
        finally { lease?.Dispose(); }
    }

    /// <summary>Adds a fetched granule's points that lie in the parent cell and pass the quality filter, group after group.</summary>
    private void Keep(FetchedGranule fetched, long parent, GatheredPoints gathered, PhaseTrace? trace)
    {
        long t = PhaseTrace.Now();
        int shift = 2 * _depth;
        long firstChild = parent << shift;
        int columns = _plan.Columns.Count;
        for (int g = 0; g < _groups.Count; g++)
        {
            if (fetched.Located[g] is not { } cells || fetched.Values[g] is not { } values) continue;
            var (i0, i1) = fetched.Ranges[g]; // found when the values were read
            int n = i1 - i0 + 1, offset = i0 - values.Base;
            // Each column in its source dtype: float32 stays float32 (GatheredPoints).
            for (int c = 0; c < columns; c++) gathered.ReadsSingle(c, values.Singles[c] is not null);
            if (cells.Narrow is { } narrow) gathered.Add<int>(narrow.AsSpan(i0, n), parent, shift, firstChild, values.Singles, values.Doubles, offset, values.Pass);
            else gathered.Add<long>(cells.Wide!.AsSpan(i0, n), parent, shift, firstChild, values.Singles, values.Doubles, offset, values.Pass);
        }
        if (trace is not null) trace.Keep += PhaseTrace.Since(t);
    }

    /// <summary>
    /// A group's variables (each in its source dtype) and quality verdicts over rows [<paramref name="first"/>,
    /// first + <paramref name="n"/>) of its <paramref name="length"/>.
    /// </summary>
    private async Task<GroupValues> ReadValuesAsync(Hdf5File h5, string group, IReadOnlyList<string> columns, long length, int first, int n, bool pooled, CancellationToken ct)
    {
        var ds = config.DataSource;
        string Path(string template) => template.Replace("{group}", group);
        var values = new GroupValues(first, n, columns.Count, pooled);
        try
        {
            for (int c = 0; c < columns.Count; c++)
            {
                var d = await ColumnAsync(h5, Path(ds.Variables[columns[c]]), length, ct).ConfigureAwait(false);
                if (d.Datatype is { Class: Hdf5TypeClass.FloatingPoint, Size: 4 })
                    await d.ReadAsync((values.Singles[c] = values.Allocate<float>(n)).AsMemory(0, n), first, first + n, ct).ConfigureAwait(false);
                else
                    await d.ReadAsync((values.Doubles[c] = values.Allocate<double>(n)).AsMemory(0, n), first, first + n, ct).ConfigureAwait(false);
            }
            if (ds.QualityFilter is { } qf)
            {
                var d = await ColumnAsync(h5, Path(qf.Dataset), length, ct).ConfigureAwait(false);
                var quality = CellBuffers.Rent<double>(n);
                try
                {
                    await d.ReadAsync(quality.AsMemory(0, n), first, first + n, ct).ConfigureAwait(false);
                    var pass = values.Pass = values.Allocate<bool>(n);
                    double good = qf.Value;
                    for (int i = 0; i < n; i++) pass[i] = quality[i] == good;
                }
                finally { CellBuffers.Return(quality); }
            }
            return values;
        }
        catch
        {
            values.Dispose();
            throw;
        }
    }

    /// <summary>The child cell of every point of a group (−1 for a position that is not one), or null when the group is missing.</summary>
    private async Task<LocatedGroup?> LocateAsync(Hdf5File h5, string latPath, string lonPath, CancellationToken ct)
    {
        // Both coordinates looked up and read at once: over a remote link each is a round trip.
        var latFound = h5.TryGetAsync(latPath, ct);
        var lonFound = h5.TryGetAsync(lonPath, ct);
        if (await latFound.ConfigureAwait(false) is not Hdf5Dataset latDs) return null;
        var lonDs = await lonFound.ConfigureAwait(false) as Hdf5Dataset ?? await h5.GetDatasetAsync(lonPath, ct).ConfigureAwait(false);
        if (latDs.Shape.Length != 1 || lonDs.Shape.Length != 1 || latDs.Shape[0] != lonDs.Shape[0])
            throw new DatasetShapeException($"{latPath} and {lonPath} are not 1-D of one length");
        int n = checked((int)latDs.Shape[0]);
        double[] lat = ArrayPool<double>.Shared.Rent(n), lon = ArrayPool<double>.Shared.Rent(n);
        try
        {
            await Task.WhenAll(latDs.ReadAsync(lat.AsMemory(0, n), 0, n, ct), lonDs.ReadAsync(lon.AsMemory(0, n), 0, n, ct)).ConfigureAwait(false);
            var ids = ArrayPool<long>.Shared.Rent(n);
            try
            {
                GeoGrid.Locate(lat.AsSpan(0, n), lon.AsSpan(0, n), config.Grid.ChildOrder, config.Grid.Latitude, ids.AsSpan(0, n));
                return new LocatedGroup(ids.AsSpan(0, n), config.Grid.ChildOrder, 2 * _depth);
            }
            finally { ArrayPool<long>.Shared.Return(ids); }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(lat);
            ArrayPool<double>.Shared.Return(lon);
        }
    }

    /// <summary>A dataset the configuration names, after checking it runs along the coordinates (<paramref name="length"/> rows).</summary>
    private static async Task<Hdf5Dataset> ColumnAsync(Hdf5File h5, string path, long length, CancellationToken ct)
    {
        var d = await h5.GetDatasetAsync(path, ct).ConfigureAwait(false);
        if (d.Shape.Length != 1 || d.Shape[0] != length)
            throw new DatasetShapeException($"{path} has shape ({string.Join(", ", d.Shape)}), the coordinates ({length})");
        return d;
    }

    /// <summary>A dataset the configuration names is not shaped as the coordinates (a configuration mistake).</summary>
    private sealed class DatasetShapeException(string message) : Exception(message);
}
