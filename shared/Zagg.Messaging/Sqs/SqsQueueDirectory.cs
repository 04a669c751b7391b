using System.Collections.Concurrent;
using System.Globalization;
using Amazon.SQS;
using Amazon.SQS.Model;

namespace Zagg.Messaging.Sqs;

/// <summary>
/// A deployment's queues on one SQS endpoint: creates the service queues and their dead-letter queues (idempotent),
/// and resolves queue names to URLs (cached).
/// </summary>
public sealed class SqsQueueDirectory(IAmazonSQS client, SqsQueueNames names, int maxReceiveCount, TimeSpan visibilityTimeout)
{
    private readonly ConcurrentDictionary<string, string> _urls = new(StringComparer.Ordinal);

    public SqsQueueNames Names { get; } = names;

    /// <summary>Receives after which SQS moves a message to its queue's dead-letter queue.</summary>
    public int MaxReceiveCount { get; } = maxReceiveCount;

    public IAmazonSQS Client { get; } = client;

    /// <summary>
    /// Creates (or finds) every service queue and its dead-letter queue, with a RedrivePolicy of
    /// <see cref="MaxReceiveCount"/> receives; an existing queue keeps its messages and gets the same attributes.
    /// </summary>
    /// <exception cref="AmazonSQSException">SQS refused (no permission, …).</exception>
    public async Task EnsureServiceQueuesAsync(CancellationToken ct)
    {
        foreach (string queue in SqsQueueNames.Services)
            await EnsureAsync(Names.Of(queue), ct).ConfigureAwait(false);
    }

    /// <summary>Creates (or finds) <paramref name="name"/> with its DLQ and redrive policy; returns its URL.</summary>
    public async Task<string> EnsureAsync(string name, CancellationToken ct)
    {
        string dlq = SqsQueueNames.DeadLetter(name);
        string dlqUrl = await CreateAsync(dlq, new Dictionary<string, string> { ["MessageRetentionPeriod"] = "1209600" }, ct).ConfigureAwait(false);
        var arn = await Client.GetQueueAttributesAsync(new GetQueueAttributesRequest(dlqUrl, ["QueueArn"]), ct).ConfigureAwait(false);
        string dlqArn = arn.Attributes?.GetValueOrDefault("QueueArn") ?? throw new InvalidOperationException($"SQS gave no ARN for {dlq}");
        var attributes = new Dictionary<string, string>
        {
            ["RedrivePolicy"] = $"{{\"deadLetterTargetArn\":\"{dlqArn}\",\"maxReceiveCount\":\"{MaxReceiveCount.ToString(CultureInfo.InvariantCulture)}\"}}",
            ["VisibilityTimeout"] = ((int)Math.Ceiling(visibilityTimeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture),
        };
        return await CreateAsync(name, attributes, ct).ConfigureAwait(false);
    }

    /// <summary>Creates a queue of its own for a run's follower (no DLQ: it is deleted after the run).</summary>
    public Task<string> CreateFollowQueueAsync(string name, CancellationToken ct) => CreateAsync(name, new Dictionary<string, string>(), ct);

    /// <summary>Deletes a queue (a run's follow queue); a queue already gone is no error.</summary>
    public async Task DeleteAsync(string name, CancellationToken ct)
    {
        try
        {
            string? url = await FindAsync(name, ct).ConfigureAwait(false);
            if (url is not null) await Client.DeleteQueueAsync(url, ct).ConfigureAwait(false);
        }
        catch (QueueDoesNotExistException) { }
        _urls.TryRemove(name, out _);
    }

    /// <summary>The URL of a queue, or null when it does not exist.</summary>
    public async Task<string?> FindAsync(string name, CancellationToken ct)
    {
        if (_urls.TryGetValue(name, out string? url)) return url;
        try
        {
            url = (await Client.GetQueueUrlAsync(name, ct).ConfigureAwait(false)).QueueUrl;
            return _urls[name] = url;
        }
        catch (QueueDoesNotExistException) { return null; }
    }

    private async Task<string> CreateAsync(string name, Dictionary<string, string> attributes, CancellationToken ct)
    {
        string url;
        try
        {
            url = (await Client.CreateQueueAsync(new CreateQueueRequest { QueueName = name, Attributes = attributes }, ct).ConfigureAwait(false)).QueueUrl;
        }
        catch (QueueNameExistsException)
        {
            // The queue exists with other attributes (an older redrive count): keep it and its messages, set ours.
            url = (await Client.GetQueueUrlAsync(name, ct).ConfigureAwait(false)).QueueUrl;
            if (attributes.Count > 0) await Client.SetQueueAttributesAsync(url, attributes, ct).ConfigureAwait(false);
        }
        return _urls[name] = url;
    }
}
