using System.Buffers.Binary;
using System.IO.Compression;
using Zagg.Hdf5.Format;

namespace Zagg.Hdf5.Filters;

/// <summary>Undoes a dataset's filter pipeline on one stored chunk: fletcher32 (verified), deflate, shuffle.</summary>
internal static class FilterPipeline
{
    /// <summary>Checks up front that every filter is one this reader can undo.</summary>
    public static void CheckSupported(Filter[] filters, string where)
    {
        foreach (var f in filters)
            if (f.Id is not (Filter.Deflate or Filter.Shuffle or Filter.Fletcher32))
                throw new Hdf5UnsupportedException($"{where}: filter {f.DisplayName} is not supported (deflate, shuffle and fletcher32 are)");
    }

    /// <summary>Decodes a stored chunk into <paramref name="output"/> (exactly the chunk's raw size).</summary>
    public static void Decode(Filter[] filters, uint mask, byte[] stored, int storedLength, Span<byte> output, int elementSize, string where)
    {
        byte[] current = stored;
        int length = storedLength;
        byte[]? scratch = null;
        for (int i = filters.Length - 1; i >= 0; i--)
        {
            if ((mask & (1u << i)) != 0) continue;
            var f = filters[i];
            switch (f.Id)
            {
                case Filter.Fletcher32:
                {
                    if (length < 4) throw new Hdf5Exception($"{where}: chunk too short for its fletcher32 checksum");
                    uint stored32 = BinaryPrimitives.ReadUInt32LittleEndian(current.AsSpan(length - 4));
                    uint computed = Checksum.Fletcher32(current.AsSpan(0, length - 4));
                    uint reversed = BinaryPrimitives.ReverseEndianness(computed);
                    if (stored32 != computed && stored32 != reversed)
                        throw new Hdf5Exception($"{where}: fletcher32 checksum mismatch (stored {stored32:x8}, computed {computed:x8}); the chunk is damaged");
                    length -= 4;
                    break;
                }
                case Filter.Deflate:
                {
                    scratch = new byte[output.Length];
                    int n = Inflate(current, length, scratch, where);
                    current = scratch;
                    length = n;
                    break;
                }
                case Filter.Shuffle:
                {
                    int size = f.ClientData.Length > 0 ? (int)f.ClientData[0] : elementSize;
                    var target = new byte[length];
                    Unshuffle(current.AsSpan(0, length), target, size);
                    current = target;
                    break;
                }
                default:
                    throw new Hdf5UnsupportedException($"{where}: filter {f.DisplayName} is not supported");
            }
        }
        if (length != output.Length)
            throw new Hdf5Exception($"{where}: chunk decodes to {length} bytes, {output.Length} expected");
        current.AsSpan(0, length).CopyTo(output);
    }

    private static int Inflate(byte[] input, int length, byte[] output, string where)
    {
        try
        {
            using var z = new ZLibStream(new MemoryStream(input, 0, length, writable: false), CompressionMode.Decompress);
            int total = 0;
            while (total < output.Length)
            {
                int n = z.Read(output, total, output.Length - total);
                if (n == 0) break;
                total += n;
            }
            if (total == output.Length && z.ReadByte() >= 0)
                throw new Hdf5Exception($"{where}: deflated chunk holds more than the chunk's {output.Length} bytes");
            return total;
        }
        catch (InvalidDataException e)
        {
            throw new Hdf5Exception($"{where}: deflated chunk is corrupt: {e.Message}", e);
        }
    }

    /// <summary>The shuffle filter stores byte k of every element together; this puts elements back.</summary>
    public static void Unshuffle(ReadOnlySpan<byte> src, Span<byte> dst, int elementSize)
    {
        if (elementSize <= 1 || src.Length < elementSize)
        {
            src.CopyTo(dst);
            return;
        }
        int n = src.Length / elementSize;
        for (int b = 0; b < elementSize; b++)
        {
            var plane = src.Slice(b * n, n);
            for (int i = 0; i < n; i++) dst[i * elementSize + b] = plane[i];
        }
        // Bytes beyond whole elements are stored as they are.
        src[(n * elementSize)..].CopyTo(dst[(n * elementSize)..]);
    }
}
