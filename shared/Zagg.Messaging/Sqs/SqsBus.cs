using Amazon;
using Amazon.SQS;
using Microsoft.Extensions.DependencyInjection;

namespace Zagg.Messaging.Sqs;

/// <summary>The SQS transport's setup for a host: the client, the deployment's queues, the sender and the handlers' receiver.</summary>
public static class SqsBus
{
    /// <summary>How long a send waits for a service queue its owner has not created yet (the services of a deployment start side by side).</summary>
    public static readonly TimeSpan OwnerWait = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Adds the SQS transport with <paramref name="options"/>' endpoint and prefix, and the handlers
    /// <paramref name="handlers"/> registers (for example <c>x =&gt; x.AddWorkerHandlers()</c>). The host's own queues
    /// are created when it starts (<see cref="SqsReceiver"/>); a host that cannot reach SQS, or whose stack lacks a queue
    /// (<see cref="MessagingOptions.SqsStackQueues"/>), fails to start with <see cref="SqsUnavailableException"/>.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="options">An SQS <see cref="MessagingOptions"/> (<see cref="MessagingOptions.IsSqs"/>); registered as a singleton.</param>
    /// <param name="handlers">Registers the handlers.</param>
    /// <exception cref="ArgumentException"><paramref name="options"/> is not for SQS.</exception>
    public static IServiceCollection AddZaggSqs(this IServiceCollection services, MessagingOptions options, Action<SqsHandlerRegistry> handlers)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handlers);
        if (!options.IsSqs || options.SqsPrefix is null) throw new ArgumentException("the SQS transport needs --transport sqs and a prefix", nameof(options));
        services.AddSingleton(options);
        var registry = new SqsHandlerRegistry(services, options);
        handlers(registry);
        services.AddSingleton(registry);
        services.AddSingleton<IAmazonSQS>(_ => CreateClient(options));
        services.AddSingleton(sp => new SqsQueueDirectory(sp.GetRequiredService<IAmazonSQS>(), new SqsQueueNames(options.SqsPrefix),
            options.SqsMaxReceiveCount, options.SqsVisibilityTimeout) { MissingQueueWait = options.SqsStackQueues ? TimeSpan.Zero : OwnerWait });
        services.AddSingleton<SqsSender>();
        services.AddHostedService<SqsReceiver>();
        return services;
    }

    /// <summary>
    /// A client for <paramref name="options"/>' endpoint (<see cref="MessagingOptions.SqsEndpoint"/>, signed for its region
    /// or us-east-1) or region; credentials from the SDK's default chain (the AWS variables, profile, instance role).
    /// </summary>
    public static AmazonSQSClient CreateClient(MessagingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new AmazonSQSConfig { MaxErrorRetry = 2, Timeout = TimeSpan.FromSeconds(30) };
        if (options.SqsEndpoint is { } endpoint)
        {
            config.ServiceURL = endpoint.ToString();
            config.AuthenticationRegion = options.SqsRegion ?? "us-east-1";
        }
        else config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.SqsRegion ?? "us-east-1");
        return new AmazonSQSClient(config);
    }
}
