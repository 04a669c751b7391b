using System.Buffers;
using System.Numerics;

namespace Zagg.Pipeline.Output;

/// <summary>
/// The byte arrays a cell's chunks are written from (a variable's 4^depth values, the cells' ids and morton words):
/// from <see cref="ArrayPool{T}.Shared"/> where the pool gives an array of exactly the length asked (a power of two
/// of at least 16 bytes: every chunk of 4^depth elements of 1, 2, 4 or 8 bytes from depth 2 on), else allocated. A
/// sparse catalog's cells wrote ~55 MB of such arrays (247 cells, ~210 KB each), a third of a run's allocations, each
/// used once; pooled, they are the same few arrays cell after cell.
/// </summary>
internal static class ChunkBuffers
{
    private const int MinPooled = 16;

    /// <summary>An array of exactly <paramref name="length"/> bytes, not cleared.</summary>
    public static byte[] Rent(int length)
        => IsPooled(length) ? ArrayPool<byte>.Shared.Rent(length) : GC.AllocateUninitializedArray<byte>(length);

    /// <summary>Gives back an array from <see cref="Rent"/>; it must not be read or written afterwards.</summary>
    public static void Return(byte[] array)
    {
        if (IsPooled(array.Length)) ArrayPool<byte>.Shared.Return(array);
    }

    private static bool IsPooled(int length) => length >= MinPooled && BitOperations.IsPow2(length);
}
