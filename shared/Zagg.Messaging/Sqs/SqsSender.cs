using System.Globalization;
using Amazon.SQS.Model;

namespace Zagg.Messaging.Sqs;

/// <summary>
/// Sends messages to their queues (<see cref="SqsMessageTypes"/>' routing) in batches of 10 (SendMessageBatch); entries
/// SQS reports failed are sent again, up to 3 more times, before the send fails.
/// </summary>
public sealed class SqsSender(SqsQueueDirectory queues)
{
    /// <summary>SQS's largest batch.</summary>
    public const int BatchSize = 10;

    private const int Resends = 3;

    public SqsQueueDirectory Queues { get; } = queues;

    /// <summary>Publishes <paramref name="messages"/>, each wrapped with <paramref name="cause"/>'s follow queue.</summary>
    /// <param name="messages">Contracts or faults.</param>
    /// <param name="cause">The message being handled (its follow queue is carried on), or null.</param>
    /// <param name="ct">Cancels the sends.</param>
    /// <exception cref="SqsSendException">Entries still failed after the resends.</exception>
    public async Task PublishAsync(IReadOnlyList<object> messages, SqsEnvelope? cause, CancellationToken ct)
    {
        var byQueue = new Dictionary<string, List<SqsEnvelope>>(StringComparer.Ordinal);
        foreach (object message in messages)
        {
            var type = SqsMessageTypes.Of(message.GetType());
            var envelope = SqsEnvelope.Wrap(message, cause);
            if (type.Queue is not null) Add(byQueue, Queues.Names.Of(type.Queue), envelope);
            if (type.Followed && envelope.FollowQueue is { } follow) Add(byQueue, follow, envelope);
        }
        foreach (var (queue, envelopes) in byQueue)
        {
            bool follow = envelopes[0].FollowQueue == queue;
            // A service queue is its owner's to create (a service starting beside this one, or the deployed stack).
            string? url = follow ? await Queues.FindAsync(queue, ct).ConfigureAwait(false) : await Queues.WaitForAsync(queue, ct).ConfigureAwait(false);
            if (url is null)
            {
                // A follower that is gone (zagg run ended) misses nothing it still needs.
                if (follow) continue;
                throw new SqsSendException($"queue {queue} does not exist (its service has not created it)");
            }
            await SendAsync(url, envelopes, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Publishes one message from outside a handler (a client starting a run), its events followed on <paramref name="followQueue"/>.</summary>
    /// <param name="message">A contract.</param>
    /// <param name="followQueue">The follow queue's name (<see cref="SqsQueueNames.Follow"/>), or null.</param>
    /// <param name="ct">Cancels the send.</param>
    /// <exception cref="SqsSendException">SQS did not accept it.</exception>
    public Task PublishAsync(object message, string? followQueue, CancellationToken ct) =>
        PublishAsync([message], SqsEnvelope.Following(followQueue), ct);

    /// <summary>Sends envelopes to one queue, in batches of <see cref="BatchSize"/>.</summary>
    /// <exception cref="SqsSendException">Entries still failed after the resends (the message names the first reason).</exception>
    public async Task SendAsync(string queueUrl, IReadOnlyList<SqsEnvelope> envelopes, CancellationToken ct)
    {
        for (int start = 0; start < envelopes.Count; start += BatchSize)
        {
            var entries = new List<SendMessageBatchRequestEntry>(BatchSize);
            for (int i = start; i < Math.Min(start + BatchSize, envelopes.Count); i++)
                entries.Add(Entry(i - start, envelopes[i]));
            for (int attempt = 0; ; attempt++)
            {
                var response = await Queues.Client.SendMessageBatchAsync(new SendMessageBatchRequest(queueUrl, entries), ct).ConfigureAwait(false);
                if (response.Failed is not { Count: > 0 } failed) break;
                if (attempt == Resends)
                    throw new SqsSendException($"{failed.Count} of {entries.Count} messages were not sent to {queueUrl}: {failed[0].Code} {failed[0].Message}");
                var again = new HashSet<string>(StringComparer.Ordinal);
                foreach (var f in failed) again.Add(f.Id);
                entries = entries.FindAll(e => again.Contains(e.Id));
                await Task.Delay(TimeSpan.FromMilliseconds(100 << attempt), ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Sends one SQS body as it is (a message moved to a dead-letter queue).</summary>
    public Task SendRawAsync(string queueUrl, string body, CancellationToken ct) =>
        Queues.Client.SendMessageAsync(new SendMessageRequest(queueUrl, body) { MessageAttributes = ContentTypeAttributes() }, ct);

    private static SendMessageBatchRequestEntry Entry(int id, SqsEnvelope envelope) => new(id.ToString(CultureInfo.InvariantCulture), envelope.ToJson())
    {
        MessageAttributes = ContentTypeAttributes(),
    };

    private static Dictionary<string, MessageAttributeValue> ContentTypeAttributes() => new()
    {
        [SqsEnvelope.ContentTypeAttribute] = new MessageAttributeValue { DataType = "String", StringValue = SqsEnvelope.ContentType },
    };

    private static void Add(Dictionary<string, List<SqsEnvelope>> byQueue, string queue, SqsEnvelope envelope)
    {
        if (!byQueue.TryGetValue(queue, out var list)) byQueue[queue] = list = [];
        list.Add(envelope);
    }
}

/// <summary>Messages SQS did not accept.</summary>
public sealed class SqsSendException(string message) : Exception(message);
