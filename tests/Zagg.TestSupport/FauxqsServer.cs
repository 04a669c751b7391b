using System.Diagnostics;
using Amazon.Runtime;
using Amazon.SQS;
using Xunit;

namespace Zagg.TestSupport;

/// <summary>Runs a test only where fauxqs is installed (tools/node, by npm ci); under CI its absence is a failure.</summary>
public sealed class NeedsFauxqsFactAttribute : FactAttribute
{
    public NeedsFauxqsFactAttribute()
    {
        if (FauxqsServer.Script is null && Environment.GetEnvironmentVariable("CI") != "true")
            Skip = "fauxqs is not installed (npm ci --prefix tools/node; .ci/run does it)";
    }
}

/// <summary>
/// A real fauxqs (an SQS emulator speaking the AWS JSON protocol, npm) on a free 127.0.0.1 port, started through
/// tools/node/fauxqs-loopback.mjs, which pins its listener to the loopback address. Stopped on dispose.
/// </summary>
public sealed class FauxqsServer : IAsyncLifetime
{
    /// <summary>fauxqs accepts any credentials; these name no account.</summary>
    public static readonly BasicAWSCredentials Credentials = new("fauxqs-test", "fauxqs-test");

    private Process? _process;

    /// <summary>The launcher script, or null when tools/node has no fauxqs.</summary>
    public static string? Script => LoopbackProcess.RepositoryRoot() is { } root
        && File.Exists(Path.Combine(root, "tools", "node", "node_modules", "fauxqs", "package.json"))
        ? Path.Combine(root, "tools", "node", "fauxqs-loopback.mjs") : null;

    /// <summary>http://127.0.0.1:PORT, once started (empty when fauxqs is not installed).</summary>
    public string Endpoint { get; private set; } = "";

    /// <summary>
    /// The environment a process needs to reach this server with the SDK's default chain: AWS_ENDPOINT_URL_SQS,
    /// AWS_REGION and the dummy credentials.
    /// </summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["AWS_ENDPOINT_URL_SQS"] = Endpoint,
        ["AWS_REGION"] = "us-east-1",
        ["AWS_ACCESS_KEY_ID"] = "fauxqs-test",
        ["AWS_SECRET_ACCESS_KEY"] = "fauxqs-test",
    };

    /// <summary>A client for this server, with dummy credentials.</summary>
    public AmazonSQSClient Client() => new(Credentials, new AmazonSQSConfig { ServiceURL = Endpoint, AuthenticationRegion = "us-east-1" });

    public async Task InitializeAsync()
    {
        string? script = Script;
        if (script is null)
        {
            if (System.Environment.GetEnvironmentVariable("CI") == "true") throw new InvalidOperationException("fauxqs is required under CI but tools/node has no fauxqs");
            return;
        }
        var start = new ProcessStartInfo("node", [script, "0"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = Path.GetDirectoryName(script)!,
        };
        _process = Process.Start(start)!;
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginErrorReadLine();
        const string Marker = "fauxqs listening on ";
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            string? line = await _process.StandardOutput.ReadLineAsync(timeout.Token);
            if (line is null) throw new InvalidOperationException($"fauxqs exited before listening (exit code {(_process.WaitForExit(2000) ? _process.ExitCode : -1)})");
            if (line.StartsWith(Marker, StringComparison.Ordinal))
            {
                Endpoint = line[Marker.Length..].Trim();
                break;
            }
        }
        // Keep draining stdout so the child never blocks on a full pipe.
        _ = Task.Run(async () => { while (await _process.StandardOutput.ReadLineAsync() is not null) { } });
        using var client = Client();
        for (int i = 0; ; i++)
        {
            try
            {
                await client.ListQueuesAsync(new Amazon.SQS.Model.ListQueuesRequest());
                break;
            }
            catch (Exception) when (i < 100 && !_process.HasExited) { await Task.Delay(100); }
        }
    }

    public Task DisposeAsync()
    {
        LoopbackProcess.Stop(_process, "");
        return Task.CompletedTask;
    }
}
