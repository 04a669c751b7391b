using Zagg.Hdf5.Format;
using Zagg.Hdf5.IO;

namespace Zagg.Hdf5.Chunks;

/// <summary>Rows [<paramref name="Start"/>, <paramref name="Stop"/>) of the first dimension of a dataset, which a reader is about to read.</summary>
public readonly record struct DatasetRows(Hdf5Dataset Dataset, long Start, long Stop);

/// <summary>
/// Reads many row ranges of many datasets, of any number of files, at once: the stored chunks they need are computed
/// up front from the datasets' chunk indexes (those lookups — B-tree, fixed or extensible array reads — run
/// concurrently too), merged per file into byte ranges across gaps up to each file's <see cref="Hdf5File.CoalesceGap"/>
/// (latency × bandwidth, measured, for a remote source) shared among the requests that run at once, and fetched
/// concurrently, at most
/// <c>maxConcurrentRequests</c> at once (and under the source's own bound, <see cref="RemoteAccess.MaxConcurrentRequests"/>).
/// The fetched chunks are held, still filtered, until the prefetch is disposed; meanwhile
/// <see cref="Hdf5Dataset.ReadAsync{T}(Memory{T}, long, long, CancellationToken)"/> and the other reads of those rows
/// decode them from memory instead of asking the source, so a caller keeps its simple read-after-read code and pays
/// the network's latency about once instead of once per read.
/// </summary>
/// <remarks>
/// A prefetch is an optimisation, never a source of truth: a chunk index or a range it cannot read (a damaged file, a
/// refused or failing source) is left out, and the read that needs it asks the source itself and meets the error
/// there, with its usual message and retries. Chunks already held by the file's decoded-chunk cache, and chunks
/// another prefetch holds, are not fetched again. Only the bytes of chunked datasets are fetched; contiguous and
/// compact ones are read as before.
/// </remarks>
public sealed class ChunkPrefetch : IDisposable
{
    private readonly List<(Hdf5File File, ulong Address, ReadOnlyMemory<byte> Bytes)> _held = [];
    private int _requests, _failed;
    private long _bytes;

    private ChunkPrefetch() { }

    /// <summary>Stored chunks held for reads.</summary>
    public int Chunks { get { lock (_held) return _held.Count; } }

    /// <summary>Bytes of the stored chunks held (what the reads need; <see cref="Bytes"/> adds the gaps merged across).</summary>
    public long ChunkBytes { get { lock (_held) { long sum = 0; foreach (var h in _held) sum += h.Bytes.Length; return sum; } } }

    /// <summary>Requests made: one per coalesced byte range.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Bytes fetched, gaps between merged chunks included.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Chunk indexes and ranges that could not be read (left for the reads to meet).</summary>
    public int Failed => Volatile.Read(ref _failed);

    /// <summary>
    /// Fetches the stored chunks that rows of <paramref name="reads"/> need and holds them until disposed.
    /// </summary>
    /// <param name="reads">The rows about to be read (a dataset may appear many times).</param>
    /// <param name="maxConcurrentRequests">At most this many ranges (and chunk-index lookups) in flight at once (≥ 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">Rows outside a dataset, or <paramref name="maxConcurrentRequests"/> &lt; 1.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled.</exception>
    public static async Task<ChunkPrefetch> FetchAsync(IEnumerable<DatasetRows> reads, int maxConcurrentRequests = 32, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(reads);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrentRequests, 1);
        var prefetch = new ChunkPrefetch();
        var wanted = new List<DatasetRows>();
        var datasets = new List<Hdf5Dataset>();
        var seen = new HashSet<Hdf5Dataset>(ReferenceEqualityComparer.Instance);
        foreach (var r in reads)
        {
            long rows = r.Dataset.Shape is [var n, ..] ? n : 1;
            if (r.Start < 0 || r.Start > r.Stop || r.Stop > rows)
                throw new ArgumentOutOfRangeException(nameof(reads), $"rows {r.Start}–{r.Stop} are outside {r.Dataset.Path}'s {rows} rows");
            if (r.Start == r.Stop || r.Dataset.ChunkShape is null) continue;
            wanted.Add(r);
            if (seen.Add(r.Dataset)) datasets.Add(r.Dataset);
        }
        if (wanted.Count == 0) return prefetch;

        // The chunk indexes, concurrently (each dataset's list is read once and kept by the dataset).
        var lists = new Dictionary<Hdf5Dataset, List<ChunkRef>>(ReferenceEqualityComparer.Instance);
        await Parallel.ForEachAsync(datasets, new ParallelOptions { MaxDegreeOfParallelism = maxConcurrentRequests, CancellationToken = ct }, async (d, c) =>
        {
            try
            {
                var list = await d.ChunkListAsync(c).ConfigureAwait(false);
                lock (lists) lists[d] = list;
            }
            catch (Exception e) when (IsReadFailure(e)) { Interlocked.Increment(ref prefetch._failed); }
        }).ConfigureAwait(false);

        var ranges = Plan(wanted, lists, maxConcurrentRequests);
        await Parallel.ForEachAsync(ranges, new ParallelOptions { MaxDegreeOfParallelism = maxConcurrentRequests, CancellationToken = ct }, async (range, c) =>
        {
            var buffer = new byte[checked((int)(range.End - range.Start))];
            try { await range.File.Context.Source.ReadAsync((long)range.Start, buffer, c).ConfigureAwait(false); }
            catch (Exception e) when (IsReadFailure(e))
            {
                Interlocked.Increment(ref prefetch._failed);
                return;
            }
            Interlocked.Increment(ref prefetch._requests);
            Interlocked.Add(ref prefetch._bytes, buffer.Length);
            foreach (var chunk in range.Chunks)
            {
                var bytes = buffer.AsMemory((int)(chunk.Address - range.Start), (int)chunk.Size);
                if (!range.File.TryAddPrefetched(chunk.Address, bytes)) continue;
                lock (prefetch._held) prefetch._held.Add((range.File, chunk.Address, bytes));
            }
        }).ConfigureAwait(false);
        return prefetch;
    }

    /// <summary>
    /// The gaps merged into a file's ranges sum to at most 1/<see cref="MaxWasteDenominator"/> of the bytes of its wanted
    /// chunks (a quarter; the smallest gaps are merged first): however cheap latency × bandwidth says a gap is, a
    /// prefetch reads at most 1.25× the bytes it needs.
    /// </summary>
    public const int MaxWasteDenominator = 4;

    /// <summary>
    /// The byte ranges to fetch: per file, the chunks the rows need, by address, merged across the file's gap shared by
    /// the requests that run at once (<see cref="CoalesceGapEstimator.ForConcurrent"/>), smallest gaps first while the
    /// gaps merged stay within a quarter of the chunks' bytes (<see cref="MaxWasteDenominator"/>).
    /// </summary>
    private static List<(Hdf5File File, ulong Start, ulong End, List<ChunkRef> Chunks)> Plan(List<DatasetRows> wanted, Dictionary<Hdf5Dataset, List<ChunkRef>> lists, int concurrency)
    {
        var perFile = new Dictionary<Hdf5File, Dictionary<ulong, ChunkRef>>(ReferenceEqualityComparer.Instance);
        foreach (var (d, start, stop) in wanted)
        {
            if (!lists.TryGetValue(d, out var list)) continue;
            var file = d.File;
            long c0 = d.ChunkShape![0], rows = d.Shape[0];
            if (!perFile.TryGetValue(file, out var chunks)) perFile[file] = chunks = [];
            foreach (var c in list)
            {
                if (c.Address == H5Reader.Undefined || c.Size == 0 || c.Offset[0] >= stop || c.Offset[0] + c0 <= start) continue;
                if (file.Prefetched.ContainsKey(c.Address)) continue;
                // A chunk these rows use in part may be decoded in the cache already (the neighbouring cell read it).
                bool partial = c.Offset[0] < start || Math.Min(c.Offset[0] + c0, rows) > stop;
                if (partial && file.ChunkCache?.Contains(file, c.Address) == true) continue;
                if (c.Address >= file.Context.EndOfAllocation || c.Size > file.Context.EndOfAllocation - c.Address) continue; // the read reports it
                chunks.TryAdd(c.Address, c);
            }
        }
        var ranges = new List<(Hdf5File, ulong, ulong, List<ChunkRef>)>();
        foreach (var (file, chunks) in perFile)
        {
            if (chunks.Count == 0) continue;
            var sorted = new List<ChunkRef>(chunks.Values);
            sorted.Sort(static (a, b) => a.Address.CompareTo(b.Address));
            // The gaps worth merging across, smallest first, while their sum stays within the file's waste budget.
            ulong gap = (ulong)CoalesceGapEstimator.ForConcurrent(file.CoalesceGap, concurrency);
            ulong used = 0;
            foreach (var c in sorted) used += c.Size;
            var holes = new List<(ulong Size, int After)>();
            ulong end = sorted[0].Address + sorted[0].Size;
            for (int i = 1; i < sorted.Count; i++)
            {
                ulong hole = sorted[i].Address > end ? sorted[i].Address - end : 0;
                if (hole <= gap) holes.Add((hole, i - 1));
                end = Math.Max(end, sorted[i].Address + sorted[i].Size);
            }
            holes.Sort(static (x, y) => x.Size.CompareTo(y.Size));
            var merge = new bool[sorted.Count];
            ulong budget = used / MaxWasteDenominator, spent = 0;
            foreach (var (size, after) in holes)
            {
                if (spent + size > budget) break;
                spent += size;
                merge[after] = true;
            }
            var run = new List<ChunkRef> { sorted[0] };
            ulong from = sorted[0].Address, to = sorted[0].Address + sorted[0].Size;
            for (int i = 1; i < sorted.Count; i++)
            {
                var c = sorted[i];
                ulong next = Math.Max(to, c.Address + c.Size);
                if (merge[i - 1] && next - from <= int.MaxValue)
                {
                    run.Add(c);
                    to = next;
                    continue;
                }
                ranges.Add((file, from, to, run));
                run = [c];
                from = c.Address;
                to = c.Address + c.Size;
            }
            ranges.Add((file, from, to, run));
        }
        return ranges;
    }

    /// <summary>A failure a read would meet and report itself (not a cancellation, not a bug).</summary>
    private static bool IsReadFailure(Exception e) => e is Hdf5Exception or IOException or HttpRequestException or InvalidDataException;

    /// <summary>Forgets the held chunks: later reads ask the source again.</summary>
    public void Dispose()
    {
        lock (_held)
        {
            foreach (var (file, address, bytes) in _held) file.RemovePrefetched(address, bytes);
            _held.Clear();
        }
    }
}
