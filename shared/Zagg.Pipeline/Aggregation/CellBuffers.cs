using System.Buffers;

namespace Zagg.Pipeline.Aggregation;

/// <summary>
/// The arrays a cell's points live in while it is aggregated (gathered columns, sorted columns, per-point
/// expression values). Small ones come from <see cref="ArrayPool{T}.Shared"/>; one longer than
/// <see cref="PooledLength"/> elements is allocated at exactly its length and left to the collector when the cell is
/// done. The shared pool would round it up to a power of two (up to twice the points) and keep it afterwards, once
/// per thread that returned it: bench/e2e's dense catalog held ~100 MB of such arrays from earlier cells.
/// </summary>
internal static class CellBuffers
{
    /// <summary>The longest array taken from (and given back to) the shared pool: 64 Ki elements.</summary>
    public const int PooledLength = 1 << 16;

    /// <summary>An array of at least <paramref name="length"/> elements (exactly that many past <see cref="PooledLength"/>), not cleared.</summary>
    public static T[] Rent<T>(int length)
        => length <= PooledLength ? ArrayPool<T>.Shared.Rent(Math.Max(1, length)) : GC.AllocateUninitializedArray<T>(length);

    /// <summary>Gives an array from <see cref="Rent{T}"/> back: to the pool when it came from there, else to the collector.</summary>
    public static void Return<T>(T[] array)
    {
        if (array.Length <= PooledLength) ArrayPool<T>.Shared.Return(array);
    }
}
