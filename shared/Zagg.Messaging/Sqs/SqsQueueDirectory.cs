using System.Collections.Concurrent;
using System.Globalization;
using Amazon.SQS;
using Amazon.SQS.Model;

namespace Zagg.Messaging.Sqs;

/// <summary>
/// A deployment's queues on one SQS endpoint: creates and configures the queues a host owns (the queues of the services
/// it runs, each with its dead-letter queue), and resolves the names of the others to URLs (cached), never altering them.
/// </summary>
public sealed class SqsQueueDirectory(IAmazonSQS client, SqsQueueNames names, int maxReceiveCount, TimeSpan visibilityTimeout)
{
    private readonly ConcurrentDictionary<string, string> _urls = new(StringComparer.Ordinal);

    public SqsQueueNames Names { get; } = names;

    /// <summary>Receives after which SQS moves a message to its queue's dead-letter queue.</summary>
    public int MaxReceiveCount { get; } = maxReceiveCount;

    public IAmazonSQS Client { get; } = client;

    /// <summary>
    /// How long a send waits for a service queue that does not exist yet to be created by its owner (a service starting
    /// beside this one); zero (the default) fails at once, as against a deployed stack.
    /// </summary>
    public TimeSpan MissingQueueWait { get; init; }

    /// <summary>
    /// Creates (or finds) the queue <paramref name="name"/>, which this host owns, and its dead-letter queue, with a
    /// RedrivePolicy of <see cref="MaxReceiveCount"/> receives and the visibility timeout; an existing queue keeps its
    /// messages and gets these attributes. Only for a queue of a service this host runs: another's is looked up
    /// (<see cref="FindAsync"/>), never configured.
    /// </summary>
    /// <returns>The queue's URL.</returns>
    /// <exception cref="AmazonSQSException">SQS refused (no permission, …).</exception>
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

    /// <summary>
    /// The URL of a service queue this host sends to but does not own: looked up, waiting up to
    /// <see cref="MissingQueueWait"/> for its owner to create it.
    /// </summary>
    /// <returns>The URL, or null when the queue still does not exist.</returns>
    public async Task<string?> WaitForAsync(string name, CancellationToken ct)
    {
        var until = DateTime.UtcNow + MissingQueueWait;
        while (true)
        {
            if (await FindAsync(name, ct).ConfigureAwait(false) is { } url) return url;
            if (DateTime.UtcNow >= until) return null;
            await Task.Delay(TimeSpan.FromMilliseconds(250), ct).ConfigureAwait(false);
        }
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
