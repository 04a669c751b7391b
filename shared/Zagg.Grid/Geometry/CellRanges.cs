namespace Zagg.Grid.Geometry;

/// <summary>
/// A sorted set of NESTED cells at one order, held as disjoint, non-adjacent runs
/// [Start, Start + Count): an interior of millions of cells stays a handful of runs.
/// </summary>
public sealed class CellRanges
{
    private readonly List<(long Start, long Count)> _runs = [];

    public CellRanges(int order)
    {
        HealpixNested.CheckOrder(order);
        Order = order;
    }

    public int Order { get; }

    public IReadOnlyList<(long Start, long Count)> Runs => _runs;

    /// <summary><see cref="Runs"/> as a span, for loops that must not enumerate through an interface; valid until the set changes.</summary>
    public ReadOnlySpan<(long Start, long Count)> RunSpan => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_runs);

    /// <summary>Number of cells.</summary>
    public long Count { get; private set; }

    /// <summary>Makes room for <paramref name="runs"/> runs in all, so the appends that follow do not regrow the list.</summary>
    internal void Reserve(int runs) => _runs.EnsureCapacity(runs);

    /// <summary>Appends a run; runs must arrive in increasing order.</summary>
    internal void Append(long start, long count)
    {
        if (_runs.Count > 0)
        {
            var (s, c) = _runs[^1];
            if (start < s + c) throw new InvalidOperationException("runs must be appended in increasing order");
            if (start == s + c) { _runs[^1] = (s, c + count); Count += count; return; }
        }
        _runs.Add((start, count));
        Count += count;
    }

    /// <summary>Every cell of an order: one run.</summary>
    public static CellRanges All(int order)
    {
        var r = new CellRanges(order);
        r.Append(0, HealpixNested.CellCount(order));
        return r;
    }

    /// <summary>
    /// The cells of a list, in any order and with repeats, as runs (the list is sorted in place).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A cell outside [0, 12·4^order).</exception>
    public static CellRanges FromCells(int order, Span<long> cells)
    {
        var r = new CellRanges(order);
        cells.Sort();
        long total = HealpixNested.CellCount(order);
        long last = -1;
        foreach (long c in cells)
        {
            if (c == last) continue;
            if ((ulong)c >= (ulong)total) throw new ArgumentOutOfRangeException(nameof(cells), c, $"not a cell of order {order}");
            r.Append(c, 1);
            last = c;
        }
        return r;
    }

    /// <summary>The cells in either set: one merge of the two sorted run lists.</summary>
    /// <exception cref="ArgumentException">The two sets are of different orders.</exception>
    public CellRanges Union(CellRanges other)
    {
        CheckSameOrder(other);
        var r = new CellRanges(Order);
        var a = _runs; var b = other._runs;
        int i = 0, j = 0;
        long curStart = -1, curEnd = -1;
        while (i < a.Count || j < b.Count)
        {
            (long s, long c) = j >= b.Count || (i < a.Count && a[i].Start <= b[j].Start) ? a[i++] : b[j++];
            if (curEnd < 0) { curStart = s; curEnd = s + c; }
            else if (s <= curEnd) curEnd = Math.Max(curEnd, s + c);
            else { r.Append(curStart, curEnd - curStart); curStart = s; curEnd = s + c; }
        }
        if (curEnd >= 0) r.Append(curStart, curEnd - curStart);
        return r;
    }

    /// <summary>The union of many sets of one order (pairwise merges, smallest work first).</summary>
    /// <exception cref="ArgumentException">Sets of different orders.</exception>
    public static CellRanges Union(int order, IReadOnlyList<CellRanges> sets)
    {
        if (sets.Count == 0) return new CellRanges(order);
        var level = new List<CellRanges>(sets);
        foreach (var s in level) if (s.Order != order) throw new ArgumentException($"cells of order {s.Order} cannot join cells of order {order}", nameof(sets));
        while (level.Count > 1)
        {
            var next = new List<CellRanges>((level.Count + 1) / 2);
            for (int k = 0; k + 1 < level.Count; k += 2) next.Add(level[k].Union(level[k + 1]));
            if ((level.Count & 1) == 1) next.Add(level[^1]);
            level = next;
        }
        return level[0];
    }

    /// <summary>The cells in both sets: one merge of the two sorted run lists.</summary>
    /// <exception cref="ArgumentException">The two sets are of different orders.</exception>
    public CellRanges Intersect(CellRanges other)
    {
        CheckSameOrder(other);
        var r = new CellRanges(Order);
        var a = _runs; var b = other._runs;
        int i = 0, j = 0;
        while (i < a.Count && j < b.Count)
        {
            long aEnd = a[i].Start + a[i].Count, bEnd = b[j].Start + b[j].Count;
            long start = Math.Max(a[i].Start, b[j].Start), end = Math.Min(aEnd, bEnd);
            if (start < end) r.Append(start, end - start);
            if (aEnd <= bEnd) i++; else j++;
        }
        return r;
    }

    /// <summary>Whether the two sets share a cell, without building the intersection.</summary>
    public bool Overlaps(CellRanges other)
    {
        CheckSameOrder(other);
        var a = _runs; var b = other._runs;
        int i = 0, j = 0;
        while (i < a.Count && j < b.Count)
        {
            long aEnd = a[i].Start + a[i].Count, bEnd = b[j].Start + b[j].Count;
            if (Math.Max(a[i].Start, b[j].Start) < Math.Min(aEnd, bEnd)) return true;
            if (aEnd <= bEnd) i++; else j++;
        }
        return false;
    }

    private void CheckSameOrder(CellRanges other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Order != Order) throw new ArgumentException($"cells of order {other.Order} cannot be combined with cells of order {Order}", nameof(other));
    }

    public bool Contains(long cell)
    {
        int lo = 0, hi = _runs.Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            var (s, c) = _runs[mid];
            if (cell < s) hi = mid - 1;
            else if (cell >= s + c) lo = mid + 1;
            else return true;
        }
        return false;
    }

    /// <summary>Every cell, in increasing order.</summary>
    public IEnumerable<long> Cells()
    {
        foreach (var (s, c) in _runs)
            for (long i = 0; i < c; i++) yield return s + i;
    }

    public long[] ToArray()
    {
        if (Count > Array.MaxLength) throw new InvalidOperationException($"{Count} cells are too many for one array");
        var a = new long[Count];
        int k = 0;
        foreach (var (s, c) in _runs)
            for (long i = 0; i < c; i++) a[k++] = s + i;
        return a;
    }
}
