using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Zagg.Messaging.Brokers;

/// <summary>
/// How Debian's rabbitmq-server runs as a private node on loopback, for machines without a container runtime: the
/// server and its own Erlang port mapper (<c>epmd -address 127.0.0.1 -port P</c>, so no epmd daemon outlives the node),
/// every port its own, every file in one folder. The one description of that node: the AppHost turns it into Aspire
/// executable resources, <c>zagg run --start-broker</c> and the tests into processes.
/// </summary>
/// <remarks>
/// Environment variables from RabbitMQ's "Configuration: environment variables" guide (RABBITMQ_NODE_IP_ADDRESS,
/// RABBITMQ_NODE_PORT, RABBITMQ_DIST_PORT, RABBITMQ_MNESIA_BASE, …) and Erlang's epmd documentation (ERL_EPMD_PORT,
/// ERL_EPMD_ADDRESS). The Debian wrapper in /usr/sbin switches user; the script in /usr/lib/rabbitmq/bin does not.
/// Users: Debian's default guest/guest, which RabbitMQ accepts from loopback only.
/// </remarks>
public sealed class LoopbackRabbitMqNode
{
    /// <summary>Debian's rabbitmq-server start script (not /usr/sbin's wrapper, which changes user).</summary>
    public const string DebianServer = "/usr/lib/rabbitmq/bin/rabbitmq-server";

    private LoopbackRabbitMqNode(string home, int amqpPort, int distributionPort, int epmdPort)
    {
        Home = home;
        AmqpPort = amqpPort;
        DistributionPort = distributionPort;
        EpmdPort = epmdPort;
    }

    /// <summary>The node's folder: HOME, mnesia, logs, plugin and config files.</summary>
    public string Home { get; }

    /// <summary>The AMQP port, on 127.0.0.1.</summary>
    public int AmqpPort { get; }

    /// <summary>The Erlang distribution port, on 127.0.0.1.</summary>
    public int DistributionPort { get; }

    /// <summary>The port of the node's own epmd, on 127.0.0.1.</summary>
    public int EpmdPort { get; }

    /// <summary>The broker's URL for clients (user guest, loopback only).</summary>
    public Uri Url => new($"amqp://guest:guest@127.0.0.1:{Text(AmqpPort)}");

    /// <summary>Whether Debian's rabbitmq-server and an epmd are installed.</summary>
    public static bool IsInstalled => File.Exists(DebianServer) && Epmd is not null;

    /// <summary>Erlang's port mapper daemon, which rabbitmq-server needs; null when Erlang is not installed.</summary>
    public static string? Epmd
    {
        get
        {
            foreach (string candidate in (ReadOnlySpan<string>)["/usr/bin/epmd", "/usr/lib/erlang/bin/epmd"])
                if (File.Exists(candidate)) return candidate;
            return null;
        }
    }

    /// <summary>
    /// Describes a node in <paramref name="home"/> (created if missing) and writes the two files it reads at start: an
    /// empty plugin list and an empty config. Its AMQP port is <paramref name="amqpPort"/> when given; every other port
    /// is one nobody listens on now (the operating system's pick on 127.0.0.1).
    /// </summary>
    /// <exception cref="IOException">The folder or its files cannot be written.</exception>
    public static LoopbackRabbitMqNode Prepare(string home, int? amqpPort = null)
    {
        Directory.CreateDirectory(home);
        File.WriteAllText(Path.Combine(home, "enabled_plugins"), "[].");
        File.WriteAllText(Path.Combine(home, "rabbitmq.conf"), "");
        return new LoopbackRabbitMqNode(home, amqpPort ?? FreePort(), FreePort(), FreePort());
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The arguments of the node's own epmd.</summary>
    public IReadOnlyList<string> EpmdArguments => ["-address", "127.0.0.1", "-port", Text(EpmdPort)];

    /// <summary>The server's environment: loopback addresses, the node's ports, its folder, its epmd, logs to stdout.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ServerEnvironment =>
    [
        new("HOME", Home),
        new("RABBITMQ_NODENAME", $"zagg{Text(AmqpPort)}@localhost"),
        new("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1"),
        new("RABBITMQ_NODE_PORT", Text(AmqpPort)),
        new("RABBITMQ_DIST_PORT", Text(DistributionPort)),
        new("RABBITMQ_MNESIA_BASE", Path.Combine(Home, "mnesia")),
        new("RABBITMQ_LOG_BASE", Path.Combine(Home, "log")),
        new("RABBITMQ_LOGS", "-"),
        new("RABBITMQ_ENABLED_PLUGINS_FILE", Path.Combine(Home, "enabled_plugins")),
        new("RABBITMQ_CONFIG_FILE", Path.Combine(Home, "rabbitmq")),
        new("RABBITMQ_PID_FILE", Path.Combine(Home, "pid")),
        new("ERL_EPMD_PORT", Text(EpmdPort)),
        new("ERL_EPMD_ADDRESS", "127.0.0.1"),
        new("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-kernel inet_dist_use_interface {127,0,0,1}"),
    ];

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
