using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Zagg.Contracts;

namespace Zagg.Messaging.Sqs;

/// <summary>
/// One message as the SQS transport carries it: the body of an SQS message is this envelope's JSON, in the shape of
/// MassTransit's JSON envelope (<c>application/vnd.masstransit+json</c>: <c>messageId</c>, <c>correlationId</c>,
/// <c>conversationId</c>, <c>messageType</c> as <c>urn:message:</c> names, <c>message</c>, <c>sentTime</c>,
/// <c>headers</c>), so that a MassTransit SQS transport could read it; <c>message</c> is the contract's own JSON
/// (<see cref="ContractJson"/>), byte for byte. The wire form is documented in docs/messages.md.
/// </summary>
public sealed record SqsEnvelope
{
    /// <summary>The SQS message attribute that names the body's content type (as MassTransit's SQS transport writes it).</summary>
    public const string ContentTypeAttribute = "Content-Type";

    /// <summary>MassTransit's JSON envelope content type.</summary>
    public const string ContentType = "application/vnd.masstransit+json";

    /// <summary>Header: the W3C trace context's traceparent of the span that sent the message.</summary>
    public const string TraceParentHeader = "traceparent";

    /// <summary>Header: the W3C trace context's tracestate.</summary>
    public const string TraceStateHeader = "tracestate";

    /// <summary>Header: the contract version the message was written with (also the message's own <c>version</c>).</summary>
    public const string ContractVersionHeader = "Zagg-Contract-Version";

    /// <summary>Header: the queue (a name) that follows the run's events (zagg run's own queue); carried from message to message.</summary>
    public const string FollowQueueHeader = "Zagg-Follow-Queue";

    /// <summary>This message's id (unique per send; a redelivery keeps it).</summary>
    public required Guid MessageId { get; init; }

    /// <summary>The message's type as a MassTransit message URN, e.g. <c>urn:message:Zagg.Contracts:AggregateCell</c>.</summary>
    public required string MessageType { get; init; }

    /// <summary>The run id of the message (every Zagg contract carries one); also written as the conversation id.</summary>
    public Guid? CorrelationId { get; init; }

    /// <summary>When the message was sent (UTC).</summary>
    public DateTime SentTime { get; init; }

    /// <summary>W3C traceparent of the sending span, or null.</summary>
    public string? TraceParent { get; init; }

    /// <summary>W3C tracestate of the sending span, or null.</summary>
    public string? TraceState { get; init; }

    /// <summary>The contract version (<see cref="Zagg.Contracts.ContractVersion"/>), null for a fault.</summary>
    public int? ContractVersion { get; init; }

    /// <summary>The name of the queue that follows this run's events, or null (see <see cref="FollowQueueHeader"/>).</summary>
    public string? FollowQueue { get; init; }

    /// <summary>The message's own JSON (for a contract, exactly <see cref="ContractJson.Serialize{T}"/>'s).</summary>
    public required string Message { get; init; }

    /// <summary>
    /// Wraps <paramref name="message"/>: a new message id, its run id as correlation, the current span's W3C context, its
    /// contract version, and the follow queue of <paramref name="cause"/> (the message being handled, if any).
    /// </summary>
    /// <param name="message">A contract or a fault of one (a type <see cref="SqsMessageTypes"/> knows).</param>
    /// <param name="cause">The message being handled, or null.</param>
    /// <exception cref="ArgumentException">The message's type is not one the transport carries.</exception>
    public static SqsEnvelope Wrap(object message, SqsEnvelope? cause = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        var type = SqsMessageTypes.Of(message.GetType());
        var activity = Activity.Current;
        bool w3c = activity is { IdFormat: ActivityIdFormat.W3C };
        return new SqsEnvelope
        {
            MessageId = Guid.CreateVersion7(),
            MessageType = type.Urn,
            CorrelationId = type.RunId(message),
            SentTime = DateTime.UtcNow,
            TraceParent = w3c ? activity!.Id : null,
            TraceState = w3c ? activity!.TraceStateString : null,
            ContractVersion = Contracts.ContractVersion.Of(message),
            FollowQueue = cause?.FollowQueue,
            Message = JsonSerializer.Serialize(message, SqsJson.Options.GetTypeInfo(type.ClrType)),
        };
    }

    /// <summary>
    /// The cause to publish with from outside a handler (a client starting a run): no message of its own, only the follow
    /// queue its events are to reach; null when <paramref name="followQueue"/> is null.
    /// </summary>
    public static SqsEnvelope? Following(string? followQueue) =>
        followQueue is null ? null : new SqsEnvelope { MessageId = Guid.Empty, MessageType = "", Message = "{}", FollowQueue = followQueue };

    /// <summary>Reads the message as the type its <see cref="MessageType"/> names, refusing a newer contract version.</summary>
    /// <exception cref="SqsEnvelopeException">The type is not one the transport carries, or the JSON is not that type.</exception>
    /// <exception cref="ContractVersionException">The message was written by a newer contract version.</exception>
    public object Open()
    {
        object message = Read();
        if (Contracts.ContractVersion.Of(message) is int version) Contracts.ContractVersion.Check(version, SqsMessageTypes.Find(MessageType)!.Name);
        return message;
    }

    /// <summary>Reads the message as the type its <see cref="MessageType"/> names, without the version check (the receiver checks it as a handler's failure, so that it faults).</summary>
    /// <exception cref="SqsEnvelopeException">The type is not one the transport carries, or the JSON is not that type.</exception>
    internal object Read()
    {
        var type = SqsMessageTypes.Find(MessageType) ?? throw new SqsEnvelopeException($"message {MessageId}: unknown message type '{MessageType}'");
        try { return JsonSerializer.Deserialize(Message, SqsJson.Options.GetTypeInfo(type.ClrType)) ?? throw new JsonException("the message is null"); }
        catch (JsonException e) { throw new SqsEnvelopeException($"message {MessageId}: not a {type.Name}: {e.Message}"); }
    }

    /// <summary>The envelope's JSON: the SQS message body.</summary>
    public string ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>(Message.Length + 512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("messageId", MessageId);
            if (CorrelationId is Guid run)
            {
                w.WriteString("correlationId", run);
                w.WriteString("conversationId", run);
            }
            w.WriteStartArray("messageType");
            w.WriteStringValue(MessageType);
            w.WriteEndArray();
            w.WritePropertyName("message");
            w.WriteRawValue(Message, skipInputValidation: true);
            w.WriteString("sentTime", SentTime.ToString("O", CultureInfo.InvariantCulture));
            w.WriteStartObject("headers");
            if (TraceParent is not null) w.WriteString(TraceParentHeader, TraceParent);
            if (TraceState is not null) w.WriteString(TraceStateHeader, TraceState);
            if (ContractVersion is int v) w.WriteNumber(ContractVersionHeader, v);
            if (FollowQueue is not null) w.WriteString(FollowQueueHeader, FollowQueue);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Reads an SQS message body.</summary>
    /// <param name="body">The body, as <see cref="ToJson"/> writes it.</param>
    /// <exception cref="SqsEnvelopeException">The body is not such an envelope (the message names what is missing).</exception>
    public static SqsEnvelope Parse(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new SqsEnvelopeException("an SQS message body is not a JSON object");
            if (!root.TryGetProperty("messageId", out var id) || !id.TryGetGuid(out var messageId))
                throw new SqsEnvelopeException("an SQS message body has no messageId");
            if (!root.TryGetProperty("messageType", out var types) || types.ValueKind != JsonValueKind.Array || types.GetArrayLength() == 0
                || types[0].GetString() is not { } messageType)
                throw new SqsEnvelopeException($"message {messageId}: no messageType");
            if (!root.TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.Object)
                throw new SqsEnvelopeException($"message {messageId}: no message");
            Guid? correlation = root.TryGetProperty("correlationId", out var c) && c.TryGetGuid(out var g) ? g : null;
            DateTime sent = root.TryGetProperty("sentTime", out var s) && s.TryGetDateTime(out var t) ? t.ToUniversalTime() : default;
            string? traceParent = null, traceState = null, follow = null;
            int? version = null;
            if (root.TryGetProperty("headers", out var headers) && headers.ValueKind == JsonValueKind.Object)
            {
                traceParent = Text(headers, TraceParentHeader);
                traceState = Text(headers, TraceStateHeader);
                follow = Text(headers, FollowQueueHeader);
                if (headers.TryGetProperty(ContractVersionHeader, out var cv) && cv.TryGetInt32(out int n)) version = n;
            }
            return new SqsEnvelope
            {
                MessageId = messageId,
                MessageType = messageType,
                CorrelationId = correlation,
                SentTime = sent,
                TraceParent = traceParent,
                TraceState = traceState,
                ContractVersion = version,
                FollowQueue = follow,
                Message = message.GetRawText(),
            };
        }
        catch (JsonException e) { throw new SqsEnvelopeException($"an SQS message body is not JSON: {e.Message}"); }
        catch (InvalidOperationException e) { throw new SqsEnvelopeException($"an SQS message body is not a message envelope: {e.Message}"); }
    }

    private static string? Text(JsonElement headers, string name) =>
        headers.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}

/// <summary>An SQS message that is not a Zagg message envelope, or names a type the transport does not carry (never retried).</summary>
public sealed class SqsEnvelopeException(string message) : FormatException(message);
