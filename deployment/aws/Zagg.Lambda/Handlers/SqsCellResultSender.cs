using System.Collections.Concurrent;
using Amazon.SQS;
using Amazon.SQS.Model;
using Zagg.Contracts;
using Zagg.Messaging;
using Zagg.Messaging.Sqs;

namespace Zagg.Lambda.Handlers;

/// <summary>
/// Sends a cell's outcome as the SQS transport's envelope (<see cref="SqsEnvelope"/>, docs/messages.md) to the
/// deployment's consolidation queue and, for the types a run's follower reads, to the follow queue the AggregateCell
/// named. Queue URLs are looked up by name once (<c>GetQueueUrl</c>).
/// </summary>
public sealed class SqsCellResultSender(IAmazonSQS sqs, SqsQueueNames names) : ICellResultSender
{
    private readonly ConcurrentDictionary<string, Task<string>> _urls = new(StringComparer.Ordinal);

    /// <summary>The consolidation queue's URL (looked up at init, so a missing queue is an init error).</summary>
    /// <exception cref="QueueDoesNotExistException">The deployment has no such queue.</exception>
    public Task<string> ConsolidationQueueUrlAsync(CancellationToken ct) => UrlAsync(names.Of(Queues.Consolidation), ct);

    public Task SendAggregatedAsync(CellAggregated result, SqsEnvelope cause, CancellationToken ct) =>
        SendAsync(SqsEnvelope.Wrap(result, cause), cause, ct);

    public Task SendFailedAsync(AggregateCell cell, SqsEnvelope cause, Exception error, int attempt, CancellationToken ct) =>
        SendAsync(SqsEnvelope.Wrap(SqsFault<AggregateCell>.Create(cell, cause.MessageId, error, attempt), cause), cause, ct);

    private async Task SendAsync(SqsEnvelope envelope, SqsEnvelope cause, CancellationToken ct)
    {
        var type = SqsMessageTypes.Find(envelope.MessageType)!;
        string body = envelope.ToJson();
        if (type.Queue is not null) await SendToAsync(names.Of(type.Queue), body, ct).ConfigureAwait(false);
        if (type.Followed && cause.FollowQueue is { } follow) await SendToAsync(follow, body, ct).ConfigureAwait(false);
    }

    private async Task SendToAsync(string queue, string body, CancellationToken ct)
    {
        await sqs.SendMessageAsync(new SendMessageRequest
        {
            QueueUrl = await UrlAsync(queue, ct).ConfigureAwait(false),
            MessageBody = body,
            MessageAttributes = new() { [SqsEnvelope.ContentTypeAttribute] = new MessageAttributeValue { DataType = "String", StringValue = SqsEnvelope.ContentType } },
        }, ct).ConfigureAwait(false);
    }

    private Task<string> UrlAsync(string queue, CancellationToken ct)
    {
        var lookup = _urls.GetOrAdd(queue, q => LookUpAsync(q, ct));
        if (lookup.IsFaulted || lookup.IsCanceled) _urls.TryRemove(new KeyValuePair<string, Task<string>>(queue, lookup));
        return lookup;
    }

    private async Task<string> LookUpAsync(string queue, CancellationToken ct) =>
        (await sqs.GetQueueUrlAsync(new GetQueueUrlRequest { QueueName = queue }, ct).ConfigureAwait(false)).QueueUrl;
}
