using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Zagg.Messaging.Brokers;

namespace Zagg.Cli.Running;

/// <summary>
/// --start-broker: when nothing answers at the broker's address, starts Debian's rabbitmq-server there as a private
/// loopback node (<see cref="LoopbackRabbitMqNode"/>: its own epmd, its files in a temporary folder) and stops both at
/// the end.
/// </summary>
public sealed class LocalBroker : IAsyncDisposable
{
    private readonly Process _epmd;
    private readonly Process _server;
    private readonly string _home;

    private LocalBroker(Process epmd, Process server, string home)
    {
        _epmd = epmd;
        _server = server;
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

    /// <summary>Whether Debian's rabbitmq-server (and the epmd it needs) is installed.</summary>
    public static bool IsInstalled => LoopbackRabbitMqNode.IsInstalled;

    /// <exception cref="InvalidOperationException">rabbitmq-server is not installed, or does not answer within 90 s.</exception>
    public static async Task<LocalBroker> StartAsync(int port, TextWriter log, CancellationToken ct)
    {
        if (!IsInstalled) throw new InvalidOperationException("--start-broker: rabbitmq-server is not installed (Debian: apt-get install rabbitmq-server)");
        var node = LoopbackRabbitMqNode.Prepare(Directory.CreateTempSubdirectory("zagg-rabbitmq").FullName, port);
        var output = new StringBuilder();
        var epmd = Start(LoopbackRabbitMqNode.Epmd!, node.EpmdArguments, [], node.Home, output);
        var server = Start(LoopbackRabbitMqNode.DebianServer, [], node.ServerEnvironment, node.Home, output);
        var broker = new LocalBroker(epmd, server, node.Home);
        log.WriteLine($"starting rabbitmq-server on 127.0.0.1:{port} …");
        var deadline = Stopwatch.StartNew();
        while (!await AnswersAsync("127.0.0.1", port, ct).ConfigureAwait(false))
        {
            if (server.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(90))
            {
                string why = server.HasExited ? $"exited with code {server.ExitCode}" : $"did not answer on 127.0.0.1:{port} within {deadline.Elapsed.TotalSeconds:F0} s";
                await broker.DisposeAsync().ConfigureAwait(false);
                string tail;
                lock (output) tail = output.ToString().Trim();
                throw new InvalidOperationException($"--start-broker: rabbitmq-server {why}: {(tail.Length > 600 ? tail[^600..] : tail)}");
            }
            await Task.Delay(250, ct).ConfigureAwait(false);
        }
        // The port opens a moment before the broker accepts AMQP logins.
        await Task.Delay(1000, ct).ConfigureAwait(false);
        return broker;
    }

    private static Process Start(string program, IReadOnlyList<string> arguments, IReadOnlyList<KeyValuePair<string, string>> environment, string folder, StringBuilder output)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = folder };
        foreach (string a in arguments) psi.ArgumentList.Add(a);
        foreach (var (name, value) in environment) psi.Environment[name] = value;
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"--start-broker: {program} did not start");
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public async ValueTask DisposeAsync()
    {
        // The server first (it deregisters from its epmd), then its epmd.
        await StopAsync(_server).ConfigureAwait(false);
        await StopAsync(_epmd).ConfigureAwait(false);
        try { Directory.Delete(_home, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static async Task StopAsync(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException) { }
        process.Dispose();
    }
}
