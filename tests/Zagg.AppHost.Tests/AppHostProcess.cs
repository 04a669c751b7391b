using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Zagg.AppHost.Tests;

/// <summary>
/// The AppHost as a user runs it (<c>dotnet Zagg.AppHost.dll ARGS</c>, with what launchSettings.json would set, on free
/// loopback ports): its output line by line, stopped with SIGTERM (as Ctrl+C) and, failing that, killed.
/// </summary>
internal sealed class AppHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly SemaphoreSlim _changed = new(0);

    public string ApiKey { get; } = Guid.NewGuid().ToString("N");

    public int Id => _process.Id;

    /// <summary>The AppHost's own folder (the broker's state), by its process id.</summary>
    public string RunFolder => Path.Combine(Path.GetTempPath(), $"zagg-apphost-{_process.Id}");

    public string Output
    {
        get { lock (_lines) return string.Join('\n', _lines); }
    }

    private AppHostProcess(Process process) => _process = process;

    public static AppHostProcess Start(string workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        psi.ArgumentList.Add(Zagg.AppHostAssembly);
        foreach (string a in args) psi.ArgumentList.Add(a);
        var process = new Process { StartInfo = psi };
        var host = new AppHostProcess(process);
        psi.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort()}";
        psi.Environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://127.0.0.1:{FreePort()}";
        psi.Environment["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://127.0.0.1:{FreePort()}";
        psi.Environment["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true";
        psi.Environment["DOTNET_ENVIRONMENT"] = "Development";
        psi.Environment["AppHost__DashboardApiKey"] = host.ApiKey;
        void Add(string? line)
        {
            if (line is null) return;
            lock (host._lines) host._lines.Add(line);
            host._changed.Release();
        }
        process.OutputDataReceived += (_, e) => Add(e.Data);
        process.ErrorDataReceived += (_, e) => Add(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>The first output line that <paramref name="match"/> accepts, within <paramref name="timeout"/>.</summary>
    public async Task<string> LineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            lock (_lines)
                foreach (string l in _lines)
                    if (match(l)) return l;
            if (_process.HasExited && _changed.CurrentCount == 0)
                throw new InvalidOperationException($"the AppHost exited ({_process.ExitCode}) without that line:\n{Output}");
            var left = timeout - clock.Elapsed;
            if (left <= TimeSpan.Zero) throw new TimeoutException($"no such line in {timeout.TotalSeconds} s:\n{Output}");
            await _changed.WaitAsync(left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>Waits for the AppHost to end by itself; returns its exit code.</summary>
    public async Task<int> ExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    /// <summary>Ctrl+C's equivalent (SIGTERM: a background process may ignore SIGINT), then a kill after 60 s.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            SendSignal(_process.Id, 15);
            try { await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60)); }
            catch (TimeoutException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
