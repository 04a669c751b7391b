namespace Zagg.Messaging;

/// <summary>
/// Where the messages go, and how hard a consumer tries before a message faults and goes to its error queue. Parsed
/// from what a user typed (<see cref="Parse"/>: zagg run's --transport/--rabbitmq, a service's ZAGG_RABBITMQ).
/// </summary>
public sealed record MessagingOptions
{
    public const string DefaultRabbitMq = "amqp://127.0.0.1";

    /// <summary>"memory" (everything in one process, no broker) or "rabbitmq".</summary>
    public string Transport { get; init; } = "memory";

    /// <summary>The broker: amqp://[user:password@]host[:port][/vhost]; guest/guest when no user is given.</summary>
    public Uri RabbitMq { get; init; } = new(DefaultRabbitMq);

    /// <summary>Retries after the first attempt, with exponential backoff between <see cref="RetryMin"/> and <see cref="RetryMax"/>.</summary>
    public int Retries { get; init; } = 3;

    /// <summary>The first retry's delay (and the step by which the delays grow).</summary>
    public TimeSpan RetryMin { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest delay between two attempts.</summary>
    public TimeSpan RetryMax { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Cells a worker process aggregates at once (and prefetches); default: the core count.</summary>
    public int WorkerConcurrency { get; init; } = Environment.ProcessorCount;

    public bool IsRabbitMq => Transport == "rabbitmq";

    /// <summary>The broker's address for messages: no user or password.</summary>
    public string BrokerForDisplay => IsRabbitMq ? new UriBuilder(RabbitMq) { UserName = "", Password = "" }.Uri.ToString().TrimEnd('/') : "in-memory";

    /// <summary>Checks a transport name and broker URL a user typed.</summary>
    /// <param name="transport">"memory" or "rabbitmq".</param>
    /// <param name="rabbitMq">An amqp://, amqps:// or rabbitmq:// URL; null for <see cref="DefaultRabbitMq"/>.</param>
    /// <exception cref="ArgumentException">The transport or the URL is wrong; the message names the option and the value (its password hidden).</exception>
    public static MessagingOptions Parse(string transport, string? rabbitMq)
    {
        if (transport is not ("memory" or "rabbitmq")) throw new ArgumentException($"--transport must be memory or rabbitmq, not '{transport}'");
        string url = rabbitMq ?? DefaultRabbitMq;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps" or "rabbitmq"))
            throw new ArgumentException($"--rabbitmq must be an amqp:// URL such as {DefaultRabbitMq}, not '{Redact(url)}'");
        return new MessagingOptions { Transport = transport, RabbitMq = uri };
    }

    /// <summary>A URL with any password replaced by ***, for messages.</summary>
    public static string Redact(string url)
    {
        int at = url.IndexOf('@'), scheme = url.IndexOf("://", StringComparison.Ordinal);
        if (at < 0 || scheme < 0 || at < scheme) return url;
        string user = url[(scheme + 3)..at];
        int colon = user.IndexOf(':');
        return colon < 0 ? url : url[..(scheme + 3)] + user[..colon] + ":***" + url[at..];
    }
}
