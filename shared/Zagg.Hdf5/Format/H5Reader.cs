using System.Buffers.Binary;
using System.Text;

namespace Zagg.Hdf5.Format;

/// <summary>
/// Little-endian reads over a span of HDF5 metadata, with the file's sizes of offsets and
/// lengths. Reading past the end throws an <see cref="Hdf5Exception"/> naming the structure.
/// </summary>
internal ref struct H5Reader(ReadOnlySpan<byte> data, int offsetSize, int lengthSize, string what)
{
    public const ulong Undefined = ulong.MaxValue;

    private readonly ReadOnlySpan<byte> _data = data;
    private int _pos;

    public readonly int Position => _pos;
    public readonly int Remaining => _data.Length - _pos;
    public readonly int OffsetSize => offsetSize;
    public readonly int LengthSize => lengthSize;
    public readonly ReadOnlySpan<byte> Data => _data;

    public byte U8() => Take(1)[0];
    public ushort U16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));
    public uint U32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));
    public ulong U64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    /// <summary>An unsigned integer of 1–8 bytes.</summary>
    public ulong UVar(int size)
    {
        var b = Take(size);
        ulong v = 0;
        for (int i = size - 1; i >= 0; i--) v = (v << 8) | b[i];
        return v;
    }

    /// <summary>An address; all bits set (the undefined address) becomes <see cref="Undefined"/>.</summary>
    public ulong Offset()
    {
        ulong v = UVar(offsetSize);
        return offsetSize < 8 && v == (1UL << (8 * offsetSize)) - 1 ? Undefined : v;
    }

    public ulong Length() => UVar(lengthSize);

    public ReadOnlySpan<byte> Bytes(int n) => Take(n);

    public void Skip(int n) => Take(n);

    public void Seek(int position)
    {
        if (position < 0 || position > _data.Length) throw Error($"position {position} is outside the {_data.Length} bytes read");
        _pos = position;
    }

    public void Signature(string expected)
    {
        var got = Take(expected.Length);
        for (int i = 0; i < expected.Length; i++)
            if (got[i] != expected[i])
                throw Error($"expected signature '{expected}', found '{Printable(got)}'");
    }

    /// <summary>A NUL-terminated string starting here, within at most <paramref name="max"/> bytes.</summary>
    public string CString(int max = int.MaxValue)
    {
        var rest = _data[_pos..];
        int n = rest[..Math.Min(rest.Length, max)].IndexOf((byte)0);
        if (n < 0) throw Error("unterminated string");
        _pos += n + 1;
        return Encoding.UTF8.GetString(rest[..n]);
    }

    public Hdf5Exception Error(string message) => new($"{what}: {message}");

    private ReadOnlySpan<byte> Take(int n)
    {
        if (n < 0 || _pos + n > _data.Length)
            throw Error($"truncated: needs {n} bytes at {_pos}, {Math.Max(0, _data.Length - _pos)} left");
        var s = _data.Slice(_pos, n);
        _pos += n;
        return s;
    }

    private static string Printable(ReadOnlySpan<byte> b)
    {
        var sb = new StringBuilder();
        foreach (byte x in b) sb.Append(x is >= 32 and < 127 ? (char)x : '?');
        return sb.ToString();
    }
}
