using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Zagg.ServiceDefaults.Messaging;

/// <summary>The queues of Zagg's services: one per service, named so operators can find them.</summary>
public static class Queues
{
    public const string Catalog = "zagg-catalog";
    public const string Template = "zagg-template";
    public const string Dispatcher = "zagg-dispatcher";
    public const string Worker = "zagg-worker";
    public const string Consolidation = "zagg-consolidation";

    /// <summary>Where the dispatcher sends AggregateCell (a send declares the queue, so no cell is lost before a worker starts).</summary>
    public static readonly Uri WorkerAddress = new($"queue:{Worker}");
}

/// <summary>The one way every host sets up its bus: the chosen transport, the services' consumers, their endpoints.</summary>
public static class ZaggBus
{
    public static IServiceCollection AddZaggBus(this IServiceCollection services, MessagingOptions options, Action<IBusRegistrationConfigurator> consumers)
    {
        services.AddSingleton(options);
        services.AddOptions<MassTransitHostOptions>().Configure(o =>
        {
            o.WaitUntilStarted = true;
            o.StopTimeout = TimeSpan.FromSeconds(10);
        });
        services.AddMassTransit(x =>
        {
            consumers(x);
            if (options.IsRabbitMq)
            {
                x.UsingRabbitMq((context, cfg) =>
                {
                    var uri = options.RabbitMq;
                    string user = Uri.UnescapeDataString(uri.UserInfo.Split(':')[0]);
                    string password = uri.UserInfo.Contains(':') ? Uri.UnescapeDataString(uri.UserInfo[(uri.UserInfo.IndexOf(':') + 1)..]) : "";
                    var host = new UriBuilder(uri) { UserName = "", Password = "" }.Uri;
                    cfg.Host(host, h =>
                    {
                        h.Username(user.Length > 0 ? user : "guest");
                        h.Password(user.Length > 0 ? password : "guest");
                    });
                    UseContractMetadata(cfg);
                    cfg.ConfigureEndpoints(context);
                });
            }
            else
            {
                x.UsingInMemory((context, cfg) =>
                {
                    UseContractMetadata(cfg);
                    cfg.ConfigureEndpoints(context);
                });
            }
        });
        return services;
    }

    /// <summary>The contracts are (de)serialized with their compile-time metadata; everything else as MassTransit does.</summary>
    private static void UseContractMetadata(IBusFactoryConfigurator cfg) =>
        cfg.ConfigureJsonSerializerOptions(options =>
        {
            options.TypeInfoResolverChain.Insert(0, Zagg.Contracts.ContractJson.Metadata);
            return options;
        });

    /// <summary>The retry policy every Zagg endpoint uses: exponential backoff, nothing retried that cannot get better.</summary>
    public static void UseZaggRetry(this IReceiveEndpointConfigurator endpoint, MessagingOptions options, params Type[] permanent)
    {
        endpoint.UseMessageRetry(r =>
        {
            r.Exponential(options.Retries, options.RetryMin, options.RetryMax, options.RetryMin);
            foreach (var t in permanent) r.Ignore(t);
        });
    }
}

/// <summary>
/// A Zagg consumer's definition: its queue, and the retry policy with the failures that retrying cannot
/// mend (those go straight to the consumer's final handling).
/// </summary>
public abstract class ZaggConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer> where TConsumer : class, IConsumer
{
    private readonly Type[] _permanent;

    protected ZaggConsumerDefinition(MessagingOptions options, string queue, Type[] permanent)
    {
        Options = options;
        _permanent = permanent;
        EndpointName = queue;
    }

    protected MessagingOptions Options { get; }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<TConsumer> consumer, IRegistrationContext context) =>
        endpoint.UseZaggRetry(Options, _permanent);
}
