using System.Buffers;

namespace Zagg.Pipeline.Aggregation;

/// <summary>The kept points, struct of arrays in pooled buffers: child index and one column per variable.</summary>
internal sealed class GatheredPoints(int columns) : IDisposable
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
