using System.Buffers.Binary;
using System.Numerics;

namespace Zagg.Hdf5.Format;

/// <summary>The checksums of the HDF5 format: Jenkins' lookup3 for metadata, Fletcher-32 for data.</summary>
internal static class Checksum
{
    /// <summary>Bob Jenkins' lookup3 "hashlittle" with initial value 0, as the format's metadata checksum.</summary>
    public static uint Lookup3(ReadOnlySpan<byte> k)
    {
        uint a, b, c;
        a = b = c = 0xdeadbeef + (uint)k.Length;
        int i = 0, len = k.Length;
        while (len > 12)
        {
            a += BinaryPrimitives.ReadUInt32LittleEndian(k[i..]);
            b += BinaryPrimitives.ReadUInt32LittleEndian(k[(i + 4)..]);
            c += BinaryPrimitives.ReadUInt32LittleEndian(k[(i + 8)..]);
            a -= c; a ^= BitOperations.RotateLeft(c, 4); c += b;
            b -= a; b ^= BitOperations.RotateLeft(a, 6); a += c;
            c -= b; c ^= BitOperations.RotateLeft(b, 8); b += a;
            a -= c; a ^= BitOperations.RotateLeft(c, 16); c += b;
            b -= a; b ^= BitOperations.RotateLeft(a, 19); a += c;
            c -= b; c ^= BitOperations.RotateLeft(b, 4); b += a;
            len -= 12;
            i += 12;
        }
        if (len == 0) return c;
        var tail = k[i..];
        switch (len)
        {
            case 12: c += (uint)tail[11] << 24; goto case 11;
            case 11: c += (uint)tail[10] << 16; goto case 10;
            case 10: c += (uint)tail[9] << 8; goto case 9;
            case 9: c += tail[8]; goto case 8;
            case 8: b += (uint)tail[7] << 24; goto case 7;
            case 7: b += (uint)tail[6] << 16; goto case 6;
            case 6: b += (uint)tail[5] << 8; goto case 5;
            case 5: b += tail[4]; goto case 4;
            case 4: a += (uint)tail[3] << 24; goto case 3;
            case 3: a += (uint)tail[2] << 16; goto case 2;
            case 2: a += (uint)tail[1] << 8; goto case 1;
            case 1: a += tail[0]; break;
        }
        c ^= b; c -= BitOperations.RotateLeft(b, 14);
        a ^= c; a -= BitOperations.RotateLeft(c, 11);
        b ^= a; b -= BitOperations.RotateLeft(a, 25);
        c ^= b; c -= BitOperations.RotateLeft(b, 16);
        a ^= c; a -= BitOperations.RotateLeft(c, 4);
        b ^= a; b -= BitOperations.RotateLeft(a, 14);
        c ^= b; c -= BitOperations.RotateLeft(b, 24);
        return c;
    }

    /// <summary>Verifies a structure whose last 4 bytes are the lookup3 checksum of the bytes before them.</summary>
    public static void Verify(ReadOnlySpan<byte> structure, string what)
    {
        if (structure.Length < 4) throw new Hdf5Exception($"{what}: too short to hold a checksum");
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(structure[^4..]);
        uint computed = Lookup3(structure[..^4]);
        if (stored != computed)
            throw new Hdf5Exception($"{what}: checksum mismatch (stored {stored:x8}, computed {computed:x8}); the file is damaged");
    }

    /// <summary>Verifies the lookup3 checksum stored at <paramref name="position"/> over the bytes before it.</summary>
    public static void VerifyAt(ReadOnlySpan<byte> data, int position, string what)
    {
        if (position < 0 || data.Length < position + 4) throw new Hdf5Exception($"{what}: truncated before its checksum");
        Verify(data[..(position + 4)], what);
    }

    /// <summary>HDF5's Fletcher-32 over 16-bit big-endian words.</summary>
    public static uint Fletcher32(ReadOnlySpan<byte> data)
    {
        uint sum1 = 0, sum2 = 0;
        int words = data.Length / 2, i = 0;
        while (words > 0)
        {
            int t = Math.Min(words, 360);
            words -= t;
            for (; t > 0; t--, i += 2)
            {
                sum1 += (uint)((data[i] << 8) | data[i + 1]);
                sum2 += sum1;
            }
            sum1 = (sum1 & 0xffff) + (sum1 >> 16);
            sum2 = (sum2 & 0xffff) + (sum2 >> 16);
        }
        if ((data.Length & 1) != 0)
        {
            sum1 += (uint)(data[^1] << 8);
            sum2 += sum1;
            sum1 = (sum1 & 0xffff) + (sum1 >> 16);
            sum2 = (sum2 & 0xffff) + (sum2 >> 16);
        }
        sum1 = (sum1 & 0xffff) + (sum1 >> 16);
        sum2 = (sum2 & 0xffff) + (sum2 >> 16);
        return (sum2 << 16) | sum1;
    }
}
