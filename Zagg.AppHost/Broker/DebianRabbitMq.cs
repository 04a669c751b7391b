using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Zagg.Messaging.Brokers;

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
        var node = LoopbackRabbitMqNode.Prepare(Path.Combine(runFolder, "rabbitmq"));
        var epmd = builder.AddExecutable("epmd", LoopbackRabbitMqNode.Epmd!, node.Home, [.. node.EpmdArguments]);

        const string check = "rabbitmq-amqp";
        builder.Services.AddHealthChecks().AddCheck(check, new AmqpHealthCheck(node.AmqpPort));
        var server = builder.AddExecutable("rabbitmq", LoopbackRabbitMqNode.DebianServer, node.Home);
        foreach (var (name, value) in node.ServerEnvironment) server = server.WithEnvironment(name, value);
        server = server.WithHealthCheck(check).WaitFor(epmd);
        return (server, node.Url);
    }
}
