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
    public const int MaxOversize = 2;

    private static long s_keptBytes;

    /// <summary>An array of at least <paramref name="length"/> elements, not cleared.</summary>
    public static T[] Rent<T>(int length) where T : unmanaged
        => length <= PooledLength ? ArrayPool<T>.Shared.Rent(Math.Max(1, length)) : Kept<T>.Take(length) ?? FreshPages.Allocate<T>(length);

    /// <summary>Gives an array from <see cref="Rent{T}"/> back: to the pool when it came from there, else kept or to the collector.</summary>
    public static void Return<T>(T[] array) where T : unmanaged
    {
        if (array.Length <= PooledLength) ArrayPool<T>.Shared.Return(array);
        else Kept<T>.Put(array);
    }

    /// <summary>The bytes of the long arrays kept now.</summary>
    public static long KeptNow => Interlocked.Read(ref s_keptBytes);

    /// <summary>Long arrays of one element type kept for later cells.</summary>
    private static class Kept<T>
    {
        private static readonly List<T[]> s_arrays = [];

        private static long Bytes(T[] array) => (long)array.Length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();

        /// <summary>The shortest kept array of at least <paramref name="length"/> elements and at most <see cref="MaxOversize"/> times that, or null.</summary>
        public static T[]? Take(int length)
        {
            lock (s_arrays)
            {
                int best = -1;
                for (int i = 0; i < s_arrays.Count; i++)
                {
                    int n = s_arrays[i].Length;
                    if (n >= length && n / MaxOversize <= length && (best < 0 || n < s_arrays[best].Length)) best = i;
                }
                if (best < 0) return null;
                var array = s_arrays[best];
                s_arrays.RemoveAt(best);
                Interlocked.Add(ref s_keptBytes, -Bytes(array));
                return array;
            }
        }

        public static void Put(T[] array)
        {
            long bytes = Bytes(array);
            lock (s_arrays)
            {
                // The budget is shared with the other element types' lists (each under its own lock).
                for (long kept; ;)
                {
                    kept = Interlocked.Read(ref s_keptBytes);
                    if (kept + bytes > KeptBytes) return;
                    if (Interlocked.CompareExchange(ref s_keptBytes, kept + bytes, kept) == kept) break;
                }
                s_arrays.Add(array);
            }
        }
    }
}
