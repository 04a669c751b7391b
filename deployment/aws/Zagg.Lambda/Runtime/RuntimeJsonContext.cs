using System.Text.Json.Serialization;
using Zagg.Lambda.Sqs;

namespace Zagg.Lambda.Runtime;

/// <summary>The Lambda-side JSON (the SQS event, the partial batch response, the error document), generated at compile time: AOT-safe.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LambdaError))]
[JsonSerializable(typeof(SqsEvent))]
[JsonSerializable(typeof(SqsBatchResponse))]
internal sealed partial class RuntimeJsonContext : JsonSerializerContext;
