using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Zagg.Zarr.Codecs;

namespace Zagg.Zarr;

/// <summary>An array's zarr.json: shape, data type, regular chunk grid, default key encoding, fill, codecs, names, attributes.</summary>
public sealed class ArrayMetadata
{
    public required long[] Shape { get; init; }
    public required ZarrDataType DataType { get; init; }
    public required int[] ChunkShape { get; init; }

    /// <summary>One element, little-endian.</summary>
    public required byte[] FillValue { get; init; }

    public IReadOnlyList<CodecSpec> Codecs { get; init; } = [CodecSpec.Bytes()];
    public string[]? DimensionNames { get; init; }
    public JsonObject Attributes { get; init; } = [];
    public string Separator { get; init; } = "/";

    public JsonObject ToJson() => new()
    {
        ["zarr_format"] = 3,
        ["node_type"] = "array",
        ["shape"] = new JsonArray(Shape.Select(s => (JsonNode)JsonValue.Create(s)).ToArray()),
        ["data_type"] = DataType.Name(),
        ["chunk_grid"] = new JsonObject
        {
            ["name"] = "regular",
            ["configuration"] = new JsonObject { ["chunk_shape"] = new JsonArray(ChunkShape.Select(s => (JsonNode)JsonValue.Create(s)).ToArray()) },
        },
        ["chunk_key_encoding"] = new JsonObject { ["name"] = "default", ["configuration"] = new JsonObject { ["separator"] = Separator } },
        ["fill_value"] = DataType.FillToJson(FillValue),
        ["codecs"] = new JsonArray(Codecs.Select(c => (JsonNode)WithoutOneByteEndian(c.ToJson())).ToArray()),
        ["attributes"] = Attributes.DeepClone(),
        ["dimension_names"] = DimensionNames is null ? null : new JsonArray(DimensionNames.Select(n => (JsonNode)JsonValue.Create(n)).ToArray()),
    };

    /// <summary>
    /// For one-byte types the bytes codec's endian means nothing, and the spec lets it be left
    /// out; some readers mishandle it (zarrita swaps bools in groups of four), so it is not written.
    /// </summary>
    private JsonObject WithoutOneByteEndian(JsonObject codec)
    {
        if (DataType.Size() != 1) return codec;
        if (codec["name"]?.GetValue<string>() == "bytes") codec.Remove("configuration");
        if (codec["configuration"]?["codecs"] is JsonArray inner)
            foreach (var c in inner)
                if (c is JsonObject o && o["name"]?.GetValue<string>() == "bytes") o.Remove("configuration");
        return codec;
    }

    public static ArrayMetadata FromJson(JsonObject o, string where)
    {
        try
        {
            if (o["zarr_format"]?.GetValue<int>() != 3) throw new ZarrException($"{where}: zarr_format is not 3");
            if (o["node_type"]?.GetValue<string>() != "array") throw new ZarrException($"{where}: node_type is not \"array\"");
            string dt = o["data_type"]?.GetValue<string>() ?? throw new ZarrException($"{where}: no data_type");
            if (!ZarrDataTypes.TryParse(dt, out var type)) throw new ZarrException($"{where}: data_type \"{dt}\" is not supported");
            var grid = o["chunk_grid"] as JsonObject ?? throw new ZarrException($"{where}: no chunk_grid");
            if (grid["name"]?.GetValue<string>() != "regular") throw new ZarrException($"{where}: only the regular chunk grid is supported");
            var shape = (o["shape"] as JsonArray ?? throw new ZarrException($"{where}: no shape"))
                .Select(n => (n ?? throw new ZarrException($"{where}: shape holds a null")).GetValue<long>()).ToArray();
            var chunks = (grid["configuration"]?["chunk_shape"] as JsonArray ?? throw new ZarrException($"{where}: no chunk_shape"))
                .Select(n => (n ?? throw new ZarrException($"{where}: chunk_shape holds a null")).GetValue<int>()).ToArray();
            if (chunks.Length != shape.Length || chunks.Any(c => c <= 0) || shape.Any(s => s < 0))
                throw new ZarrException($"{where}: chunk_shape [{string.Join(",", chunks)}] does not fit shape [{string.Join(",", shape)}]");
            long chunkBytes = type.Size();
            foreach (int c in chunks)
                if ((chunkBytes *= c) > Array.MaxLength)
                    throw new ZarrException($"{where}: chunk_shape [{string.Join(",", chunks)}] of {dt}: a chunk would exceed {Array.MaxLength} bytes");
            var keys = o["chunk_key_encoding"] as JsonObject;
            string keyEncoding = keys?["name"]?.GetValue<string>() ?? "default";
            if (keyEncoding != "default") throw new ZarrException($"{where}: chunk_key_encoding \"{keyEncoding}\" is not supported");
            string separator = keys?["configuration"]?["separator"]?.GetValue<string>() ?? "/";
            var codecs = (o["codecs"] as JsonArray ?? throw new ZarrException($"{where}: no codecs")).Select(n => CodecSpec.FromJson(n, where)).ToList();
            return new ArrayMetadata
            {
                Shape = shape,
                DataType = type,
                ChunkShape = chunks,
                FillValue = type.FillFromJson(o["fill_value"], where),
                Codecs = codecs,
                DimensionNames = (o["dimension_names"] as JsonArray)?.Select(n => n?.GetValue<string>() ?? "").ToArray(),
                Attributes = o["attributes"] as JsonObject is { } a ? (JsonObject)a.DeepClone() : [],
                Separator = separator,
            };
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or JsonException)
        {
            throw new ZarrException($"{where}: not valid Zarr v3 array metadata: {e.Message}", e);
        }
    }
}

internal static class ZarrJson
{
    public const string Key = "zarr.json";

    public static string KeyOf(string path) => path.Length == 0 ? Key : $"{path}/{Key}";

    public static byte[] Encode(JsonObject o) => Encoding.UTF8.GetBytes(o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

    private static readonly JsonDocumentOptions Options = new() { AllowDuplicateProperties = false };

    public static JsonObject Decode(byte[] bytes, string where)
    {
        try
        {
            // Duplicate keys are refused while parsing (they would otherwise surface later, as an ArgumentException).
            return JsonNode.Parse(bytes, documentOptions: Options) as JsonObject ?? throw new ZarrException($"{where}: zarr.json is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new ZarrException($"{where}: zarr.json is not valid JSON at line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}", e);
        }
    }

    public static JsonObject Group(JsonObject? attributes) => new()
    {
        ["zarr_format"] = 3,
        ["node_type"] = "group",
        ["attributes"] = attributes?.DeepClone() ?? new JsonObject(),
    };
}
