using System.Numerics;

namespace Zagg.Pipeline.Aggregation;

/// <summary>
/// A cell's kept points, struct of arrays (<see cref="CellBuffers"/>): the child index and one column per source
/// variable, each kept in its source dtype — float32 columns (ATL06's h_li, h_li_sigma) as float, anything
/// else as double — so a cell's memory is 4 + 4 or 8 bytes per column per point. A column that meets a
/// wider dtype in a later granule is widened to double (exactly: every float32 is a double).
/// </summary>
internal sealed class GatheredPoints(int columns) : IDisposable
{
    public int[] Child = CellBuffers.Rent<int>(1024);

    /// <summary>Per column: its float32 values, or null when the column is kept as double.</summary>
    public readonly float[]?[] Singles = new float[]?[columns];

    /// <summary>Per column: its float64 values, or null when the column is kept as float32 (or not yet seen).</summary>
    public readonly double[]?[] Doubles = new double[]?[columns];

    public int Count;

    private int _capacity = 1024;
    private int[] _kept = [];

    /// <summary>
    /// Whether column <paramref name="k"/>'s next values should be read as float32: true when the source is
    /// float32 and the column holds no double yet. A float64 source widens a float32 column first.
    /// </summary>
    public bool ReadsSingle(int k, bool sourceIsSingle)
    {
        if (Singles[k] is null && Doubles[k] is null)
        {
            if (sourceIsSingle) Singles[k] = CellBuffers.Rent<float>(_capacity);
            else Doubles[k] = CellBuffers.Rent<double>(_capacity);
        }
        else if (!sourceIsSingle && Singles[k] is { } single)
        {
            var wide = CellBuffers.Rent<double>(_capacity);
            for (int i = 0; i < Count; i++) wide[i] = single[i];
            CellBuffers.Return(single);
            Singles[k] = null;
            Doubles[k] = wide;
        }
        return Singles[k] is not null;
    }

    /// <summary>Column <paramref name="k"/>'s value of point <paramref name="i"/>, as float64.</summary>
    public double Value(int k, int i) => Singles[k] is { } s ? s[i] : Doubles[k]![i];

    /// <summary>
    /// Adds the points of a group's index range that lie in the parent cell and pass the quality filter
    /// (<paramref name="quality"/> null: no filter). Column k's values run along the range in
    /// <paramref name="singles"/>[k] when <see cref="ReadsSingle"/> said so, else in <paramref name="doubles"/>[k].
    /// </summary>
    public void Add<TCell>(ReadOnlySpan<TCell> cells, long parent, int shift, long firstChild, float[]?[] singles, double[]?[] doubles, double[]? quality, double good)
        where TCell : struct, IBinaryInteger<TCell>
    {
        if (_kept.Length < cells.Length)
        {
            if (_kept.Length > 0) CellBuffers.Return(_kept);
            _kept = CellBuffers.Rent<int>(cells.Length);
        }
        var kept = _kept;
        int n = 0;
        for (int i = 0; i < cells.Length; i++)
        {
            long cell = long.CreateTruncating(cells[i]);
            if (cell < 0 || cell >> shift != parent) continue;
            if (quality is not null && quality[i] != good) continue;
            kept[n++] = i;
        }
        Reserve(Count + n);
        var child = Child.AsSpan(Count, n);
        for (int j = 0; j < n; j++) child[j] = (int)(long.CreateTruncating(cells[kept[j]]) - firstChild);
        for (int k = 0; k < Singles.Length; k++)
        {
            if (Singles[k] is { } s)
            {
                var src = singles[k]!;
                var dst = s.AsSpan(Count, n);
                for (int j = 0; j < dst.Length; j++) dst[j] = src[kept[j]];
            }
            else
            {
                var src = doubles[k]!;
                var dst = Doubles[k]!.AsSpan(Count, n);
                for (int j = 0; j < dst.Length; j++) dst[j] = src[kept[j]];
            }
        }
        Count += n;
    }

    /// <summary>
    /// Makes room for <paramref name="needed"/> points in all. A cell reserves its points' count up front (known from
    /// its located granules), so its columns are rented once at their size; past it, they grow by half.
    /// </summary>
    public void Reserve(int needed)
    {
        if (needed <= _capacity) return;
        _capacity = (int)Math.Min(Array.MaxLength, Math.Max(needed, _capacity + (long)_capacity / 2));
        Child = Grow(Child, _capacity, Count);
        for (int k = 0; k < Singles.Length; k++)
        {
            if (Singles[k] is { } s) Singles[k] = Grow(s, _capacity, Count);
            if (Doubles[k] is { } d) Doubles[k] = Grow(d, _capacity, Count);
        }
    }

    private static T[] Grow<T>(T[] old, int size, int keep)
    {
        var bigger = CellBuffers.Rent<T>(size);
        old.AsSpan(0, keep).CopyTo(bigger);
        CellBuffers.Return(old);
        return bigger;
    }

    /// <summary>
    /// Gives the columns back once they are no longer read (sorted into the cell's own arrays): a dense cell's
    /// gathered points then do not live on beside its sorted columns and expression values. <see cref="Count"/> stays;
    /// no point is added after it.
    /// </summary>
    public void ReleaseColumns()
    {
        if (Child.Length > 0) CellBuffers.Return(Child);
        Child = [];
        if (_kept.Length > 0) CellBuffers.Return(_kept);
        _kept = [];
        for (int k = 0; k < Singles.Length; k++)
        {
            if (Singles[k] is { } s) CellBuffers.Return(s);
            if (Doubles[k] is { } d) CellBuffers.Return(d);
            Singles[k] = null;
            Doubles[k] = null;
        }
        _capacity = 0;
    }

    public void Dispose() => ReleaseColumns();
}
