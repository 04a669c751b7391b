using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
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
        => Decode(filters, mask, stored.AsSpan(0, storedLength), output, elementSize, where);

    /// <summary>Decodes a stored chunk, given as a span (e.g. within a coalesced read), into <paramref name="output"/>.</summary>
    /// <param name="elementSize">The datatype's size. Shuffle takes its element size from its client data, as libhdf5 does.</param>
    /// <exception cref="Hdf5Exception">A damaged chunk, or a filter whose client data libhdf5's filter refuses to run on:
    /// deflate without exactly one level of 0–9, shuffle without exactly one element size over 0 (H5Zdeflate.c,
    /// H5Zshuffle.c); checked as each chunk is decoded, as libhdf5 checks them, so an unwritten dataset still reads.</exception>
    public static void Decode(Filter[] filters, uint mask, ReadOnlySpan<byte> stored, Span<byte> output, int elementSize, string where)
    {
        // Stages run in reverse pipeline order; intermediate results live in two rented buffers.
        byte[]? a = null, b = null;
        try
        {
            ReadOnlySpan<byte> current = stored;
            for (int i = filters.Length - 1; i >= 0; i--)
            {
                if ((mask & (1u << i)) != 0) continue;
                var f = filters[i];
                switch (f.Id)
                {
                    case Filter.Fletcher32:
                    {
                        if (current.Length < 4) throw new Hdf5Exception($"{where}: chunk too short for its fletcher32 checksum");
                        uint stored32 = BinaryPrimitives.ReadUInt32LittleEndian(current[^4..]);
                        uint computed = Checksum.Fletcher32(current[..^4]);
                        if (stored32 != computed && stored32 != BinaryPrimitives.ReverseEndianness(computed))
                            throw new Hdf5Exception($"{where}: fletcher32 checksum mismatch (stored {stored32:x8}, computed {computed:x8}); the chunk is damaged");
                        current = current[..^4];
                        break;
                    }
                    case Filter.Deflate:
                    {
                        // As libhdf5's H5Z__filter_deflate, which refuses to run on other client data.
                        if (f.ClientData.Length != 1 || f.ClientData[0] > 9)
                            throw new Hdf5Exception($"{where}: deflate filter's client data ({string.Join(", ", f.ClientData)}) is not one compression level of 0–9 (libhdf5: invalid deflate aggression level)");
                        byte[] target = Next(ref a, ref b, current, output.Length);
                        int n = Inflate(current, target.AsSpan(0, output.Length), where);
                        current = target.AsSpan(0, n);
                        break;
                    }
                    case Filter.Shuffle:
                    {
                        // As libhdf5's H5Z__filter_shuffle: one client value, the element size, not 0.
                        if (f.ClientData.Length != 1 || f.ClientData[0] == 0)
                            throw new Hdf5Exception($"{where}: shuffle filter's client data ({string.Join(", ", f.ClientData)}) is not one element size over 0 (libhdf5: invalid shuffle parameters)");
                        int size = (int)Math.Min(f.ClientData[0], int.MaxValue);
                        if (i == FirstActive(filters, mask) && current.Length == output.Length)
                        {
                            // The last stage writes straight into the caller's buffer.
                            Unshuffle(current, output, size);
                            return;
                        }
                        byte[] target = Next(ref a, ref b, current, current.Length);
                        Unshuffle(current, target.AsSpan(0, current.Length), size);
                        current = target.AsSpan(0, current.Length);
                        break;
                    }
                    default:
                        throw new Hdf5UnsupportedException($"{where}: filter {f.DisplayName} is not supported");
                }
            }
            if (current.Length != output.Length)
                throw new Hdf5Exception($"{where}: chunk decodes to {current.Length} bytes, {output.Length} expected");
            current.CopyTo(output);
        }
        finally
        {
            if (a is not null) ArrayPool<byte>.Shared.Return(a);
            if (b is not null) ArrayPool<byte>.Shared.Return(b);
        }
    }

    private static int FirstActive(Filter[] filters, uint mask)
    {
        for (int i = 0; i < filters.Length; i++)
            if ((mask & (1u << i)) == 0) return i;
        return -1;
    }

    /// <summary>A rented buffer that is not the one <paramref name="current"/> lives in.</summary>
    private static byte[] Next(ref byte[]? a, ref byte[]? b, ReadOnlySpan<byte> current, int size)
    {
        bool inA = a is not null && current.Overlaps(a);
        ref byte[]? slot = ref inA ? ref b : ref a;
        if (slot is null || slot.Length < size)
        {
            if (slot is not null) ArrayPool<byte>.Shared.Return(slot);
            slot = ArrayPool<byte>.Shared.Rent(size);
        }
        return slot;
    }

    private static unsafe int Inflate(ReadOnlySpan<byte> input, Span<byte> output, string where)
    {
        if (input.IsEmpty) throw new Hdf5Exception($"{where}: deflated chunk is empty (a stored size of 0)");
        try
        {
            fixed (byte* p = input)
            {
                using var source = new UnmanagedMemoryStream(p, input.Length);
                using var z = new ZLibStream(source, CompressionMode.Decompress);
                int total = 0;
                while (total < output.Length)
                {
                    int n = z.Read(output[total..]);
                    if (n == 0) break;
                    total += n;
                }
                if (total == output.Length && z.ReadByte() >= 0)
                    throw new Hdf5Exception($"{where}: deflated chunk holds more than the chunk's {output.Length} bytes");
                return total;
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            // InvalidDataException (a SystemException, not an IOException) for a damaged stream; ZLibException (an
            // IOException) for a zlib return code the stream does not map, such as Z_NEED_DICT from a header whose
            // preset-dictionary bit is set. The input is memory: no IOException here is about a device.
            // .NET's own texts speak of zip archives ("unsupported compression method"): say what zlib met instead.
            throw new Hdf5Exception($"{where}: deflated chunk is corrupt: zlib cannot inflate it ({(e is InvalidDataException ? "not a valid zlib stream" : "zlib error")})", e);
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
        int done = 0;
        if (Sse2.IsSupported && elementSize == 8) done = Unshuffle8(src, dst, n);
        else if (Sse2.IsSupported && elementSize == 4) done = Unshuffle4(src, dst, n);
        for (int b = 0; b < elementSize; b++)
        {
            var plane = src.Slice(b * n, n);
            for (int i = done; i < n; i++) dst[i * elementSize + b] = plane[i];
        }
        // Bytes beyond whole elements are stored as they are.
        src[(n * elementSize)..].CopyTo(dst[(n * elementSize)..]);
    }

    /// <summary>16 elements of 8 bytes at a time: an 8 × 16 byte transpose by unpacking 8-, 16- then 32-bit lanes.</summary>
    private static int Unshuffle8(ReadOnlySpan<byte> src, Span<byte> dst, int n)
    {
        int i = 0;
        for (; i + 16 <= n; i += 16)
        {
            var p0 = Vector128.Create(src.Slice(i, 16));
            var p1 = Vector128.Create(src.Slice(n + i, 16));
            var p2 = Vector128.Create(src.Slice(2 * n + i, 16));
            var p3 = Vector128.Create(src.Slice(3 * n + i, 16));
            var p4 = Vector128.Create(src.Slice(4 * n + i, 16));
            var p5 = Vector128.Create(src.Slice(5 * n + i, 16));
            var p6 = Vector128.Create(src.Slice(6 * n + i, 16));
            var p7 = Vector128.Create(src.Slice(7 * n + i, 16));
            var a0 = Sse2.UnpackLow(p0, p1).AsUInt16(); var a1 = Sse2.UnpackHigh(p0, p1).AsUInt16();
            var b0 = Sse2.UnpackLow(p2, p3).AsUInt16(); var b1 = Sse2.UnpackHigh(p2, p3).AsUInt16();
            var c0 = Sse2.UnpackLow(p4, p5).AsUInt16(); var c1 = Sse2.UnpackHigh(p4, p5).AsUInt16();
            var d0 = Sse2.UnpackLow(p6, p7).AsUInt16(); var d1 = Sse2.UnpackHigh(p6, p7).AsUInt16();
            var e0 = Sse2.UnpackLow(a0, b0).AsUInt32(); var e1 = Sse2.UnpackHigh(a0, b0).AsUInt32();
            var e2 = Sse2.UnpackLow(a1, b1).AsUInt32(); var e3 = Sse2.UnpackHigh(a1, b1).AsUInt32();
            var f0 = Sse2.UnpackLow(c0, d0).AsUInt32(); var f1 = Sse2.UnpackHigh(c0, d0).AsUInt32();
            var f2 = Sse2.UnpackLow(c1, d1).AsUInt32(); var f3 = Sse2.UnpackHigh(c1, d1).AsUInt32();
            var o = dst.Slice(i * 8, 128);
            Sse2.UnpackLow(e0, f0).AsByte().CopyTo(o);
            Sse2.UnpackHigh(e0, f0).AsByte().CopyTo(o[16..]);
            Sse2.UnpackLow(e1, f1).AsByte().CopyTo(o[32..]);
            Sse2.UnpackHigh(e1, f1).AsByte().CopyTo(o[48..]);
            Sse2.UnpackLow(e2, f2).AsByte().CopyTo(o[64..]);
            Sse2.UnpackHigh(e2, f2).AsByte().CopyTo(o[80..]);
            Sse2.UnpackLow(e3, f3).AsByte().CopyTo(o[96..]);
            Sse2.UnpackHigh(e3, f3).AsByte().CopyTo(o[112..]);
        }
        return i;
    }

    /// <summary>16 elements of 4 bytes at a time: a 4 × 16 byte transpose.</summary>
    private static int Unshuffle4(ReadOnlySpan<byte> src, Span<byte> dst, int n)
    {
        int i = 0;
        for (; i + 16 <= n; i += 16)
        {
            var p0 = Vector128.Create(src.Slice(i, 16));
            var p1 = Vector128.Create(src.Slice(n + i, 16));
            var p2 = Vector128.Create(src.Slice(2 * n + i, 16));
            var p3 = Vector128.Create(src.Slice(3 * n + i, 16));
            var a0 = Sse2.UnpackLow(p0, p1).AsUInt16(); var a1 = Sse2.UnpackHigh(p0, p1).AsUInt16();
            var b0 = Sse2.UnpackLow(p2, p3).AsUInt16(); var b1 = Sse2.UnpackHigh(p2, p3).AsUInt16();
            var o = dst.Slice(i * 4, 64);
            Sse2.UnpackLow(a0, b0).AsByte().CopyTo(o);
            Sse2.UnpackHigh(a0, b0).AsByte().CopyTo(o[16..]);
            Sse2.UnpackLow(a1, b1).AsByte().CopyTo(o[32..]);
            Sse2.UnpackHigh(a1, b1).AsByte().CopyTo(o[48..]);
        }
        return i;
    }
}
