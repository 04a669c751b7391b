using System.Collections.Concurrent;

namespace Zagg.Pipeline.Aggregation;

/// <summary>
/// A granule group's source columns over rows [<see cref="First"/>, <see cref="First"/> + <see cref="Length"/>), as
/// read for a cell: each variable in its source dtype (float32 as float, anything else as double) and the quality
/// filter's verdict per row (null: no filter). Values of a group whose points lie in more than one parent cell are
/// read whole and shared by those cells (<see cref="SharedGroups"/>): their arrays are never pooled or changed. A
/// group of one cell is read over that cell's rows into pooled arrays, given back by <see cref="Dispose"/>.
/// </summary>
internal sealed class GroupValues(int first, int length, int columns, bool pooled) : IDisposable
{
    /// <summary>The first row held.</summary>
    public int First => first;

    /// <summary>The rows held.</summary>
    public int Length => length;

    /// <summary>Whether the arrays came from <see cref="CellBuffers"/> (a cell's own, given back on dispose).</summary>
    public bool Pooled => pooled;

    /// <summary>Per column: its float32 values, or null when the source is not float32.</summary>
    public readonly float[]?[] Singles = new float[]?[columns];

    /// <summary>Per column: its values as float64, or null when the source is float32.</summary>
    public readonly double[]?[] Doubles = new double[]?[columns];

    /// <summary>Per row: whether it passes the quality filter; null when there is none.</summary>
    public bool[]? Pass;

    /// <summary>The bytes held.</summary>
    public long Bytes
    {
        get
        {
            long bytes = Pass?.Length ?? 0;
            for (int k = 0; k < Singles.Length; k++) bytes += sizeof(float) * (long)(Singles[k]?.Length ?? 0) + sizeof(double) * (long)(Doubles[k]?.Length ?? 0);
            return bytes;
        }
    }

    /// <summary>A copy of rows [<paramref name="from"/>, from + <paramref name="n"/>) (absolute rows) in arrays of its own, never pooled.</summary>
    public GroupValues Slice(int from, int n)
    {
        var slice = new GroupValues(from, n, Singles.Length, pooled: false);
        int at = from - first;
        for (int k = 0; k < Singles.Length; k++)
        {
            if (Singles[k] is { } s) slice.Singles[k] = s.AsSpan(at, n).ToArray();
            if (Doubles[k] is { } d) slice.Doubles[k] = d.AsSpan(at, n).ToArray();
        }
        if (Pass is { } p) slice.Pass = p.AsSpan(at, n).ToArray();
        return slice;
    }

    /// <summary>An array of <paramref name="n"/> values: pooled for a cell's own values, else its own.</summary>
    public T[] Allocate<T>(int n) => pooled ? CellBuffers.Rent<T>(n) : GC.AllocateUninitializedArray<T>(n);

    public void Dispose()
    {
        if (!pooled) return;
        for (int k = 0; k < Singles.Length; k++)
        {
            if (Singles[k] is { } s) CellBuffers.Return(s);
            if (Doubles[k] is { } d) CellBuffers.Return(d);
            Singles[k] = null;
            Doubles[k] = null;
        }
        if (Pass is { } p) CellBuffers.Return(p);
        Pass = null;
    }
}

/// <summary>
/// The values of granule groups whose points lie in several parent cells, read and decoded once for all of them: the
/// first cell to take a group reads it whole for itself and leaves here only the rows the other cells' points lie
/// between (<see cref="GroupValues.Slice"/>); each entry is dropped once as many cells as its group's points lie in
/// have taken it, and, should some of those cells never come here (another worker's, a selection's), the oldest
/// entries go past <paramref name="maxBytes"/>. Without it, each cell decoded again the chunks it shares with its
/// neighbours (a dense catalog's cells share most of their granules), and reopened the granule to do so.
/// </summary>
internal sealed class SharedGroups(long maxBytes)
{
    private sealed class Entry(int uses)
    {
        public readonly TaskCompletionSource<GroupValues> Values = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Uses = uses;
    }

    private readonly ConcurrentDictionary<(string, string), Entry> _entries = new();
    private readonly ConcurrentQueue<(string, string)> _order = new();
    private long _bytes, _peak;

    /// <summary>Bytes held now.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>The most bytes held at once so far.</summary>
    public long PeakBytes => Interlocked.Read(ref _peak);

    /// <summary>
    /// The group's values for one of the <paramref name="uses"/> parent cells its points lie in. The first cell to ask
    /// runs <paramref name="read"/>: its own values (the caller's to dispose) and the part to keep for the others;
    /// the others get that part (never pooled: dispose does nothing), the entry dropped at the last of them.
    /// </summary>
    public async Task<GroupValues> TakeAsync((string Url, string Group) key, int uses, Func<Task<(GroupValues Own, GroupValues Others)>> read)
    {
        var mine = new Entry(uses);
        var entry = _entries.GetOrAdd(key, mine);
        if (ReferenceEquals(entry, mine))
        {
            GroupValues own, others;
            try { (own, others) = await read().ConfigureAwait(false); }
            catch (Exception e)
            {
                _entries.TryRemove(new KeyValuePair<(string, string), Entry>(key, entry)); // a failed read is not remembered
                entry.Values.SetException(e);
                throw;
            }
            _order.Enqueue(key);
            long held = Interlocked.Add(ref _bytes, others.Bytes);
            for (long peak; held > (peak = Interlocked.Read(ref _peak));)
                if (Interlocked.CompareExchange(ref _peak, held, peak) == peak) break;
            if (held > maxBytes)
                while (Interlocked.Read(ref _bytes) > maxBytes / 2 && _order.TryDequeue(out var old))
                    if (!old.Equals(key)) Drop(old);
            entry.Values.SetResult(others);
            Release(key, entry);
            return own;
        }
        var values = await entry.Values.Task.ConfigureAwait(false);
        Release(key, entry);
        return values;
    }

    /// <summary>Whether the group's values are held (read or being read).</summary>
    public bool Contains((string Url, string Group) key) => _entries.ContainsKey(key);

    private void Release((string, string) key, Entry entry)
    {
        if (Interlocked.Decrement(ref entry.Uses) <= 0) Drop(key, entry);
    }

    private void Drop((string, string) key)
    {
        if (_entries.TryGetValue(key, out var entry)) Drop(key, entry);
    }

    /// <summary>Drops an entry whose read has completed (one still being read counts its bytes when it completes).</summary>
    private void Drop((string, string) key, Entry entry)
    {
        if (entry.Values.Task.IsCompletedSuccessfully && _entries.TryRemove(new KeyValuePair<(string, string), Entry>(key, entry)))
            Interlocked.Add(ref _bytes, -entry.Values.Task.Result.Bytes);
    }
}
