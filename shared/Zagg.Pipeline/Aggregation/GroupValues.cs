using System.Collections.Concurrent;

namespace Zagg.Pipeline.Aggregation;

/// <summary>
/// A granule group's source columns over rows [<see cref="First"/>, <see cref="First"/> + <see cref="Length"/>), as
/// read for a cell: each variable in its source dtype (float32 as float, anything else as double) and the quality
/// filter's verdict per row (null: no filter); row r is at index r − <see cref="Base"/> of the arrays. Values of a
/// group whose points lie in more than one parent cell are read whole once, and the other cells get views of the same
/// arrays (<see cref="View"/>, <see cref="TryShare"/>: <see cref="SharedGroups"/>) rather than copies; the arrays are
/// never changed once read, and pooled ones go back to <see cref="CellBuffers"/> when the last view of them is disposed.
/// A whole group's arrays, which outlive the cell that read them, are not from the shared pool: they live on the pinned
/// object heap, where no collection copies them (from the shared pool, a sparse catalog's many held groups drained it, and
/// each new array was copied by the gen-0 and gen-1 collections that promoted it), and go back to <see cref="PinnedBuffers"/>
/// with the last view of them, for a later group to reuse rather than allocate anew.
/// </summary>
internal sealed class GroupValues : IDisposable
{
    /// <summary>The arrays, shared by a group's views, and how many views hold them.</summary>
    private sealed class Arrays(int origin, int columns, bool pooled)
    {
        public readonly int Origin = origin;
        public readonly bool Pooled = pooled;
        public readonly float[]?[] Singles = new float[]?[columns];
        public readonly double[]?[] Doubles = new double[]?[columns];
        public bool[]? Pass;
        public int References = 1;

        public bool TryAddReference()
        {
            for (int r; (r = Volatile.Read(ref References)) > 0;)
                if (Interlocked.CompareExchange(ref References, r + 1, r) == r) return true;
            return false;
        }

        public void Release()
        {
            if (Interlocked.Decrement(ref References) != 0) return;
            for (int k = 0; k < Singles.Length; k++)
            {
                if (Singles[k] is { } s) Return(s);
                if (Doubles[k] is { } d) Return(d);
                Singles[k] = null;
                Doubles[k] = null;
            }
            if (Pass is { } p) Return(p);
            Pass = null;
        }

        private void Return<T>(T[] array) where T : unmanaged
        {
            if (Pooled) CellBuffers.Return(array);
            else PinnedBuffers.Return(array);
        }
    }

    private readonly Arrays _arrays;
    private int _disposed;

    /// <summary>Values of rows [<paramref name="first"/>, first + <paramref name="length"/>), to be read into arrays from <see cref="Allocate{T}"/>.</summary>
    /// <param name="first">The first row held, at index 0 of the arrays.</param>
    /// <param name="length">The rows held.</param>
    /// <param name="columns">The source columns.</param>
    /// <param name="pooled">Whether the arrays come from <see cref="CellBuffers"/>, else from <see cref="PinnedBuffers"/> (the pinned object heap); either way they go back when the last view is disposed.</param>
    public GroupValues(int first, int length, int columns, bool pooled)
    {
        _arrays = new Arrays(first, columns, pooled);
        First = first;
        Length = length;
    }

    private GroupValues(Arrays arrays, int first, int length)
    {
        _arrays = arrays;
        First = first;
        Length = length;
    }

    /// <summary>The first row held.</summary>
    public int First { get; }

    /// <summary>The rows held.</summary>
    public int Length { get; }

    /// <summary>The row at index 0 of the arrays (≤ <see cref="First"/>).</summary>
    public int Base => _arrays.Origin;

    /// <summary>Whether the arrays came from <see cref="CellBuffers"/>.</summary>
    public bool Pooled => _arrays.Pooled;

    /// <summary>Per column: its float32 values, or null when the source is not float32.</summary>
    public float[]?[] Singles => _arrays.Singles;

    /// <summary>Per column: its values as float64, or null when the source is float32.</summary>
    public double[]?[] Doubles => _arrays.Doubles;

    /// <summary>Per row: whether it passes the quality filter; null when there is none.</summary>
    public bool[]? Pass
    {
        get => _arrays.Pass;
        set => _arrays.Pass = value;
    }

    /// <summary>The bytes of the arrays this view keeps alive (the whole group's when it is a view of a whole read).</summary>
    public long Bytes
    {
        get
        {
            long bytes = Pass?.Length ?? 0;
            for (int k = 0; k < Singles.Length; k++) bytes += sizeof(float) * (long)(Singles[k]?.Length ?? 0) + sizeof(double) * (long)(Doubles[k]?.Length ?? 0);
            return bytes;
        }
    }

    /// <summary>
    /// Rows [<paramref name="from"/>, from + <paramref name="n"/>) (absolute rows, within these) as a view of the same
    /// arrays, without copying; its own to dispose.
    /// </summary>
    public GroupValues View(int from, int n)
    {
        if (from < First || n < 0 || from + n > First + Length) throw new ArgumentOutOfRangeException(nameof(from), $"rows [{from}, {from + n}) are not within [{First}, {First + Length})");
        if (!_arrays.TryAddReference()) throw new ObjectDisposedException(nameof(GroupValues));
        return new GroupValues(_arrays, from, n);
    }

    /// <summary>Another view of the same rows, or null when the arrays were already given back (every view disposed).</summary>
    public GroupValues? TryShare() => _arrays.TryAddReference() ? new GroupValues(_arrays, First, Length) : null;

    /// <summary>An array of at least <paramref name="n"/> values: from <see cref="CellBuffers"/> for a cell's own values, else from <see cref="PinnedBuffers"/>.</summary>
    public T[] Allocate<T>(int n) where T : unmanaged => _arrays.Pooled ? CellBuffers.Rent<T>(n) : PinnedBuffers.Rent<T>(n);

    /// <summary>Releases this view; the arrays go back to the pool with the last view of them.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) _arrays.Release();
    }
}

/// <summary>
/// The values of granule groups whose points lie in several parent cells, read and decoded once for all of them: the
/// first cell to take a group reads it whole for itself and leaves here a view of the rows the other cells' points lie
/// between (<see cref="GroupValues.View"/>: the same arrays, not a copy); each entry is dropped once as many cells as its group's points lie in
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
    /// The group's values for one of the <paramref name="uses"/> parent cells its points lie in, the caller's to
    /// dispose. The first cell to ask runs <paramref name="read"/>: its own values and the part to keep for the others
    /// (a view, held here until the entry is dropped); the others get a view of that part, the entry dropped at the
    /// last of them; null when the entry was dropped (evicted) before this cell could take its view.
    /// </summary>
    public async Task<GroupValues?> TakeAsync((string Url, string Group) key, int uses, Func<Task<(GroupValues Own, GroupValues Others)>> read)
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
        var values = (await entry.Values.Task.ConfigureAwait(false)).TryShare();
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
        {
            var values = entry.Values.Task.Result;
            Interlocked.Add(ref _bytes, -values.Bytes);
            values.Dispose();
        }
    }
}
