using System.Numerics;
using System.Collections.Concurrent;

namespace Zagg.Pipeline.Aggregation;

/// <summary>
/// Each granule group's located points (<see cref="LocatedGroup"/>: one child-order NESTED id per point, 4 bytes
/// up to order 13, else 8), shared by the cells of a run and bounded by the bytes they hold: past
/// <paramref name="maxBytes"/>, the oldest entries go until half of it is left.
/// </summary>
internal sealed class LocatedCells(long maxBytes)
{
    private readonly ConcurrentDictionary<(string, string), Lazy<Task<LocatedGroup?>>> _entries = new();
    private readonly ConcurrentQueue<(string, string)> _order = new();
    private long _bytes;

    /// <summary>The budget: past it, the oldest entries go.</summary>
    public long MaxBytes => maxBytes;

    /// <summary>The bytes the located groups hold now.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Whether the group is located, or being located (a failed read is forgotten when it fails).</summary>
    public bool Contains((string Url, string Group) key) => _entries.ContainsKey(key);

    public async Task<LocatedGroup?> GetAsync((string Url, string Group) key, Func<Task<LocatedGroup?>> locate)
    {
        var lazy = _entries.GetOrAdd(key, _ => new Lazy<Task<LocatedGroup?>>(locate));
        bool created = !lazy.IsValueCreated;
        LocatedGroup? cells;
        try { cells = await lazy.Value.ConfigureAwait(false); }
        catch
        {
            _entries.TryRemove(key, out _); // a failed read is not remembered
            throw;
        }
        if (created && cells is not null)
        {
            _order.Enqueue(key);
            if (Interlocked.Add(ref _bytes, cells.Bytes) > maxBytes)
                while (Interlocked.Read(ref _bytes) > maxBytes / 2 && _order.TryDequeue(out var old))
                    if (_entries.TryRemove(old, out var gone) && gone.IsValueCreated && gone.Value.IsCompletedSuccessfully && gone.Value.Result is { } g)
                        Interlocked.Add(ref _bytes, -g.Bytes);
        }
        return cells;
    }
}

/// <summary>
/// A granule group's child-order NESTED id per point (−1 for a position that is not one): as int where the order
/// allows (NESTED ids below 12·4^13 &lt; 2^31, order ≤ 13: half the memory of the cache), else as long. The arrays live
/// on the pinned object heap: they outlive many cells, and in the small-object heap each (56 KB for a bench/e2e beam)
/// was copied by the gen-0 and then the gen-1 collection that promoted it, most of what those collections copied.
/// </summary>
internal sealed class LocatedGroup
{
    /// <summary>The largest order whose NESTED ids fit an int.</summary>
    public const int MaxNarrowOrder = 13;

    private readonly int[]? _narrow;
    private readonly long[]? _wide;

    /// <summary>
    /// Keeps <paramref name="cells"/> (NESTED ids at <paramref name="order"/>), narrowed to int when the order allows, and
    /// counts the parent cells (ids &gt;&gt; <paramref name="parentShift"/>) its points lie in.
    /// </summary>
    public LocatedGroup(ReadOnlySpan<long> cells, int order, int parentShift)
    {
        _parentShift = parentShift;
        _parents = ParentRanges(cells, parentShift);
        Parents = _parents.Length;
        if (order <= MaxNarrowOrder)
        {
            _narrow = FreshPages.Allocate<int>(cells.Length, pinned: true);
            for (int i = 0; i < cells.Length; i++) _narrow[i] = (int)cells[i];
        }
        else cells.CopyTo(_wide = FreshPages.Allocate<long>(cells.Length, pinned: true));
    }

    /// <summary>The number of parent cells the points lie in (the cells that read this group).</summary>
    public int Parents { get; }

    private readonly int _parentShift;

    // Each parent cell the points lie in, with the first and last index of a point in it, in order of first index.
    private readonly (long Parent, int First, int Last)[] _parents;

    /// <summary>The parent cells the points lie in, each with the first and last index of a point in it: one pass.</summary>
    private static (long, int, int)[] ParentRanges(ReadOnlySpan<long> cells, int shift)
    {
        // A track crosses few parent cells, in runs: a short list of those seen, updated at the end of each run.
        var seen = new List<(long Parent, int First, int Last)>(4);
        int at = -1, runLast = -1;
        long current = -1;
        for (int i = 0; i < cells.Length; i++)
        {
            long cell = cells[i];
            if (cell < 0) continue;
            long parent = cell >> shift;
            if (parent == current)
            {
                runLast = i;
                continue;
            }
            if (at >= 0) seen[at] = (current, seen[at].First, runLast);
            at = -1;
            for (int k = 0; k < seen.Count; k++)
                if (seen[k].Parent == parent) { at = k; break; }
            if (at < 0)
            {
                at = seen.Count;
                seen.Add((parent, i, i));
            }
            current = parent;
            runLast = i;
        }
        if (at >= 0) seen[at] = (current, seen[at].First, runLast);
        return [.. seen];
    }

    /// <summary>The number of points.</summary>
    public int Length => _narrow?.Length ?? _wide!.Length;

    /// <summary>The bytes held.</summary>
    public long Bytes => _narrow is not null ? sizeof(int) * (long)_narrow.Length : sizeof(long) * (long)_wide!.Length;

    /// <summary>The ids as int, or null when they are kept as long (<see cref="Wide"/>).</summary>
    public int[]? Narrow => _narrow;

    /// <summary>The ids as long, or null when they are kept as int (<see cref="Narrow"/>).</summary>
    public long[]? Wide => _wide;

    /// <summary>The first and last index of a point in <paramref name="parent"/>, or (−1, −1).</summary>
    public (int First, int Last) RangeIn(long parent, int shift) => Range(parent, shift, inside: true);

    /// <summary>The first and last index of a point in a parent cell other than <paramref name="parent"/>, or (−1, −1).</summary>
    public (int First, int Last) RangeOutside(long parent, int shift) => Range(parent, shift, inside: false);

    private (int, int) Range(long parent, int shift, bool inside)
    {
        if (shift != _parentShift)
            return _narrow is not null ? Range<int>(_narrow, parent, shift, inside) : Range<long>(_wide!, parent, shift, inside);
        // From the parents' ranges found once: what a scan of every point finds.
        int first = -1, last = -1;
        foreach (var (p, f, l) in _parents)
        {
            if ((p == parent) != inside) continue;
            if (first < 0 || f < first) first = f;
            last = Math.Max(last, l);
        }
        return (first, last);
    }

    /// <summary>The first and last index of a located point whose parent cell is (<paramref name="inside"/>) or is not <paramref name="parent"/>, by a scan (a shift other than the one given at construction).</summary>
    private static (int, int) Range<T>(ReadOnlySpan<T> cells, long parent, int shift, bool inside) where T : struct, IBinaryInteger<T>
    {
        int first = -1, last = -1;
        for (int i = 0; i < cells.Length; i++)
        {
            long cell = long.CreateTruncating(cells[i]);
            if (cell >= 0 && (cell >> shift == parent) == inside)
            {
                if (first < 0) first = i;
                last = i;
            }
        }
        return (first, last);
    }
}
