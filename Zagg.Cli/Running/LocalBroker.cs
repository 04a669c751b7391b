using System.Diagnostics;
using System.Net.Sockets;

namespace Zagg.Cli.Running;

/// <summary>
/// --start-broker: when nothing answers at the broker's address, starts Debian's rabbitmq-server
/// there (loopback only, its files in a temporary folder) and stops it at the end.
/// </summary>
public sealed class LocalBroker : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _home;

    private LocalBroker(Process process, string home)
    {
        _process = process;
        _home = home;
    }

    public static async Task<bool> AnswersAsync(string host, int port, CancellationToken ct = default)
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            await client.ConnectAsync(host, port, timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException) { return false; }
    }

    public static string? FindServer()
    {
        foreach (string candidate in new[] { "/usr/lib/rabbitmq/bin/rabbitmq-server", "/usr/sbin/rabbitmq-server" })
            if (File.Exists(candidate)) return candidate;
        return null;
    }

    public static async Task<LocalBroker> StartAsync(int port, TextWriter log, CancellationToken ct)
    {
        string server = FindServer() ?? throw new InvalidOperationException("--start-broker: rabbitmq-server is not installed (Debian: apt-get install rabbitmq-server)");
        string home = Directory.CreateTempSubdirectory("zagg-rabbitmq").FullName;
        File.WriteAllText(Path.Combine(home, "enabled_plugins"), "[].");
        File.WriteAllText(Path.Combine(home, "rabbitmq.conf"), "");
        var psi = new ProcessStartInfo(server) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var env = psi.Environment;
        env["HOME"] = home;
        env["RABBITMQ_NODENAME"] = $"zagg{port}@localhost";
        env["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1";
        env["RABBITMQ_NODE_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        env["RABBITMQ_DIST_PORT"] = (port + 20000 > 65535 ? port - 20000 : port + 20000).ToString(System.Globalization.CultureInfo.InvariantCulture);
        env["RABBITMQ_MNESIA_BASE"] = Path.Combine(home, "mnesia");
        env["RABBITMQ_LOG_BASE"] = Path.Combine(home, "log");
        env["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(home, "enabled_plugins");
        env["RABBITMQ_CONFIG_FILE"] = Path.Combine(home, "rabbitmq");
        env["RABBITMQ_PID_FILE"] = Path.Combine(home, "pid");
        env["ERL_EPMD_ADDRESS"] = "127.0.0.1";
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"--start-broker: {server} did not start");
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var broker = new LocalBroker(process, home);
        log.WriteLine($"starting rabbitmq-server on 127.0.0.1:{port} …");
        var deadline = Stopwatch.StartNew();
        while (!await AnswersAsync("127.0.0.1", port, ct).ConfigureAwait(false))
        {
            if (process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(90))
            {
                await broker.DisposeAsync().ConfigureAwait(false);
                string tail;
                lock (output) tail = output.ToString().Trim();
                throw new InvalidOperationException($"--start-broker: rabbitmq-server did not answer on 127.0.0.1:{port}: {(tail.Length > 600 ? tail[^600..] : tail)}");
            }
            await Task.Delay(250, ct).ConfigureAwait(false);
        }
        // The port opens a moment before the broker accepts AMQP logins.
        await Task.Delay(1000, ct).ConfigureAwait(false);
        return broker;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(15)).Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException) { }
        _process.Dispose();
        try { Directory.Delete(_home, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
