using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace Zagg.AppHost.Broker;

/// <summary>
/// Debian's rabbitmq-server as Aspire executable resources, for machines without a container runtime: its own
/// <c>epmd -address 127.0.0.1 -port P</c> (so no epmd daemon outlives the AppHost) and the server on loopback ports of
/// its own, its state in a run folder under the temp folder (removed when the AppHost stops), an AMQP health check so
/// WaitFor waits until it accepts clients. Both end with the AppHost.
/// </summary>
internal static class DebianRabbitMq
{
    /// <summary>Adds "epmd" and "rabbitmq"; returns the server and the URL the services get (user guest, loopback only).</summary>
    public static (IResourceBuilder<ExecutableResource> Server, Uri Url) Add(IDistributedApplicationBuilder builder, string runFolder)
    {
        int amqp = FreePort.Next(), dist = FreePort.Next(), epmdPort = FreePort.Next();
        string Text(int v) => v.ToString(CultureInfo.InvariantCulture);
        string home = Path.Combine(runFolder, "rabbitmq");
        Directory.CreateDirectory(home);
        File.WriteAllText(Path.Combine(home, "enabled_plugins"), "[].");
        File.WriteAllText(Path.Combine(home, "rabbitmq.conf"), "");

        var epmd = builder.AddExecutable("epmd", BrokerChoice.Epmd!, home, "-address", "127.0.0.1", "-port", Text(epmdPort));

        const string check = "rabbitmq-amqp";
        builder.Services.AddHealthChecks().AddCheck(check, new AmqpHealthCheck(amqp));
        var server = builder.AddExecutable("rabbitmq", BrokerChoice.DebianServer, home)
            .WithEnvironment("HOME", home)
            .WithEnvironment("RABBITMQ_NODENAME", $"zagg{Text(amqp)}@localhost")
            .WithEnvironment("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1")
            .WithEnvironment("RABBITMQ_NODE_PORT", Text(amqp))
            .WithEnvironment("RABBITMQ_DIST_PORT", Text(dist))
            .WithEnvironment("RABBITMQ_MNESIA_BASE", Path.Combine(home, "mnesia"))
            .WithEnvironment("RABBITMQ_LOG_BASE", Path.Combine(home, "log"))
            .WithEnvironment("RABBITMQ_LOGS", "-")
            .WithEnvironment("RABBITMQ_ENABLED_PLUGINS_FILE", Path.Combine(home, "enabled_plugins"))
            .WithEnvironment("RABBITMQ_CONFIG_FILE", Path.Combine(home, "rabbitmq"))
            .WithEnvironment("RABBITMQ_PID_FILE", Path.Combine(home, "pid"))
            .WithEnvironment("ERL_EPMD_PORT", Text(epmdPort))
            .WithEnvironment("ERL_EPMD_ADDRESS", "127.0.0.1")
            .WithEnvironment("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-kernel inet_dist_use_interface {127,0,0,1}")
            .WithHealthCheck(check)
            .WaitFor(epmd);
        // Debian's default user: guest/guest, which RabbitMQ accepts from loopback only.
        return (server, new Uri($"amqp://guest:guest@127.0.0.1:{Text(amqp)}"));
    }
}
