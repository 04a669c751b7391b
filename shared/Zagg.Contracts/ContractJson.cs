using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Zagg.Contracts;

/// <summary>
/// The wire form of the contracts outside MassTransit (SQS bodies, the run ledger, tests):
/// camelCase System.Text.Json, nulls omitted. MassTransit's own envelope uses the same serializer.
/// </summary>
public static class ContractJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        TypeInfoResolver = JsonTypeInfoResolver.Combine(ContractJsonContext.Default, new DefaultJsonTypeInfoResolver()),
    };

    /// <summary>
    /// The contracts' serialization metadata, generated at compile time (no reflection or code generation at run
    /// time); a serializer's options put it first in their resolver chain, as the bus does.
    /// </summary>
    public static IJsonTypeInfoResolver Metadata => ContractJsonContext.Default;

    public static string Serialize<T>(T message) => JsonSerializer.Serialize(message, Options);

    /// <summary>Reads a message, refusing one written by a newer contract version.</summary>
    public static T Deserialize<T>(string json)
    {
        var message = JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException($"{typeof(T).Name}: the JSON is null");
        int version = message switch
        {
            RunRequested m => m.Version,
            CatalogReady m => m.Version,
            TemplateReady m => m.Version,
            CellsDispatched m => m.Version,
            AggregateCell m => m.Version,
            CellAggregated m => m.Version,
            CellFailed m => m.Version,
            RunCompleted m => m.Version,
            _ => ContractVersion.Current,
        };
        ContractVersion.Check(version, typeof(T).Name);
        return message;
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RunRequested))]
[JsonSerializable(typeof(CatalogReady))]
[JsonSerializable(typeof(TemplateReady))]
[JsonSerializable(typeof(CellsDispatched))]
[JsonSerializable(typeof(AggregateCell))]
[JsonSerializable(typeof(CellAggregated))]
[JsonSerializable(typeof(CellFailed))]
[JsonSerializable(typeof(RunCompleted))]
internal sealed partial class ContractJsonContext : JsonSerializerContext;
