using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Zagg.Messaging;

/// <summary>The one way every host sets up its bus: the chosen transport, the services' consumers, their endpoints.</summary>
public static class ZaggBus
{
    /// <summary>
    /// Adds MassTransit with <paramref name="options"/>' transport (in-memory, or RabbitMQ at <see cref="MessagingOptions.RabbitMq"/>;
    /// guest/guest when the URL names no user), the consumers <paramref name="consumers"/> registers, and an endpoint per consumer
    /// definition. The bus starts with the host (which waits until it is started) and is given 10 s to stop. Its ids take
    /// this process's random worker id (<see cref="ProcessWorkerId"/>), not a network interface's address. The bus's health
    /// check joins the host's <c>/health</c>. MassTransit's usage telemetry (reported to its makers) is off.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="options">The transport and retry settings; registered as a singleton for the consumer definitions.</param>
    /// <param name="consumers">Registers the consumers (for example <c>x =&gt; x.AddWorkerService()</c>).</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddZaggBus(this IServiceCollection services, MessagingOptions options, Action<IBusRegistrationConfigurator> consumers)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(consumers);
        // Before the bus makes its first id: no network probe for NewId's worker id.
        ProcessWorkerId.Use();
        services.AddSingleton(options);
        services.AddOptions<MassTransitHostOptions>().Configure(o =>
        {
            o.WaitUntilStarted = true;
            o.StopTimeout = TimeSpan.FromSeconds(10);
        });
        services.AddMassTransit(x =>
        {
            // MassTransit 8.4+ collects "usage telemetry" while the bus is configured (observers on every endpoint) and reports
            // it over HTTP to its makers a while after the bus starts: Zagg talks only to what it is told to (a broker, the
            // stores, the granules' servers), and a short run saves the observers' work.
            x.DisableUsageTelemetry();
            RunTimeline.Observe(x);
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
                    cfg.UseContractMetadata();
                    cfg.ConfigureEndpoints(context);
                });
            }
            else
            {
                x.UsingInMemory((context, cfg) =>
                {
                    cfg.UseContractMetadata();
                    cfg.ConfigureEndpoints(context);
                });
            }
        });
        return services;
    }

    /// <summary>
    /// The contracts are (de)serialized with their compile-time metadata (<see cref="Zagg.Contracts.ContractJson.Metadata"/>);
    /// everything else (MassTransit's envelope, faults) as MassTransit does. Tests' buses call it too.
    /// </summary>
    public static void UseContractMetadata(this IBusFactoryConfigurator cfg) =>
        cfg.ConfigureJsonSerializerOptions(options =>
        {
            options.TypeInfoResolverChain.Insert(0, Zagg.Contracts.ContractJson.Metadata);
            return options;
        });
}
