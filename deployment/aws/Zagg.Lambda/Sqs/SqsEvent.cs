using System.Globalization;
using System.Text.Json.Serialization;

namespace Zagg.Lambda.Sqs;

/// <summary>
/// The event an SQS event source mapping invokes a function with (AWS Lambda Developer Guide, "Using Lambda with Amazon
/// SQS", example SQS message event): up to the mapping's batch size of messages from one queue.
/// </summary>
public sealed record SqsEvent
{
    [JsonPropertyName("Records")]
    public IReadOnlyList<SqsMessage> Records { get; init; } = [];
}

/// <summary>One message of an <see cref="SqsEvent"/>.</summary>
public sealed record SqsMessage
{
    /// <summary>The message's id: what a partial batch response names to keep it on the queue.</summary>
    [JsonPropertyName("messageId")] public required string MessageId { get; init; }

    [JsonPropertyName("receiptHandle")] public string? ReceiptHandle { get; init; }

    /// <summary>The message body as sent (for Zagg, an envelope around one contract).</summary>
    [JsonPropertyName("body")] public required string Body { get; init; }

    /// <summary>System attributes: ApproximateReceiveCount, SentTimestamp, SenderId, ApproximateFirstReceiveTimestamp (strings).</summary>
    [JsonPropertyName("attributes")] public IReadOnlyDictionary<string, string>? Attributes { get; init; }

    [JsonPropertyName("messageAttributes")] public IReadOnlyDictionary<string, SqsMessageAttribute>? MessageAttributes { get; init; }

    [JsonPropertyName("md5OfBody")] public string? Md5OfBody { get; init; }

    /// <summary>"aws:sqs".</summary>
    [JsonPropertyName("eventSource")] public string? EventSource { get; init; }

    /// <summary>The queue's ARN (arn:aws:sqs:REGION:ACCOUNT:NAME).</summary>
    [JsonPropertyName("eventSourceARN")] public string? EventSourceArn { get; init; }

    [JsonPropertyName("awsRegion")] public string? AwsRegion { get; init; }

    /// <summary>How many times the queue has handed this message out, this time included (1 on the first delivery).</summary>
    [JsonIgnore]
    public int ReceiveCount =>
        Attributes is not null && Attributes.TryGetValue("ApproximateReceiveCount", out string? s)
        && int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : 1;
}

/// <summary>A message attribute as the event carries it (camelCase, unlike the SQS API's).</summary>
public sealed record SqsMessageAttribute
{
    [JsonPropertyName("stringValue")] public string? StringValue { get; init; }
    [JsonPropertyName("binaryValue")] public string? BinaryValue { get; init; }
    [JsonPropertyName("stringListValues")] public IReadOnlyList<string>? StringListValues { get; init; }
    [JsonPropertyName("binaryListValues")] public IReadOnlyList<string>? BinaryListValues { get; init; }
    [JsonPropertyName("dataType")] public string? DataType { get; init; }
}

/// <summary>
/// A partial batch response (the mapping's <c>FunctionResponseTypes: ReportBatchItemFailures</c>): the messages listed stay
/// on the queue (redelivered after the visibility timeout, to the dead-letter queue after the redrive policy's
/// maxReceiveCount); every other message of the batch is deleted.
/// </summary>
public sealed record SqsBatchResponse
{
    [JsonPropertyName("batchItemFailures")]
    public IReadOnlyList<SqsBatchItemFailure> BatchItemFailures { get; init; } = [];
}

public sealed record SqsBatchItemFailure([property: JsonPropertyName("itemIdentifier")] string ItemIdentifier);
