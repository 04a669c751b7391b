using Zagg.Messaging.Brokers;
using System.Diagnostics;

namespace Zagg.AppHost.Broker;

/// <summary>Which broker the AppHost can have: a RabbitMQ container, Debian's rabbitmq-server, or none (in-memory).</summary>
internal enum BrokerKind
{
    InMemory,
    Container,
    DebianRabbitMq,

    /// <summary>Amazon SQS (or an emulator) at AWS_ENDPOINT_URL_SQS or the region: no broker resource.</summary>
    Sqs,
}

internal static class BrokerChoice
{
    /// <summary>
    /// The broker for <paramref name="transport"/> (null: the best available): a container when a container runtime
    /// answers <c>docker info</c> within 5 s, else Debian's rabbitmq-server when installed, else the in-memory transport.
    /// <paramref name="why"/> says, for the start banner, why the in-memory transport was chosen.
    /// </summary>
    public static BrokerKind Choose(string? transport, out string? why)
    {
        why = null;
        if (transport == "sqs") return BrokerKind.Sqs;
        if (transport == "memory")
        {
            why = "--transport memory";
            return BrokerKind.InMemory;
        }
        if (ContainerRuntimeAnswers()) return BrokerKind.Container;
        if (LoopbackRabbitMqNode.IsInstalled) return BrokerKind.DebianRabbitMq;
        if (transport == "rabbitmq")
            throw new AppHostUsageException($"--transport rabbitmq: no container runtime answers and rabbitmq-server is not installed ({LoopbackRabbitMqNode.DebianServer}; Debian: apt-get install rabbitmq-server)");
        why = "no container runtime answers and rabbitmq-server is not installed";
        return BrokerKind.InMemory;
    }

    private static bool ContainerRuntimeAnswers()
    {
        string runtime = Environment.GetEnvironmentVariable("ASPIRE_CONTAINER_RUNTIME") ?? Environment.GetEnvironmentVariable("DOTNET_ASPIRE_CONTAINER_RUNTIME") ?? "docker";
        try
        {
            using var p = Process.Start(new ProcessStartInfo(runtime, "info")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (p is null) return false;
            _ = p.StandardOutput.ReadToEndAsync();
            _ = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(TimeSpan.FromSeconds(5)))
            {
                p.Kill(entireProcessTree: true);
                return false;
            }
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception) { return false; }
    }
}
