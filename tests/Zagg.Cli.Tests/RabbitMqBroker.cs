using Xunit;
using Zagg.Cli.Running;
using Zagg.TestSupport;

namespace Zagg.Cli.Tests;

/// <summary>Runs a test only where rabbitmq-server is installed (.ci/run installs it); under CI its absence is a failure.</summary>
public sealed class NeedsRabbitMqFactAttribute : FactAttribute
{
    public NeedsRabbitMqFactAttribute()
    {
        if (!LocalBroker.IsInstalled && Environment.GetEnvironmentVariable("CI") != "true")
            Skip = "rabbitmq-server is not installed (apt-get install rabbitmq-server; .ci/run does it)";
    }
}

/// <summary>A real RabbitMQ (Debian's rabbitmq-server) on a free loopback port, for the test class.</summary>
public sealed class RabbitMqBroker : IAsyncLifetime
{
    private LocalBroker? _broker;

    public string Url { get; private set; } = "";

    public async Task InitializeAsync()
    {
        if (!LocalBroker.IsInstalled)
        {
            if (Environment.GetEnvironmentVariable("CI") == "true") throw new InvalidOperationException("rabbitmq-server is required under CI but is not installed");
            return;
        }
        int port = LoopbackProcess.FreePort();
        _broker = await LocalBroker.StartAsync(port, TextWriter.Null, CancellationToken.None);
        Url = $"amqp://127.0.0.1:{port}";
    }

    public async Task DisposeAsync()
    {
        if (_broker is not null) await _broker.DisposeAsync();
    }
}
