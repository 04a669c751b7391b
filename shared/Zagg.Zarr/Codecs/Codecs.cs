using System.Buffers.Binary;
using System.IO.Compression;
using System.Text.Json.Nodes;

namespace Zagg.Zarr.Codecs;

/// <summary>A codec as named in array metadata: name and configuration.</summary>
public sealed record CodecSpec(string Name, JsonObject? Configuration = null)
{
    public static CodecSpec Bytes(bool bigEndian = false) => new("bytes", new JsonObject { ["endian"] = bigEndian ? "big" : "little" });
    public static CodecSpec Gzip(int level = 5) => new("gzip", new JsonObject { ["level"] = level });
    public static CodecSpec Crc32c() => new("crc32c");

    /// <summary>Sharding: each stored chunk (a shard) holds inner chunks of <paramref name="innerChunk"/>, with a CRC-32C-protected index at the end.</summary>
    public static CodecSpec Sharding(int[] innerChunk, IReadOnlyList<CodecSpec> innerCodecs) => new("sharding_indexed", new JsonObject
    {
        ["chunk_shape"] = new JsonArray(innerChunk.Select(c => (JsonNode)JsonValue.Create(c)).ToArray()),
        ["codecs"] = new JsonArray(innerCodecs.Select(c => (JsonNode)c.ToJson()).ToArray()),
        ["index_codecs"] = new JsonArray(Bytes().ToJson(), Crc32c().ToJson()),
        ["index_location"] = "end",
    });

    public JsonObject ToJson()
    {
        var o = new JsonObject { ["name"] = Name };
        if (Configuration is not null) o["configuration"] = Configuration.DeepClone();
        return o;
    }

    public static CodecSpec FromJson(JsonNode? node, string where)
    {
        if (node is not JsonObject o || o["name"] is not JsonValue n || !n.TryGetValue(out string? name))
            throw new ZarrException($"{where}: a codec must be an object with a \"name\"");
        return new CodecSpec(name, o["configuration"] as JsonObject);
    }
}

/// <summary>
/// A chain of codecs for one array: exactly one array→bytes codec (bytes or sharding_indexed)
/// followed by bytes→bytes codecs (gzip, crc32c). Chunks enter and leave as little-endian
/// element bytes in C order.
/// </summary>
internal sealed class CodecPipeline
{
    private readonly IArrayToBytes _arrayToBytes;
    private readonly IBytesToBytes[] _bytesToBytes;

    private CodecPipeline(IArrayToBytes a, IBytesToBytes[] b)
    {
        _arrayToBytes = a;
        _bytesToBytes = b;
    }

    public static CodecPipeline Build(IReadOnlyList<CodecSpec> specs, ZarrDataType type, int[] chunkShape, byte[] fill, string where)
    {
        if (specs.Count == 0) throw new ZarrException($"{where}: no codecs; an array needs an array→bytes codec such as \"bytes\"");
        IArrayToBytes? a = null;
        var b = new List<IBytesToBytes>();
        foreach (var s in specs)
        {
            try { Add(s); }
            catch (Exception e) when (e is InvalidOperationException or FormatException)
            {
                // A configuration value of the wrong JSON type (System.Text.Json's own exceptions).
                throw new ZarrException($"{where}: codec \"{s.Name}\" configuration {s.Configuration?.ToJsonString() ?? "{}"} is not valid: {e.Message}", e);
            }
        }
        if (a is null) throw new ZarrException($"{where}: no array→bytes codec (\"bytes\" or \"sharding_indexed\")");
        if (a is ShardingCodec && b.Count > 0)
            throw new ZarrException($"{where}: codecs after sharding_indexed would hide the shard index from readers that fetch it by range; put them in the shard's own codecs");
        return new CodecPipeline(a, [.. b]);

        void Add(CodecSpec s)
        {
            switch (s.Name)
            {
                case "bytes":
                    if (a is not null) throw new ZarrException($"{where}: more than one array→bytes codec");
                    string endian = s.Configuration?["endian"]?.GetValue<string>() ?? "little";
                    if (endian is not ("little" or "big")) throw new ZarrException($"{where}: bytes codec endian \"{endian}\" is not little or big");
                    a = new BytesCodec(endian == "big", type.Size());
                    break;
                case "sharding_indexed":
                    if (a is not null) throw new ZarrException($"{where}: more than one array→bytes codec");
                    a = ShardingCodec.Create(s, type, chunkShape, fill, where);
                    break;
                case "gzip":
                    if (a is null) throw new ZarrException($"{where}: gzip must follow the array→bytes codec");
                    b.Add(new GzipCodec(s.Configuration?["level"]?.GetValue<int>() ?? 5));
                    break;
                case "crc32c":
                    if (a is null) throw new ZarrException($"{where}: crc32c must follow the array→bytes codec");
                    b.Add(new Crc32cCodec());
                    break;
                default:
                    throw new ZarrException($"{where}: codec \"{s.Name}\" is not supported (bytes, gzip, crc32c, sharding_indexed are)");
            }
        }
    }

    public bool IsSharded => _arrayToBytes is ShardingCodec;

    /// <summary>A chunk's stored bytes: the chunk itself when the codecs leave it as it is (little-endian bytes, nothing after).</summary>
    public ReadOnlyMemory<byte> Encode(ReadOnlyMemory<byte> chunk)
        => _bytesToBytes.Length == 0 && _arrayToBytes is BytesCodec { IsIdentity: true } ? chunk : Encode(chunk.Span);

    public byte[] Encode(ReadOnlySpan<byte> chunk)
    {
        byte[] data = _arrayToBytes.Encode(chunk);
        foreach (var c in _bytesToBytes) data = c.Encode(data);
        return data;
    }

    public byte[] Decode(byte[] stored, int chunkBytes, string where)
    {
        byte[] data = stored;
        for (int i = _bytesToBytes.Length - 1; i >= 0; i--) data = _bytesToBytes[i].Decode(data, where);
        return _arrayToBytes.Decode(data, chunkBytes, where);
    }
}

internal interface IArrayToBytes
{
    byte[] Encode(ReadOnlySpan<byte> chunk);
    byte[] Decode(byte[] data, int chunkBytes, string where);
}

internal interface IBytesToBytes
{
    byte[] Encode(byte[] data);
    byte[] Decode(byte[] data, string where);
}

internal sealed class BytesCodec(bool bigEndian, int elementSize) : IArrayToBytes
{
    /// <summary>Whether stored bytes are the chunk's own (little-endian, or one-byte elements).</summary>
    public bool IsIdentity => !bigEndian || elementSize == 1;

    public byte[] Encode(ReadOnlySpan<byte> chunk)
    {
        var result = chunk.ToArray();
        if (bigEndian) Swap(result, elementSize);
        return result;
    }

    public byte[] Decode(byte[] data, int chunkBytes, string where)
    {
        if (data.Length != chunkBytes) throw new ZarrException($"{where}: chunk holds {data.Length} bytes, {chunkBytes} expected");
        if (bigEndian) Swap(data, elementSize);
        return data;
    }

    private static void Swap(Span<byte> data, int size)
    {
        if (size == 1) return;
        for (int i = 0; i < data.Length; i += size) data.Slice(i, size).Reverse();
    }
}

internal sealed class GzipCodec(int level) : IBytesToBytes
{
    public byte[] Encode(byte[] data)
    {
        using var ms = new MemoryStream();
        var l = level <= 1 ? CompressionLevel.Fastest : level >= 9 ? CompressionLevel.SmallestSize : CompressionLevel.Optimal;
        using (var z = new GZipStream(ms, l, leaveOpen: true)) z.Write(data);
        return ms.ToArray();
    }

    public byte[] Decode(byte[] data, string where)
    {
        try
        {
            using var z = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
            using var ms = new MemoryStream();
            z.CopyTo(ms);
            return ms.ToArray();
        }
        catch (InvalidDataException e) { throw new ZarrException($"{where}: gzip data is corrupt: {e.Message}", e); }
    }
}

internal sealed class Crc32cCodec : IBytesToBytes
{
    public byte[] Encode(byte[] data)
    {
        var result = new byte[data.Length + 4];
        data.CopyTo(result, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(data.Length), Crc32c.Compute(data));
        return result;
    }

    public byte[] Decode(byte[] data, string where)
    {
        if (data.Length < 4) throw new ZarrException($"{where}: too short for its CRC-32C");
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(data.Length - 4));
        uint computed = Crc32c.Compute(data.AsSpan(0, data.Length - 4));
        if (stored != computed) throw new ZarrException($"{where}: CRC-32C mismatch (stored {stored:x8}, computed {computed:x8}); the chunk is damaged");
        return data[..^4];
    }
}
