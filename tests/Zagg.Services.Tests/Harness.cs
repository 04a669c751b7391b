using Microsoft.Extensions.Logging;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Zagg.Messaging;

namespace Zagg.Services.Tests;

/// <summary>MassTransit's in-memory test harness with some of Zagg's services, their real definitions (queues, retries, contract filter) and serializer setup.</summary>
internal sealed class Harness : IAsyncDisposable
{
    public static readonly MessagingOptions FastRetries = new() { Retries = 2, RetryMin = TimeSpan.FromMilliseconds(10), RetryMax = TimeSpan.FromMilliseconds(40), WorkerConcurrency = 2 };

    private readonly ServiceProvider _provider;
    public ITestHarness Test { get; }
    public IServiceProvider Services => _provider;

    private Harness(ServiceProvider provider)
    {
        _provider = provider;
        Test = provider.GetRequiredService<ITestHarness>();
    }

    public static async Task<Harness> StartAsync(Action<IBusRegistrationConfigurator> services, MessagingOptions? options = null)
    {
        var collection = new ServiceCollection();
        collection.AddSingleton(options ?? FastRetries);
        collection.AddLogging(b => { if (Environment.GetEnvironmentVariable("ZAGG_TEST_LOG") == "1") b.AddSimpleConsole(); });
        collection.AddMassTransitTestHarness(x =>
        {
            services(x);
            x.UsingInMemory((context, cfg) =>
            {
                cfg.UseContractMetadata();
                cfg.ConfigureEndpoints(context);
            });
        });
        var harness = new Harness(collection.BuildServiceProvider(validateScopes: true));
        harness.Test.TestTimeout = TimeSpan.FromSeconds(60);
        harness.Test.TestInactivityTimeout = TimeSpan.FromSeconds(2);
        await harness.Test.Start();
        return harness;
    }

    /// <summary>Waits for a published message that matches.</summary>
    public async Task<T> PublishedAsync<T>(Func<T, bool>? match = null) where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            foreach (var m in Test.Published.Select<T>())
                if (match?.Invoke(m.Context.Message) ?? true) return m.Context.Message;
            await Task.Delay(20);
        }
        throw new TimeoutException($"no {typeof(T).Name} was published");
    }

    public async ValueTask DisposeAsync()
    {
        await Test.Stop();
        await _provider.DisposeAsync();
    }
}
