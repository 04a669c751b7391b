namespace Zagg.Maps;

/// <summary>
/// Values of HEALPix NESTED cells at one order, sorted by cell id. A lookup goes through a table of where each
/// coarser cell's children start (an order chosen so the table has about one entry per four cells), then a binary
/// search among those few children: one or two cache lines instead of ~24 scattered probes over millions of ids.
/// A cell that is absent or holds NaN has no value (drawn transparent). Built once per map; read by many threads.
/// </summary>
public sealed class CellValues
{
    private readonly long[] _cells;
    private readonly float[] _values;
    // _start[k] = index of the first cell whose coarse parent is ≥ k; length 12·4^coarse + 1.
    private readonly int[] _start;
    private readonly int _shift;

    /// <summary>Takes cell ids and their values (same length; any order; ids unique) and sorts them.</summary>
    /// <param name="order">The HEALPix order of the ids.</param>
    /// <param name="cells">NESTED ids at <paramref name="order"/>; the array is sorted in place and kept.</param>
    /// <param name="values">Their values, permuted along; NaN for none. Kept.</param>
    /// <exception cref="ArgumentException">Lengths differ, an id is out of range, or an id repeats.</exception>
    public CellValues(int order, long[] cells, float[] values)
    {
        Zagg.Grid.HealpixNested.CheckOrder(order);
        ArgumentNullException.ThrowIfNull(cells);
        ArgumentNullException.ThrowIfNull(values);
        if (cells.Length != values.Length) throw new ArgumentException($"{cells.Length} cells but {values.Length} values", nameof(values));
        Array.Sort(cells, values);
        long count = Zagg.Grid.HealpixNested.CellCount(order);
        for (int i = 0; i < cells.Length; i++)
        {
            if ((ulong)cells[i] >= (ulong)count) throw new ArgumentException($"cell {cells[i]} is not an order-{order} NESTED id", nameof(cells));
            if (i > 0 && cells[i] == cells[i - 1]) throw new ArgumentException($"cell {cells[i]} is given twice", nameof(cells));
        }
        Order = order;
        _cells = cells;
        _values = values;
        int coarse = 0;
        while (coarse < order && 12L << (2 * (coarse + 1)) <= Math.Max(cells.Length / 4, 12)) coarse++;
        _shift = 2 * (order - coarse);
        _start = new int[(12 << (2 * coarse)) + 1];
        int j = 0;
        for (int k = 0; k < _start.Length; k++)
        {
            while (j < cells.Length && cells[j] >> _shift < k) j++;
            _start[k] = j;
        }
    }

    /// <summary>The HEALPix order of the cells.</summary>
    public int Order { get; }

    /// <summary>Number of cells held (with or without a value).</summary>
    public int Count => _cells.Length;

    /// <summary>The cell ids, ascending.</summary>
    public ReadOnlySpan<long> Cells => _cells;

    /// <summary>The values, in the order of <see cref="Cells"/>.</summary>
    public ReadOnlySpan<float> Values => _values;

    /// <summary>The index of a cell in <see cref="Cells"/>, or −1 when absent (or not a cell of the order).</summary>
    public int IndexOf(long cell)
    {
        long k = cell >> _shift;
        if ((ulong)k >= (ulong)(_start.Length - 1)) return -1;
        int lo = _start[k], hi = _start[k + 1];
        int i = _cells.AsSpan(lo, hi - lo).BinarySearch(cell);
        return i >= 0 ? lo + i : -1;
    }

    /// <summary>The value of a cell; NaN when absent.</summary>
    public float ValueOf(long cell)
    {
        int i = IndexOf(cell);
        return i >= 0 ? _values[i] : float.NaN;
    }
}
