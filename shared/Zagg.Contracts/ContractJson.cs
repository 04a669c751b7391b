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
    /// <exception cref="JsonException">The JSON is not a <typeparamref name="T"/>.</exception>
    /// <exception cref="ContractVersionException">The message has a newer contract version.</exception>
    public static T Deserialize<T>(string json)
    {
        var message = JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException($"{typeof(T).Name}: the JSON is null");
        if (ContractVersion.Of(message) is int version) ContractVersion.Check(version, typeof(T).Name);
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
[JsonSerializable(typeof(RunCompleted))]
internal sealed partial class ContractJsonContext : JsonSerializerContext;
