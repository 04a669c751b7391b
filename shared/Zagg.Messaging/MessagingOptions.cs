namespace Zagg.Messaging;

/// <summary>
/// Where the messages go, and how hard a consumer tries before a message faults and goes to its error queue. Parsed
/// from what a user typed (<see cref="Parse"/>: zagg run's --transport/--rabbitmq/--sqs-prefix, a service's ZAGG_RABBITMQ,
/// ZAGG_SQS_PREFIX; the SQS endpoint from AWS_ENDPOINT_URL_SQS, else the region from AWS_REGION or AWS_DEFAULT_REGION).
/// </summary>
public sealed record MessagingOptions
{
    public const string DefaultRabbitMq = "amqp://127.0.0.1";

    /// <summary>"memory" (everything in one process, no broker), "rabbitmq" or "sqs".</summary>
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

    /// <summary>SQS: the deployment prefix of the queue names (<c>{prefix}-zagg-worker</c>, …).</summary>
    public string? SqsPrefix { get; init; }

    /// <summary>SQS: the endpoint (AWS_ENDPOINT_URL_SQS), or null for the region's.</summary>
    public Uri? SqsEndpoint { get; init; }

    /// <summary>SQS: the region (AWS_REGION, AWS_DEFAULT_REGION); us-east-1 when only an endpoint is given.</summary>
    public string? SqsRegion { get; init; }

    /// <summary>SQS: how long a receive waits for a message (long polling; SQS's longest is 20 s).</summary>
    public TimeSpan SqsWaitTime { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>SQS: how long a received message stays invisible to other receivers; a handler's heartbeat renews it every third of it.</summary>
    public TimeSpan SqsVisibilityTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// SQS: the queues are a deployed stack's (zagg run --backend aws; deployment/aws/template.yaml sets their visibility
    /// timeout and redrive): a host looks every service queue up and fails to start when one is missing, and never creates
    /// or alters one. False: a host creates and configures the queues of the services it runs (<see cref="Sqs.SqsReceiver"/>).
    /// </summary>
    public bool SqsStackQueues { get; init; }

    /// <summary>SQS: receives after which a message goes to its dead-letter queue: the first attempt and the <see cref="Retries"/>.</summary>
    public int SqsMaxReceiveCount => Retries + 1;

    public bool IsRabbitMq => Transport == "rabbitmq";

    public bool IsSqs => Transport == "sqs";

    /// <summary>A transport with a broker or a queue service outside this process (RabbitMQ or SQS).</summary>
    public bool IsDistributed => IsRabbitMq || IsSqs;

    /// <summary>The broker's address for messages: no user or password.</summary>
    public string BrokerForDisplay => IsRabbitMq ? new UriBuilder(RabbitMq) { UserName = "", Password = "" }.Uri.ToString().TrimEnd('/')
        : IsSqs ? $"SQS at {SqsEndpoint?.ToString().TrimEnd('/') ?? $"region {SqsRegion}"} (queues {SqsPrefix}-zagg-*)" : "in-memory";

    /// <summary>The transports a user can name: memory, rabbitmq, sqs.</summary>
    public static IReadOnlyList<string> Transports { get; } = ["memory", "rabbitmq", "sqs"];

    /// <summary>Checks a transport name and broker URL a user typed.</summary>
    /// <param name="transport">"memory", "rabbitmq" or "sqs".</param>
    /// <param name="rabbitMq">An amqp://, amqps:// or rabbitmq:// URL; null for <see cref="DefaultRabbitMq"/>.</param>
    /// <param name="sqsPrefix">With "sqs": the deployment prefix of the queue names (required).</param>
    /// <param name="sqsOption">What the user typed to ask for SQS, named by the errors: "--transport sqs", or zagg run's "--backend aws".</param>
    /// <exception cref="ArgumentException">The transport, the URL, the prefix or the SQS endpoint is wrong; the message names the option and the value (its password hidden).</exception>
    public static MessagingOptions Parse(string transport, string? rabbitMq, string? sqsPrefix = null, string sqsOption = "--transport sqs")
    {
        if (!Transports.Contains(transport))
            throw new ArgumentException($"--transport must be {string.Join(", ", Transports.Take(Transports.Count - 1))} or {Transports[^1]}, not '{transport}'");
        string url = rabbitMq ?? DefaultRabbitMq;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps" or "rabbitmq"))
            throw new ArgumentException($"--rabbitmq must be an amqp:// URL such as {DefaultRabbitMq}, not '{Redact(url)}'");
        var options = new MessagingOptions { Transport = transport, RabbitMq = uri };
        if (transport != "sqs")
        {
            if (sqsPrefix is not null) throw new ArgumentException($"--sqs-prefix names the queues of {sqsOption}: add {sqsOption}");
            return options;
        }
        if (sqsPrefix is null) throw new ArgumentException($"{sqsOption} needs --sqs-prefix P (the deployment's queues are P-zagg-catalog … P-zagg-worker)");
        _ = new Sqs.SqsQueueNames(sqsPrefix);
        string? endpoint = Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_SQS") is { Length: > 0 } e ? e : null;
        string? region = Environment.GetEnvironmentVariable("AWS_REGION") is { Length: > 0 } r ? r
            : Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION") is { Length: > 0 } d ? d : null;
        Uri? sqs = null;
        if (endpoint is not null && (!Uri.TryCreate(endpoint, UriKind.Absolute, out sqs) || sqs.Scheme is not ("http" or "https") || sqs.UserInfo.Length > 0))
            throw new ArgumentException($"AWS_ENDPOINT_URL_SQS must be an http:// or https:// URL without credentials, not '{Redact(endpoint)}'");
        if (sqs is null && region is null)
            throw new ArgumentException($"{sqsOption} needs an endpoint: AWS_ENDPOINT_URL_SQS, or a region in AWS_REGION or AWS_DEFAULT_REGION");
        return options with { SqsPrefix = sqsPrefix, SqsEndpoint = sqs, SqsRegion = region };
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
