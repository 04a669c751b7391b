using System.Buffers;

namespace Zagg.Messaging.Sqs;

/// <summary>
/// The SQS queue names of a deployment: <c>{prefix}-zagg-catalog</c> … <c>{prefix}-zagg-worker</c>, each with its
/// dead-letter queue <c>{name}-dlq</c>, and a run follower's <c>{prefix}-zagg-run-{runId:N}</c>.
/// </summary>
public sealed class SqsQueueNames
{
    /// <summary>The longest prefix: the longest name, a follow queue, stays within SQS's 80 characters.</summary>
    public const int MaxPrefixLength = 40;

    private static readonly SearchValues<char> Allowed = SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_");

    /// <param name="prefix">The deployment prefix: 1–40 letters, digits, '-' or '_'.</param>
    /// <exception cref="ArgumentException">The prefix is empty, too long or has another character.</exception>
    public SqsQueueNames(string prefix)
    {
        if (string.IsNullOrEmpty(prefix) || prefix.Length > MaxPrefixLength || prefix.AsSpan().IndexOfAnyExcept(Allowed) >= 0)
            throw new ArgumentException($"--sqs-prefix must be 1–{MaxPrefixLength} letters, digits, '-' or '_', not '{prefix}'");
        Prefix = prefix;
    }

    public string Prefix { get; }

    /// <summary>The queue of a service (<paramref name="queue"/> one of <see cref="Queues"/>): <c>{prefix}-{queue}</c>.</summary>
    public string Of(string queue) => $"{Prefix}-{queue}";

    /// <summary>The dead-letter queue of a queue: <c>{name}-dlq</c>.</summary>
    public static string DeadLetter(string queueName) => queueName + "-dlq";

    /// <summary>The queue zagg run follows a run's events on: <c>{prefix}-zagg-run-{runId:N}</c> (deleted after the run).</summary>
    public string Follow(Guid runId) => $"{Prefix}-zagg-run-{runId:N}";

    /// <summary>The five service queues, in the order of the flow.</summary>
    public static IReadOnlyList<string> Services { get; } = [Queues.Catalog, Queues.Template, Queues.Dispatcher, Queues.Worker, Queues.Consolidation];
}
