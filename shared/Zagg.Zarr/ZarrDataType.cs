using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Zagg.Zarr;

/// <summary>The Zarr v3 core data types this library reads and writes.</summary>
public enum ZarrDataType { Bool, Int8, Int16, Int32, Int64, UInt8, UInt16, UInt32, UInt64, Float32, Float64 }

public static class ZarrDataTypes
{
    public static int Size(this ZarrDataType t) => t switch
    {
        ZarrDataType.Bool or ZarrDataType.Int8 or ZarrDataType.UInt8 => 1,
        ZarrDataType.Int16 or ZarrDataType.UInt16 => 2,
        ZarrDataType.Int32 or ZarrDataType.UInt32 or ZarrDataType.Float32 => 4,
        _ => 8,
    };

    public static string Name(this ZarrDataType t) => t.ToString().ToLowerInvariant();

    public static bool IsFloat(this ZarrDataType t) => t is ZarrDataType.Float32 or ZarrDataType.Float64;

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
    public static byte[] Fill(this ZarrDataType t, double value)
    {
        var bytes = new byte[t.Size()];
        if (t == ZarrDataType.Bool) bytes[0] = value != 0 ? (byte)1 : (byte)0;
        else if (t.IsFloat()) WriteNumber(t, value, bytes);
        else if (t == ZarrDataType.UInt64) BinaryPrimitives.WriteUInt64LittleEndian(bytes, checked((ulong)value));
        else WriteInteger(t, checked((long)value), bytes, "fill");
        return bytes;
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
        for (int i = 0; i < b.Length; i++) b[i] = (byte)(v >> (8 * i));
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
