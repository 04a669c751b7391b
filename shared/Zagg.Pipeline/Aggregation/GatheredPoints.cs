using System.Numerics;

namespace Zagg.Pipeline.Aggregation;

/// <summary>
/// A cell's kept points, struct of segmented columns (<see cref="SegmentedColumn{T}"/>: a cell's memory grows with its
/// points, never copied as it grows, whatever its number of granules): the child index, as narrow as the depth
/// allows (16 bits up to 4^8 children, else 32), and one column per source variable in its source dtype — float32
/// columns (ATL06's h_li, h_li_sigma) as float, anything else as double. ATL06 at depth 6: 2 + 4 + 4 = 10 bytes a
/// point. A column that meets a wider dtype in a later granule is widened to double (exactly: every float32 is a double).
/// </summary>
/// <param name="columns">The number of source columns.</param>
/// <param name="depth">Child order − parent order: a cell has 4^depth children.</param>
internal sealed class GatheredPoints(int columns, int depth) : IDisposable
{
    /// <summary>The deepest depth whose child indices (below 4^8) fit 16 bits.</summary>
    public const int MaxNarrowDepth = 8;

    /// <summary>Child indices when the depth is at most <see cref="MaxNarrowDepth"/>, else null.</summary>
    public SegmentedColumn<ushort>? NarrowChild { get; private set; } = depth <= MaxNarrowDepth ? new() : null;

    /// <summary>Child indices when the depth is more than <see cref="MaxNarrowDepth"/>, else null.</summary>
    public SegmentedColumn<int>? WideChild { get; private set; } = depth <= MaxNarrowDepth ? null : new();

    /// <summary>Per column: its float32 values, or null when the column is kept as double.</summary>
    public readonly SegmentedColumn<float>?[] Singles = new SegmentedColumn<float>?[columns];

    /// <summary>Per column: its float64 values, or null when the column is kept as float32 (or not yet seen).</summary>
    public readonly SegmentedColumn<double>?[] Doubles = new SegmentedColumn<double>?[columns];

    /// <summary>The points gathered (stays after <see cref="ReleaseColumns"/>).</summary>
    public int Count;

    private int[] _kept = [];

    /// <summary>Child index of point <paramref name="i"/>.</summary>
    public int Child(int i) => NarrowChild is { } n ? n[i] : WideChild![i];

    /// <summary>
    /// Whether column <paramref name="k"/>'s next values should be read as float32: true when the source is
    /// float32 and the column holds no double yet. A float64 source widens a float32 column first.
    /// </summary>
    public bool ReadsSingle(int k, bool sourceIsSingle)
    {
        if (Singles[k] is null && Doubles[k] is null)
        {
            if (sourceIsSingle) Singles[k] = new();
            else Doubles[k] = new();
        }
        else if (!sourceIsSingle && Singles[k] is { } single)
        {
            Doubles[k] = single.Widen<double>();
            single.Dispose();
            Singles[k] = null;
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
        bool[]? pass = null;
        if (quality is not null)
        {
            pass = new bool[cells.Length];
            for (int i = 0; i < pass.Length; i++) pass[i] = quality[i] == good;
        }
        Add(cells, parent, shift, firstChild, singles, doubles, 0, pass);
    }

    /// <summary>
    /// Adds the points of a group's index range <paramref name="cells"/> that lie in the parent cell and pass the
    /// quality filter (<paramref name="pass"/>: null, no filter). The value of cells[i] in column k, and its verdict,
    /// are at index <paramref name="offset"/> + i of <paramref name="singles"/>[k] (a float32 source column) or else
    /// <paramref name="doubles"/>[k], and of <paramref name="pass"/>; a float32 source column goes into a column
    /// <see cref="ReadsSingle"/> widened to float64 exactly.
    /// </summary>
    public void Add<TCell>(ReadOnlySpan<TCell> cells, long parent, int shift, long firstChild, float[]?[] singles, double[]?[] doubles, int offset, bool[]? pass)
        where TCell : struct, IBinaryInteger<TCell>
    {
        if (_kept.Length < cells.Length)
        {
            if (_kept.Length > 0) CellBuffers.Return(_kept);
            _kept = CellBuffers.Rent<int>(cells.Length);
        }
        var keptAll = _kept;
        int n = 0;
        if (pass is null)
        {
            for (int i = 0; i < cells.Length; i++)
            {
                long cell = long.CreateTruncating(cells[i]);
                if (cell >= 0 && cell >> shift == parent) keptAll[n++] = i;
            }
        }
        else
        {
            var verdict = pass.AsSpan(offset, cells.Length);
            for (int i = 0; i < cells.Length; i++)
            {
                long cell = long.CreateTruncating(cells[i]);
                if (cell >= 0 && cell >> shift == parent && verdict[i]) keptAll[n++] = i;
            }
        }
        var kept = keptAll.AsSpan(0, n);
        if (NarrowChild is { } narrow) narrow.AppendOffset(cells, kept, firstChild);
        else WideChild!.AppendOffset(cells, kept, firstChild);
        for (int k = 0; k < Singles.Length; k++)
        {
            if (Singles[k] is { } s) s.Append<float>(singles[k].AsSpan(offset), kept);
            else if (singles[k] is { } narrowSource) Doubles[k]!.Append<float>(narrowSource.AsSpan(offset), kept);
            else Doubles[k]!.Append<double>(doubles[k].AsSpan(offset), kept);
        }
        Count += n;
    }

    /// <summary>
    /// Gives column <paramref name="k"/>'s segments back once it is no longer read (sorted into the cell's own
    /// array): a dense cell's gathered points then do not live on beside its sorted columns.
    /// </summary>
    public void ReleaseColumn(int k)
    {
        Singles[k]?.Dispose();
        Doubles[k]?.Dispose();
        Singles[k] = null;
        Doubles[k] = null;
    }

    /// <summary>Gives every column and the child indices back. <see cref="Count"/> stays; no point is added after it.</summary>
    public void ReleaseColumns()
    {
        NarrowChild?.Dispose();
        WideChild?.Dispose();
        if (_kept.Length > 0) CellBuffers.Return(_kept);
        _kept = [];
        for (int k = 0; k < Singles.Length; k++) ReleaseColumn(k);
    }

    public void Dispose() => ReleaseColumns();
}
