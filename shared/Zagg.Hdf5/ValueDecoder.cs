using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using Zagg.Hdf5.Format;

namespace Zagg.Hdf5;

/// <summary>Turns stored element bytes into numbers and strings: byte order, widths, string padding, heap references.</summary>
internal static class ValueDecoder
{
    /// <summary>Converts elements of a numeric type (either byte order) to <typeparamref name="T"/>, as NumPy's astype would.</summary>
    public static void ToNumbers<T>(ReadOnlySpan<byte> raw, Hdf5Datatype type, Span<T> output, string where) where T : unmanaged, INumberBase<T>
    {
        int n = raw.Length / type.Size;
        if (output.Length < n) throw new ArgumentException($"output has room for {output.Length} values, {n} needed");
        if (type.Class == Hdf5TypeClass.FloatingPoint)
        {
            if (type.Size == 8)
            {
                if (typeof(T) == typeof(double) && !type.BigEndian) { raw.CopyTo(MemoryMarshal.AsBytes(output)); return; }
                for (int i = 0; i < n; i++)
                {
                    var b = raw.Slice(i * 8, 8);
                    output[i] = T.CreateTruncating(type.BigEndian ? BinaryPrimitives.ReadDoubleBigEndian(b) : BinaryPrimitives.ReadDoubleLittleEndian(b));
                }
            }
            else
            {
                if (typeof(T) == typeof(float) && !type.BigEndian) { raw.CopyTo(MemoryMarshal.AsBytes(output)); return; }
                for (int i = 0; i < n; i++)
                {
                    var b = raw.Slice(i * 4, 4);
                    output[i] = T.CreateTruncating(type.BigEndian ? BinaryPrimitives.ReadSingleBigEndian(b) : BinaryPrimitives.ReadSingleLittleEndian(b));
                }
            }
            return;
        }
        if (type.Class != Hdf5TypeClass.FixedPoint)
            throw new Hdf5Exception($"{where}: {type} values are not numbers");
        int size = type.Size;
        for (int i = 0; i < n; i++)
        {
            var b = raw.Slice(i * size, size);
            ulong u = 0;
            if (type.BigEndian) for (int k = 0; k < size; k++) u = (u << 8) | b[k];
            else for (int k = size - 1; k >= 0; k--) u = (u << 8) | b[k];
            if (type.Signed)
            {
                int shift = 64 - 8 * size;
                output[i] = T.CreateTruncating((long)(u << shift) >> shift);
            }
            else output[i] = T.CreateTruncating(u);
        }
    }

    /// <summary>Fixed-length strings as h5py and NumPy give them: converted to null-padded (<see cref="Hdf5Datatype.ToNullPadded"/>), without trailing NULs, decoded as UTF-8.</summary>
    public static string[] FixedStrings(ReadOnlySpan<byte> raw, Hdf5Datatype type)
    {
        int size = type.Size;
        int n = size == 0 ? 0 : raw.Length / size;
        if (n == 0) return [];
        var result = new string[n];
        byte[] scratch = System.Buffers.ArrayPool<byte>.Shared.Rent(size);
        try
        {
            for (int i = 0; i < n; i++)
            {
                // As h5py reads them (numpy 'S' values): converted to null-padded (Hdf5Datatype.ToNullPadded), without
                // their trailing nulls; a null inside a null- or space-padded value stays.
                var s = scratch.AsSpan(0, size);
                raw.Slice(i * size, size).CopyTo(s);
                type.ToNullPadded(s);
                int end = s.LastIndexOfAnyExcept((byte)0) + 1;
                result[i] = Encoding.UTF8.GetString(s[..end]);
            }
        }
        finally { System.Buffers.ArrayPool<byte>.Shared.Return(scratch); }
        return result;
    }

    /// <summary>Variable-length strings: each element is (length, global heap collection, object index).</summary>
    public static async ValueTask<string[]> VariableStringsAsync(Hdf5File file, byte[] raw, int size, CancellationToken ct)
    {
        int n = raw.Length / size;
        var result = new string[n];
        var ctx = file.Context;
        for (int i = 0; i < n; i++)
        {
            var (length, collection, index) = Reference(ctx, raw.AsSpan(i * size, size));
            if (collection == 0 || collection == H5Reader.Undefined || length == 0) { result[i] = ""; continue; }
            var body = await file.GlobalHeap.GetAsync(collection, index, ct).ConfigureAwait(false);
            if ((ulong)body.Length < length) throw new Hdf5Exception($"{file.Name}: variable-length string of {length} bytes is longer than its heap object");
            result[i] = Encoding.UTF8.GetString(body.Span[..(int)length]);
        }
        return result;
    }

    private static (uint Length, ulong Collection, int Index) Reference(H5Context ctx, ReadOnlySpan<byte> element)
    {
        var r = ctx.Reader(element, $"{ctx.Name}: variable-length reference");
        uint length = r.U32();
        ulong collection = r.Offset();
        int index = (int)r.U32();
        return (length, collection, index);
    }
}
