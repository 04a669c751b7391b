using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Zagg.Contracts;

/// <summary>
/// The wire form of the contracts outside MassTransit (SQS bodies, the run ledger, tests):
/// camelCase System.Text.Json, nulls omitted. MassTransit's own envelope uses the same serializer. Every type is
/// (de)serialized from source-generated metadata (no reflection: trimming- and Native-AOT-safe); a library that writes
/// types of its own with these rules adds its JsonSerializerContext with <see cref="With"/>.
/// </summary>
public static class ContractJson
{
    /// <summary>The contracts' options: camelCase (JsonSerializerDefaults.Web), nulls omitted; the contracts only.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        TypeInfoResolver = ContractJsonContext.Default,
    };

    /// <summary>
    /// <see cref="Options"/> that also resolve <paramref name="more"/>'s types (a library's source-generated context
    /// declared with the same <c>[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition =
    /// WhenWritingNull)]</c>, so its JSON follows the same rules); the contracts resolve first.
    /// </summary>
    public static JsonSerializerOptions With(IJsonTypeInfoResolver more) => new(Options)
    {
        TypeInfoResolver = JsonTypeInfoResolver.Combine(ContractJsonContext.Default, more),
    };

    /// <summary>
    /// The contracts' serialization metadata, generated at compile time (no reflection or code generation at run
    /// time); a serializer's options put it first in their resolver chain, as the bus does.
    /// </summary>
    public static IJsonTypeInfoResolver Metadata => ContractJsonContext.Default;

    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not a contract.</exception>
    public static string Serialize<T>(T message) => JsonSerializer.Serialize(message, TypeInfo<T>());

    /// <summary>Reads a message, refusing one written by a newer contract version.</summary>
    /// <exception cref="JsonException">The JSON is not a <typeparamref name="T"/>.</exception>
    /// <exception cref="ContractVersionException">The message has a newer contract version.</exception>
    public static T Deserialize<T>(string json)
    {
        var message = JsonSerializer.Deserialize(json, TypeInfo<T>()) ?? throw new JsonException($"{typeof(T).Name}: the JSON is null");
        if (ContractVersion.Of(message) is int version) ContractVersion.Check(version, typeof(T).Name);
        return message;
    }

    private static JsonTypeInfo<T> TypeInfo<T>() => (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));
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
