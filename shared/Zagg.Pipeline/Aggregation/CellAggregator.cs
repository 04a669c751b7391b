using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Zagg.Pipeline.Config;
using Zagg.Grid;
using Zagg.Hdf5;
using Zagg.Hdf5.IO;
using Zagg.Zarr;

namespace Zagg.Pipeline.Aggregation;

/// <summary>What one parent cell's aggregation did (the run report's row).</summary>
public sealed record CellResult(
    long ParentMorton, long ParentNested, int CellsWithData, long TotalObs, int GranuleCount, int FilesProcessed,
    double DurationSeconds, string? Error, IReadOnlyList<string> GranuleErrors);

/// <summary>A cell's result and its chunk of every configured variable (little-endian, the variable's dtype).</summary>
public sealed record CellAggregation(CellResult Result, IReadOnlyDictionary<string, byte[]> Chunks);

/// <summary>
/// Aggregates one parent cell: for each granule and group, reads the coordinates, finds the points
/// whose child cell lies in the parent, reads the variables and the quality flag over just that
/// index range, keeps quality == value, bins the points into the 4^(child−parent) children once
/// (a counting sort), and computes every configured statistic per child.
/// </summary>
public sealed class CellAggregator(PipelineConfig config, int parentOrder, Func<string, CancellationToken, Task<IByteSource>>? open = null) : IAsyncDisposable
{
    /// <summary>Closes the granules kept open for the cells of a run.</summary>
    public ValueTask DisposeAsync() => _files.CloseAllAsync();

    private readonly Func<string, CancellationToken, Task<IByteSource>> _open = open ?? ((url, ct) => ByteSources.OpenAsync(url, ct: ct));
    private readonly int _depth = config.Grid.ChildOrder - parentOrder;

    // Neighbouring cells share granules: each granule's coordinates are read and located once per run.
    private readonly LocatedCells _cells = new(maxPoints: 32 << 20);

    // ... and each granule is opened, and its metadata parsed, once while cells need it.
    private readonly OpenGranules _files = new(capacity: 32);

    // A chunk where one cell's points end and the next cell's begin is decoded once for both.
    private readonly Hdf5ChunkCache _chunks = new(capacityBytes: 32 << 20);

    public async Task<CellAggregation> AggregateAsync(long parentNested, IReadOnlyList<string> granules, CancellationToken ct = default)
    {
        var watch = Stopwatch.StartNew();
        HealpixNested.CheckCell(parentOrder, parentNested);
        using var span = PipelineTelemetry.Source.StartActivity("zagg.cell.aggregate");
        span?.SetTag("zagg.parent_nested", parentNested).SetTag("zagg.parent_order", parentOrder).SetTag("zagg.granules", granules.Count);
        var columns = config.DataSource.Variables.Keys.ToArray();
        using var gathered = new Gathered(columns.Length);
        var errors = new List<string>();
        int processed = 0;
        foreach (string url in granules)
        {
            using var read = PipelineTelemetry.Source.StartActivity("zagg.granule.read");
            read?.SetTag("zagg.granule", url);
            try
            {
                await GatherGranuleAsync(url, parentNested, columns, gathered, ct).ConfigureAwait(false);
                processed++;
            }
            catch (Exception e) when (e is Hdf5Exception or IOException or InvalidDataException or ArgumentException or KeyNotFoundException)
            {
                errors.Add(e.Message.StartsWith(url, StringComparison.Ordinal) ? e.Message : $"{url}: {e.Message}");
                read?.SetStatus(ActivityStatusCode.Error, e.Message);
            }
        }
        var chunks = Statistics(gathered, columns, out int cellsWithData);
        string? error = granules.Count == 0 ? "No granules found"
            : processed == 0 ? "No granule could be read"
            : gathered.Count == 0 ? "No data after filtering" : null;
        long morton = parentOrder >= Morton.MinOrder ? Morton.FromNested(parentNested, parentOrder) : 0;
        var result = new CellResult(morton, parentNested, cellsWithData, gathered.Count, granules.Count, processed, watch.Elapsed.TotalSeconds, error, errors);
        span?.SetTag("zagg.parent_morton", morton).SetTag("zagg.observations", gathered.Count).SetTag("zagg.children_with_data", cellsWithData);
        PipelineTelemetry.Observations.Add(gathered.Count);
        return new CellAggregation(result, chunks);
    }

    private async Task GatherGranuleAsync(string url, long parent, string[] columns, Gathered gathered, CancellationToken ct)
    {
        using var lease = await _files.AcquireAsync(url, async () =>
        {
            var file = await Hdf5File.OpenAsync(await _open(url, ct).ConfigureAwait(false), ownsSource: true, ct).ConfigureAwait(false);
            file.ChunkCache = _chunks;
            return file;
        }).ConfigureAwait(false);
        var h5 = lease.File;
        var ds = config.DataSource;
        IReadOnlyList<string> groups = ds.Groups.Count > 0 ? ds.Groups : [""];
        int shift = 2 * _depth;
        long firstChild = parent << shift;
        foreach (string group in groups)
        {
            string Path(string template) => template.Replace("{group}", group);
            long[]? cells = await _cells.GetAsync((url, group), () => LocateAsync(h5, Path(ds.Latitude), Path(ds.Longitude), ct)).ConfigureAwait(false);
            if (cells is null) continue; // a missing group (beam)
            int i0 = -1, i1 = -1;
            for (int i = 0; i < cells.Length; i++)
                if (cells[i] >= 0 && cells[i] >> shift == parent)
                {
                    if (i0 < 0) i0 = i;
                    i1 = i;
                }
            if (i0 < 0) continue;
            // Only the index range that holds this cell's points is read, into pooled buffers.
            int n = i1 - i0 + 1;
            var values = new double[columns.Length][];
            double[]? quality = null;
            try
            {
                for (int c = 0; c < columns.Length; c++)
                {
                    values[c] = ArrayPool<double>.Shared.Rent(n);
                    await ReadRangeAsync(h5, Path(ds.Variables[columns[c]]), i0, cells.Length, values[c].AsMemory(0, n), ct).ConfigureAwait(false);
                }
                if (ds.QualityFilter is { } qf)
                {
                    quality = ArrayPool<double>.Shared.Rent(n);
                    await ReadRangeAsync(h5, Path(qf.Dataset), i0, cells.Length, quality.AsMemory(0, n), ct).ConfigureAwait(false);
                }
                gathered.Add(cells.AsSpan(i0, n), parent, shift, firstChild, values, quality, ds.QualityFilter?.Value ?? 0);
            }
            finally
            {
                foreach (var v in values)
                    if (v is not null) ArrayPool<double>.Shared.Return(v);
                if (quality is not null) ArrayPool<double>.Shared.Return(quality);
            }
        }
    }

    /// <summary>The child cell of every point of a group (−1 for a position that is not one), or null when the group is missing.</summary>
    private async Task<long[]?> LocateAsync(Hdf5File h5, string latPath, string lonPath, CancellationToken ct)
    {
        if (await h5.TryGetAsync(latPath, ct).ConfigureAwait(false) is not Hdf5Dataset latDs) return null;
        var lonDs = await h5.GetDatasetAsync(lonPath, ct).ConfigureAwait(false);
        if (latDs.Shape.Length != 1 || lonDs.Shape.Length != 1 || latDs.Shape[0] != lonDs.Shape[0])
            throw new InvalidDataException($"{latPath} and {lonPath} are not 1-D of one length");
        int n = checked((int)latDs.Shape[0]);
        double[] lat = ArrayPool<double>.Shared.Rent(n), lon = ArrayPool<double>.Shared.Rent(n);
        try
        {
            await latDs.ReadAsync(lat.AsMemory(0, n), 0, n, ct).ConfigureAwait(false);
            await lonDs.ReadAsync(lon.AsMemory(0, n), 0, n, ct).ConfigureAwait(false);
            var cells = new long[n];
            GeoGrid.Locate(lat.AsSpan(0, n), lon.AsSpan(0, n), config.Grid.ChildOrder, config.Grid.Latitude, cells);
            return cells;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(lat);
            ArrayPool<double>.Shared.Return(lon);
        }
    }

    /// <summary>Reads a dataset's rows [start, start + output.Length) as numbers, after checking it runs along the coordinates.</summary>
    private static async Task ReadRangeAsync(Hdf5File h5, string path, long start, long length, Memory<double> output, CancellationToken ct)
    {
        var d = await h5.GetDatasetAsync(path, ct).ConfigureAwait(false);
        if (d.Shape.Length != 1 || d.Shape[0] != length)
            throw new InvalidDataException($"{path} has shape ({string.Join(", ", d.Shape)}), the coordinates ({length})");
        await d.ReadAsync(output, start, start + output.Length, ct).ConfigureAwait(false);
    }

    /// <summary>Bins the points by child with one counting sort, then computes each variable per child.</summary>
    private Dictionary<string, byte[]> Statistics(Gathered g, string[] columns, out int cellsWithData)
    {
        int children = 1 << (2 * _depth);
        var start = new int[children + 1];
        for (int i = 0; i < g.Count; i++) start[g.Child[i] + 1]++;
        for (int c = 0; c < children; c++) start[c + 1] += start[c];
        var sorted = new double[columns.Length][];
        for (int k = 0; k < columns.Length; k++) sorted[k] = ArrayPool<double>.Shared.Rent(Math.Max(1, g.Count));
        try { return Statistics(g, columns, start, sorted, out cellsWithData); }
        finally
        {
            foreach (var column in sorted) ArrayPool<double>.Shared.Return(column);
        }
    }

    /// <summary>Each variable per child, over the points sorted by child (child c's are [start[c], start[c + 1])).</summary>
    private Dictionary<string, byte[]> Statistics(Gathered g, string[] columns, int[] start, double[][] sorted, out int cellsWithData)
    {
        int children = start.Length - 1;
        var cursor = (int[])start.Clone();
        for (int i = 0; i < g.Count; i++)
        {
            int at = cursor[g.Child[i]]++;
            for (int k = 0; k < columns.Length; k++) sorted[k][at] = g.Values[k][i];
        }
        var index = new Dictionary<string, int>();
        for (int k = 0; k < columns.Length; k++) index[columns[k]] = k;

        var chunks = new Dictionary<string, byte[]>();
        foreach (var v in config.Variables) chunks[v.Name] = Filled(v.DataType, v.FillValue ?? (v.DataType.IsFloat() ? v.DataType.Fill(double.NaN) : v.DataType.Fill(0)), children);
        cellsWithData = 0;
        // Expressions and weights, evaluated once for the whole cell (segments are children).
        using var segmented = new SegmentedEvaluator(sorted, index, start, g.Count);
        var perChild = new Dictionary<string, double[]>();
        var weights = new Dictionary<string, SegmentedEvaluator.Segmented>();
        foreach (var v in config.Variables)
        {
            if (v.Expression is not null)
            {
                var r = segmented.Evaluate(v.Expression);
                perChild[v.Name] = r.PerChild ?? Enumerable.Repeat(r.Scalar, children).ToArray();
            }
            else if (v.Function == "average" && v.Parameters.TryGetValue("weights", out var w))
                weights[v.Name] = segmented.Evaluate(w);
        }
        var orderStats = new double[columns.Length][];
        var selected = new bool[columns.Length];
        var hasNaN = new bool[columns.Length];
        // Per column, the medians (true) and quantiles (q) the configuration asks of it.
        var orderSpecs = new List<(bool Median, double Q)>[columns.Length];
        var rankList = new List<int>[columns.Length];
        for (int k = 0; k < columns.Length; k++) { orderSpecs[k] = []; rankList[k] = []; }
        foreach (var v in config.Variables)
            if (v.Expression is null && v.Function is "median" or "quantile")
                orderSpecs[index[v.SourceColumn!]].Add((v.Function == "median", v.Function == "quantile" ? ((NumberExpr)v.Parameters["q"]).Value : 0.5));
        for (int c = 0; c < children; c++)
        {
            int from = start[c], n = start[c + 1] - from;
            if (n == 0) continue;
            cellsWithData++;
            Array.Clear(selected);
            foreach (var v in config.Variables)
            {
                double value;
                if (v.Expression is not null) value = perChild[v.Name][c];
                else
                {
                    int k = index[v.SourceColumn!];
                    var x = sorted[k].AsSpan(from, n);
                    value = v.Function switch
                    {
                        "len" or "count" => n,
                        "min" => Aggregation.Statistics.Min(x),
                        "max" => Aggregation.Statistics.Max(x),
                        "sum" => Aggregation.Statistics.Sum(x),
                        "mean" => Aggregation.Statistics.Mean(x),
                        "var" => Aggregation.Statistics.Variance(x),
                        "std" => Aggregation.Statistics.StandardDeviation(x),
                        // A NaN among the values gives NaN, as NumPy does.
                        "median" => OrderStatistics(k, x) ? Aggregation.Statistics.MedianOf(n, Rank(k, (n - 1) / 2), Rank(k, n / 2)) : double.NaN,
                        "quantile" => OrderStatistics(k, x) ? Quantile(k, n, ((NumberExpr)v.Parameters["q"]).Value) : double.NaN,
                        "average" => weights.TryGetValue(v.Name, out var w) ? Weighted(x, w, from, n, c) : Aggregation.Statistics.Mean(x),
                        _ => throw new InvalidOperationException(v.Function),
                    };
                }
                Write(chunks[v.Name], v.DataType, c, value);
            }

            // Every order statistic a child's column needs (the ranks of its medians and quantiles), selected once
            // into orderStats[k] (rank r at index r); false when a value is NaN.
            bool OrderStatistics(int k, ReadOnlySpan<double> x)
            {
                if (selected[k]) return !hasNaN[k];
                selected[k] = true;
                hasNaN[k] = HasNaN(x);
                if (hasNaN[k]) return false;
                var buffer = orderStats[k] is { } b && b.Length >= n ? b : orderStats[k] = new double[Math.Max(n, 64)];
                x.CopyTo(buffer);
                var values = buffer.AsSpan(0, n);
                var ranks = rankList[k];
                ranks.Clear();
                foreach (var (median, q) in orderSpecs[k])
                {
                    if (median) { ranks.Add((n - 1) / 2); ranks.Add(n / 2); }
                    else
                    {
                        var (below, above, _) = Aggregation.Statistics.QuantileRanks(n, q);
                        ranks.Add(below);
                        ranks.Add(above);
                    }
                }
                ranks.Sort();
                Aggregation.Statistics.SelectRanks(values, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ranks));
                return true;
            }

            double Rank(int k, int r) => orderStats[k][r];

            double Quantile(int k, int count, double q)
            {
                var (below, above, gamma) = Aggregation.Statistics.QuantileRanks(count, q);
                return Aggregation.Statistics.QuantileOf(Rank(k, below), Rank(k, above), gamma);
            }
        }
        return chunks;
    }

    private static bool HasNaN(ReadOnlySpan<double> x)
    {
        foreach (double v in x)
            if (double.IsNaN(v)) return true;
        return false;
    }

    /// <summary>The weighted average of a child; weights per point, or one weight (then the plain mean).</summary>
    private static double Weighted(ReadOnlySpan<double> x, SegmentedEvaluator.Segmented w, int from, int n, int child)
        => w.PerPoint is { } p ? Aggregation.Statistics.WeightedAverage(x, p.AsSpan(from, n)) : Aggregation.Statistics.Mean(x);

    private static byte[] Filled(ZarrDataType type, byte[] fill, int count)
    {
        var chunk = new byte[count * type.Size()];
        if (fill.AsSpan().IndexOfAnyExcept((byte)0) < 0) return chunk;
        switch (fill.Length)
        {
            case 1: chunk.AsSpan().Fill(fill[0]); break;
            case 2: MemoryMarshal.Cast<byte, ushort>(chunk.AsSpan()).Fill(MemoryMarshal.Read<ushort>(fill)); break;
            case 4: MemoryMarshal.Cast<byte, uint>(chunk.AsSpan()).Fill(MemoryMarshal.Read<uint>(fill)); break;
            case 8: MemoryMarshal.Cast<byte, ulong>(chunk.AsSpan()).Fill(MemoryMarshal.Read<ulong>(fill)); break;
            default:
                for (int i = 0; i < chunk.Length; i += fill.Length) fill.CopyTo(chunk, i);
                break;
        }
        return chunk;
    }

    /// <summary>Stores a float64 result in the variable's dtype (integers truncate, as NumPy's astype; non-finite integers keep the fill).</summary>
    private static void Write(byte[] chunk, ZarrDataType type, int child, double v)
    {
        var slot = chunk.AsSpan(child * type.Size(), type.Size());
        if (!type.IsFloat() && !double.IsFinite(v)) return;
        switch (type)
        {
            case ZarrDataType.Float32: BinaryPrimitives.WriteSingleLittleEndian(slot, (float)v); break;
            case ZarrDataType.Float64: BinaryPrimitives.WriteDoubleLittleEndian(slot, v); break;
            case ZarrDataType.Bool: slot[0] = v != 0 ? (byte)1 : (byte)0; break;
            case ZarrDataType.UInt64: BinaryPrimitives.WriteUInt64LittleEndian(slot, (ulong)v); break;
            default:
                long l = (long)v;
                for (int i = 0; i < slot.Length; i++) slot[i] = (byte)(l >> (8 * i));
                break;
        }
    }

    /// <summary>The kept points, struct of arrays in pooled buffers: child index and one column per variable.</summary>
    private sealed class Gathered(int columns) : IDisposable
    {
        public int[] Child = ArrayPool<int>.Shared.Rent(1024);
        public double[][] Values = Enumerable.Range(0, columns).Select(_ => ArrayPool<double>.Shared.Rent(1024)).ToArray();
        public int Count;

        /// <summary>
        /// Adds the points of a group's index range that lie in the parent cell and pass the quality
        /// filter (<paramref name="quality"/> null: no filter); <paramref name="values"/> run along the range.
        /// </summary>
        public void Add(ReadOnlySpan<long> cells, long parent, int shift, long firstChild, double[][] values, double[]? quality, double good)
        {
            Reserve(Count + cells.Length);
            int at = Count;
            var child = Child;
            for (int i = 0; i < cells.Length; i++)
            {
                long cell = cells[i];
                if (cell < 0 || cell >> shift != parent) continue;
                if (quality is not null && quality[i] != good) continue;
                child[at] = (int)(cell - firstChild);
                for (int k = 0; k < values.Length; k++) Values[k][at] = values[k][i];
                at++;
            }
            Count = at;
        }

        private void Reserve(int needed)
        {
            if (needed <= Child.Length) return;
            int size = Math.Max(needed, 2 * Child.Length);
            Child = Grow(Child, size, Count);
            for (int k = 0; k < Values.Length; k++) Values[k] = Grow(Values[k], size, Count);
        }

        private static T[] Grow<T>(T[] old, int size, int keep)
        {
            var bigger = ArrayPool<T>.Shared.Rent(size);
            old.AsSpan(0, keep).CopyTo(bigger);
            ArrayPool<T>.Shared.Return(old);
            return bigger;
        }

        public void Dispose()
        {
            ArrayPool<int>.Shared.Return(Child);
            foreach (var v in Values) ArrayPool<double>.Shared.Return(v);
        }
    }

    /// <summary>
    /// Each granule group's located points, shared by the cells of a run and bounded by a total
    /// number of points (oldest entries go first when it is exceeded).
    /// </summary>
    private sealed class LocatedCells(long maxPoints)
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<(string, string), Lazy<Task<long[]?>>> _entries = new();
        private readonly System.Collections.Concurrent.ConcurrentQueue<(string, string)> _order = new();
        private long _points;

        public async Task<long[]?> GetAsync((string Url, string Group) key, Func<Task<long[]?>> locate)
        {
            var lazy = _entries.GetOrAdd(key, _ => new Lazy<Task<long[]?>>(locate));
            bool created = !lazy.IsValueCreated;
            long[]? cells;
            try { cells = await lazy.Value.ConfigureAwait(false); }
            catch
            {
                _entries.TryRemove(key, out _); // a failed read is not remembered
                throw;
            }
            if (created && cells is not null)
            {
                _order.Enqueue(key);
                if (Interlocked.Add(ref _points, cells.Length) > maxPoints)
                    while (Interlocked.Read(ref _points) > maxPoints / 2 && _order.TryDequeue(out var old))
                        if (_entries.TryRemove(old, out var gone) && gone.IsValueCreated && gone.Value.IsCompletedSuccessfully && gone.Value.Result is { } g)
                            Interlocked.Add(ref _points, -g.Length);
            }
            return cells;
        }
    }

    /// <summary>
    /// Open granules shared by the cells of a run: leased while a cell reads one, the least
    /// recently used idle one closed when more than <paramref name="capacity"/> are open.
    /// </summary>
    private sealed class OpenGranules(int capacity)
    {
        internal sealed class Entry(Task<Hdf5File> file)
        {
            public readonly Task<Hdf5File> File = file;
            public int Users;
            public long LastUse;
            private long _reported;

            /// <summary>Adds what the file fetched since the last report to the bytes-read counter (each byte once).</summary>
            public void ReportBytes(Hdf5File h5)
            {
                long now = h5.Statistics.Bytes, before;
                while (now > (before = Interlocked.Read(ref _reported)))
                    if (Interlocked.CompareExchange(ref _reported, now, before) == before)
                    {
                        PipelineTelemetry.BytesRead.Add(now - before);
                        return;
                    }
            }
        }

        private readonly Dictionary<string, Entry> _entries = [];
        private long _clock;

        internal sealed class Lease(OpenGranules owner, string url, Entry entry, Hdf5File file) : IDisposable
        {
            public Hdf5File File => file;
            public void Dispose()
            {
                entry.ReportBytes(file);
                owner.Release(url, entry);
            }
        }

        public async Task<Lease> AcquireAsync(string url, Func<Task<Hdf5File>> open)
        {
            Entry entry;
            lock (_entries)
            {
                if (!_entries.TryGetValue(url, out entry!)) _entries[url] = entry = new Entry(open());
                entry.Users++;
                entry.LastUse = ++_clock;
            }
            try { return new Lease(this, url, entry, await entry.File.ConfigureAwait(false)); }
            catch
            {
                lock (_entries)
                {
                    entry.Users--;
                    if (_entries.TryGetValue(url, out var e) && e == entry) _entries.Remove(url); // a failed open is not remembered
                }
                throw;
            }
        }

        private void Release(string url, Entry entry)
        {
            List<Task<Hdf5File>>? close = null;
            lock (_entries)
            {
                entry.Users--;
                while (_entries.Count > capacity)
                {
                    var idle = _entries.Where(e => e.Value.Users == 0).OrderBy(e => e.Value.LastUse).FirstOrDefault();
                    if (idle.Value is null) break;
                    _entries.Remove(idle.Key);
                    (close ??= []).Add(idle.Value.File);
                }
            }
            if (close is not null)
                foreach (var f in close)
                    if (f.IsCompletedSuccessfully) f.Result.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        /// <summary>Closes every granule (at the end of a run).</summary>
        public async ValueTask CloseAllAsync()
        {
            List<Task<Hdf5File>> all;
            lock (_entries)
            {
                all = _entries.Values.Select(e => e.File).ToList();
                _entries.Clear();
            }
            foreach (var f in all)
                if (f.IsCompletedSuccessfully) await f.Result.DisposeAsync().ConfigureAwait(false);
        }
    }
}
