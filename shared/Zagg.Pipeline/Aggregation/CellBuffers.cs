using System.Buffers;

namespace Zagg.Pipeline.Aggregation;

/// <summary>
/// The arrays a cell's points live in while it is aggregated (gathered columns, sorted columns, per-point
/// expression values). Small ones come from <see cref="ArrayPool{T}.Shared"/>. One longer than
/// <see cref="PooledLength"/> elements (a dense cell's sorted columns: on the large-object heap) is taken from the few
/// kept from earlier cells when one fits it closely enough (<see cref="MaxOversize"/>), else allocated at exactly its
/// length; given back, it is kept while those kept stay within <see cref="KeptBytes"/>, else left to the collector. The
/// shared pool would round it up to a power of two (up to twice the points) and keep it afterwards, once per thread
/// that returned it: bench/e2e's dense catalog held ~100 MB of such arrays from earlier cells; never kept, each dense
/// cell's arrays were fresh large-object-heap memory, and their garbage set off full (gen 2) collections.
/// </summary>
internal static class CellBuffers
{
    /// <summary>The longest array taken from (and given back to) the shared pool: 64 Ki elements.</summary>
    public const int PooledLength = 1 << 16;

    /// <summary>The bytes of longer arrays kept for later cells, all element types together: 32 MiB.</summary>
    public const long KeptBytes = 32L << 20;

    /// <summary>A kept array serves a request of at least 1/<see cref="MaxOversize"/> of its length.</summary>
    public const int MaxOversize = KeptArrays.MaxOversize;

    private static readonly KeptArrays s_kept = new(KeptBytes);

    /// <summary>An array of at least <paramref name="length"/> elements, not cleared.</summary>
    public static T[] Rent<T>(int length) where T : unmanaged
        => length <= PooledLength ? ArrayPool<T>.Shared.Rent(Math.Max(1, length)) : s_kept.Take<T>(length) ?? FreshPages.Allocate<T>(length);

    /// <summary>Gives an array from <see cref="Rent{T}"/> back: to the pool when it came from there, else kept or to the collector.</summary>
    public static void Return<T>(T[] array) where T : unmanaged
    {
        if (array.Length <= PooledLength) ArrayPool<T>.Shared.Return(array);
        else s_kept.Put(array);
    }

    /// <summary>The bytes of the long arrays kept now.</summary>
    public static long KeptNow => s_kept.KeptNow;
}
