using System.Text.Json;
using System.Text.Json.Serialization;
using Zagg.Contracts;

namespace Zagg.Messaging.Sqs;

/// <summary>
/// The JSON of the messages the SQS transport carries (<see cref="SqsMessageTypes"/>): the contracts with
/// <see cref="ContractJson"/>'s metadata, and the faults with <see cref="SqsJsonContext"/>'s, both source-generated
/// (no reflection: trimming- and Native-AOT-safe) with the same rules, so a fault's JSON is what reflection would write.
/// </summary>
internal static class SqsJson
{
    public static JsonSerializerOptions Options { get; } = ContractJson.With(SqsJsonContext.Default);
}

/// <summary>
/// The faults the transport carries (one per <see cref="SqsMessageTypes"/> entry), and the values a fault's exception
/// data holds (<see cref="Faults.Mark"/>: the attempt, the reason; JsonElement when read back).
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SqsFault<RunRequested>))]
[JsonSerializable(typeof(SqsFault<CatalogReady>))]
[JsonSerializable(typeof(SqsFault<TemplateReady>))]
[JsonSerializable(typeof(SqsFault<AggregateCell>))]
[JsonSerializable(typeof(SqsFault<CellsDispatched>))]
[JsonSerializable(typeof(SqsFault<CellAggregated>))]
[JsonSerializable(typeof(SqsFault<SqsFault<AggregateCell>>))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class SqsJsonContext : JsonSerializerContext;
