using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace Zagg.Zarr;

/// <summary>The Zarr v3 core data types this library reads and writes (Zarr v3.0 core specification, "Data types").</summary>
public enum ZarrDataType { Bool, Int8, Int16, Int32, Int64, UInt8, UInt16, UInt32, UInt64, Float32, Float64 }

/// <summary>Sizes, names, fill values and the one float64 ↔ element conversion of <see cref="ZarrDataType"/>.</summary>
public static class ZarrDataTypes
{
    /// <summary>Bytes per element: 1, 2, 4 or 8.</summary>
    public static int Size(this ZarrDataType t) => t switch
    {
        ZarrDataType.Bool or ZarrDataType.Int8 or ZarrDataType.UInt8 => 1,
        ZarrDataType.Int16 or ZarrDataType.UInt16 => 2,
        ZarrDataType.Int32 or ZarrDataType.UInt32 or ZarrDataType.Float32 => 4,
        _ => 8,
    };

    /// <summary>The data_type name in zarr.json, e.g. "float32".</summary>
    public static string Name(this ZarrDataType t) => t.ToString().ToLowerInvariant();

    /// <summary>True for float32 and float64.</summary>
    public static bool IsFloat(this ZarrDataType t) => t is ZarrDataType.Float32 or ZarrDataType.Float64;

    /// <summary>The type of a data_type name; false for a name this library does not support.</summary>
    public static bool TryParse(string? name, out ZarrDataType type)
    {
        foreach (var t in Enum.GetValues<ZarrDataType>())
            if (t.Name() == name) { type = t; return true; }
        type = default;
        return false;
    }

    /// <summary>One element of the fill value as little-endian bytes, from its JSON form (numbers, "NaN", "Infinity", "-Infinity", "0x…" hex, booleans).</summary>
    public static byte[] FillFromJson(this ZarrDataType t, JsonNode? node, string where)
    {
        var bytes = new byte[t.Size()];
        if (node is null) throw new ZarrException($"{where}: fill_value is null; Zarr v3 requires one");
        var v = node.AsValue();
        if (t == ZarrDataType.Bool)
        {
            if (!v.TryGetValue(out bool b)) throw new ZarrException($"{where}: fill_value {node.ToJsonString()} is not a boolean");
            bytes[0] = b ? (byte)1 : (byte)0;
            return bytes;
        }
        if (v.TryGetValue(out string? s))
        {
            if (!t.IsFloat()) throw new ZarrException($"{where}: fill_value \"{s}\" is not an integer");
            if (s.StartsWith("0x", StringComparison.Ordinal))
            {
                ulong raw = ulong.Parse(s[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (t == ZarrDataType.Float32) BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)raw);
                else BinaryPrimitives.WriteUInt64LittleEndian(bytes, raw);
                return bytes;
            }
            double special = s switch
            {
                "NaN" => double.NaN,
                "Infinity" => double.PositiveInfinity,
                "-Infinity" => double.NegativeInfinity,
                _ => throw new ZarrException($"{where}: fill_value \"{s}\" is not NaN, Infinity, -Infinity or a 0x hex pattern"),
            };
            WriteNumber(t, special, bytes);
            return bytes;
        }
        if (t.IsFloat()) { WriteNumber(t, v.GetValue<double>(), bytes); return bytes; }
        if (t is ZarrDataType.UInt64)
        {
            if (!v.TryGetValue(out ulong u)) throw new ZarrException($"{where}: fill_value {node.ToJsonString()} is not a uint64");
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, u);
            return bytes;
        }
        if (!v.TryGetValue(out long l)) throw new ZarrException($"{where}: fill_value {node.ToJsonString()} is not an integer");
        WriteInteger(t, l, bytes, where);
        return bytes;
    }

    /// <summary>The JSON form of a fill value given as little-endian bytes.</summary>
    public static JsonNode FillToJson(this ZarrDataType t, ReadOnlySpan<byte> fill)
    {
        switch (t)
        {
            case ZarrDataType.Bool: return JsonValue.Create(fill[0] != 0);
            case ZarrDataType.Float32:
            case ZarrDataType.Float64:
            {
                double d = t == ZarrDataType.Float32 ? BinaryPrimitives.ReadSingleLittleEndian(fill) : BinaryPrimitives.ReadDoubleLittleEndian(fill);
                if (double.IsNaN(d)) return JsonValue.Create("NaN");
                if (double.IsPositiveInfinity(d)) return JsonValue.Create("Infinity");
                if (double.IsNegativeInfinity(d)) return JsonValue.Create("-Infinity");
                return JsonValue.Create(d);
            }
            case ZarrDataType.UInt64: return JsonValue.Create(BinaryPrimitives.ReadUInt64LittleEndian(fill));
            default: return JsonValue.Create(ReadInteger(t, fill));
        }
    }

    /// <summary>A fill value from a number (NaN and infinities for floats), as little-endian bytes.</summary>
    /// <exception cref="ZarrException">The number does not fit the type (see <see cref="Encode"/>).</exception>
    public static byte[] Fill(this ZarrDataType t, double value)
    {
        var bytes = new byte[t.Size()];
        t.Encode(value, bytes, "fill");
        return bytes;
    }

    /// <summary>
    /// Writes one number as an element of this type, little-endian, into <paramref name="destination"/>
    /// (<see cref="Size"/> bytes) — the one conversion from float64 to a Zarr data type. Floats round
    /// to nearest (float32) or are copied; bool is <c>value != 0</c>; integers truncate toward zero, as
    /// NumPy's <c>astype</c> does, and must then fit the type.
    /// </summary>
    /// <param name="where">Names the value in the error (e.g. "count[17]").</param>
    /// <exception cref="ZarrException">An integer type given NaN, an infinity, or a number outside its range.</exception>
    public static void Encode(this ZarrDataType t, double value, Span<byte> destination, string where)
    {
        switch (t)
        {
            case ZarrDataType.Bool: destination[0] = value != 0 ? (byte)1 : (byte)0; return;
            case ZarrDataType.Float32: BinaryPrimitives.WriteSingleLittleEndian(destination, (float)value); return;
            case ZarrDataType.Float64: BinaryPrimitives.WriteDoubleLittleEndian(destination, value); return;
        }
        double whole = Math.Truncate(value);
        if (!double.IsFinite(whole)) throw new ZarrException($"{where}: {value} has no {t.Name()} value");
        if (t == ZarrDataType.UInt64)
        {
            // 2^64 is the first double past ulong.MaxValue.
            if (whole < 0 || whole >= 18446744073709551616.0) throw new ZarrException($"{where}: {value} does not fit {t.Name()}");
            BinaryPrimitives.WriteUInt64LittleEndian(destination, (ulong)whole);
            return;
        }
        if (whole < -9223372036854775808.0 || whole >= 9223372036854775808.0) throw new ZarrException($"{where}: {value} does not fit {t.Name()}");
        WriteInteger(t, (long)whole, destination, where);
    }

    private static void WriteNumber(ZarrDataType t, double d, Span<byte> b)
    {
        if (t == ZarrDataType.Float32) BinaryPrimitives.WriteSingleLittleEndian(b, (float)d);
        else BinaryPrimitives.WriteDoubleLittleEndian(b, d);
    }

    private static void WriteInteger(ZarrDataType t, long v, Span<byte> b, string where)
    {
        (long min, long max) = t switch
        {
            ZarrDataType.Int8 => (sbyte.MinValue, sbyte.MaxValue),
            ZarrDataType.UInt8 => (0, byte.MaxValue),
            ZarrDataType.Int16 => (short.MinValue, short.MaxValue),
            ZarrDataType.UInt16 => (0, ushort.MaxValue),
            ZarrDataType.Int32 => (int.MinValue, int.MaxValue),
            ZarrDataType.UInt32 => (0, uint.MaxValue),
            _ => (long.MinValue, long.MaxValue),
        };
        if (v < min || v > max) throw new ZarrException($"{where}: {v} does not fit {t.Name()}");
        for (int i = 0; i < t.Size(); i++) b[i] = (byte)(v >> (8 * i));
    }

    /// <summary>
    /// <paramref name="count"/> copies of one element (<paramref name="element"/>: 1, 2, 4 or 8 bytes
    /// as a type's <see cref="Size"/>), e.g. a chunk filled with the fill value.
    /// </summary>
    public static byte[] Repeat(ReadOnlySpan<byte> element, int count)
    {
        var result = new byte[count * element.Length];
        if (element.IndexOfAnyExcept((byte)0) >= 0) Fill(element, result);
        return result;
    }

    /// <summary>
    /// Fills <paramref name="destination"/> with copies of one element (<paramref name="element"/>: 1, 2, 4 or 8 bytes as a
    /// type's <see cref="Size"/>; the destination a whole number of elements long), e.g. a pooled chunk with the fill value.
    /// </summary>
    public static void Fill(ReadOnlySpan<byte> element, Span<byte> destination)
    {
        switch (element.Length)
        {
            case 1: destination.Fill(element[0]); break;
            case 2: MemoryMarshal.Cast<byte, ushort>(destination).Fill(MemoryMarshal.Read<ushort>(element)); break;
            case 4: MemoryMarshal.Cast<byte, uint>(destination).Fill(MemoryMarshal.Read<uint>(element)); break;
            case 8: MemoryMarshal.Cast<byte, ulong>(destination).Fill(MemoryMarshal.Read<ulong>(element)); break;
            default:
                for (int i = 0; i < destination.Length; i += element.Length) element.CopyTo(destination[i..]);
                break;
        }
    }

    /// <summary>One little-endian element as a double.</summary>
    public static double ToDouble(this ZarrDataType t, ReadOnlySpan<byte> b) => t switch
    {
        ZarrDataType.Bool => b[0],
        ZarrDataType.Float32 => BinaryPrimitives.ReadSingleLittleEndian(b),
        ZarrDataType.Float64 => BinaryPrimitives.ReadDoubleLittleEndian(b),
        ZarrDataType.UInt64 => BinaryPrimitives.ReadUInt64LittleEndian(b),
        _ => ReadInteger(t, b),
    };

    private static long ReadInteger(ZarrDataType t, ReadOnlySpan<byte> b) => t switch
    {
        ZarrDataType.Int8 => (sbyte)b[0],
        ZarrDataType.UInt8 => b[0],
        ZarrDataType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(b),
        ZarrDataType.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(b),
        ZarrDataType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(b),
        ZarrDataType.UInt32 => BinaryPrimitives.ReadUInt32LittleEndian(b),
        _ => BinaryPrimitives.ReadInt64LittleEndian(b),
    };
}
