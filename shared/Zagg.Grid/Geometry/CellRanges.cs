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

    /// <summary>Number of cells.</summary>
    public long Count { get; private set; }

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
