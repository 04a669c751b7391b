using System.Collections.Concurrent;
using System.Diagnostics;
using Zagg.Messaging;

namespace Zagg.Cli.Running;

/// <summary>
/// The worker processes of a RabbitMQ run: <c>dotnet Zagg.Worker.dll --max-workers M</c> (in a self-contained zagg,
/// <c>Zagg.Worker --max-workers M</c>), the broker given by environment,
/// started beside the AppHost's own files (so "Worker" is in their command line), their output
/// forwarded with a prefix, stopped at the end.
/// </summary>
public sealed class WorkerProcesses : IAsyncDisposable
{
    public sealed record Info(int Number, int ProcessId, DateTime Started)
    {
        public int? ExitCode { get; set; }
    }

    private readonly List<Process> _processes = [];
    public ConcurrentDictionary<int, Info> Workers { get; } = new();

    /// <summary>Set when every worker has exited.</summary>
    public Task AllExited => _allExited.Task;

    private readonly TaskCompletionSource _allExited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _running;

    public static string WorkerAssembly => Path.Combine(AppContext.BaseDirectory, "Zagg.Worker.dll");

    public static WorkerProcesses Start(int count, MessagingOptions messaging, TextWriter log)
    {
        if (!File.Exists(WorkerAssembly)) throw new OrchestrationException($"the worker is not beside zagg: {WorkerAssembly} is missing (rebuild Zagg.Cli)");
        var set = new WorkerProcesses();
        var (program, prefix) = WorkerCommand();
        for (int i = 1; i <= count; i++)
        {
            var psi = new ProcessStartInfo(program)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string a in prefix) psi.ArgumentList.Add(a);
            foreach (string a in new[] { "--max-workers", messaging.WorkerConcurrency.ToString(System.Globalization.CultureInfo.InvariantCulture), "--Logging:LogLevel:Default", "Warning" })
                psi.ArgumentList.Add(a);
            // The broker's URL may hold a password: the environment, unlike a command line, is not for everyone to read.
            psi.Environment["ZAGG_RABBITMQ"] = messaging.RabbitMq.ToString();
            if (messaging.IsSqs)
            {
                // The endpoint and credentials are the AWS variables this process has, which the worker inherits.
                psi.Environment["ZAGG_TRANSPORT"] = "sqs";
                psi.Environment["ZAGG_SQS_PREFIX"] = messaging.SqsPrefix;
                psi.Environment["ZAGG_SQS_VISIBILITY"] = ((int)Math.Ceiling(messaging.SqsVisibilityTimeout.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                psi.Environment["ZAGG_SQS_WAIT"] = ((int)Math.Ceiling(messaging.SqsWaitTime.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
            int number = i;
            void Forward(string? line)
            {
                if (line is null || WorkerLogLines.Shown(line) is not { } shown) return;
                lock (log) log.WriteLine($"[worker {number}] {shown}");
            }
            process.OutputDataReceived += (_, e) => Forward(e.Data);
            process.ErrorDataReceived += (_, e) => Forward(e.Data);
            try { process.Start(); }
            catch (System.ComponentModel.Win32Exception e) { throw new OrchestrationException($"cannot start a worker process with {program}: {e.Message}"); }
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var info = new Info(number, process.Id, DateTime.UtcNow);
            set.Workers[number] = info;
            Interlocked.Increment(ref set._running);
            process.Exited += (_, _) =>
            {
                info.ExitCode = process.ExitCode;
                if (Interlocked.Decrement(ref set._running) == 0) set._allExited.TrySetResult();
            };
            set._processes.Add(process);
        }
        return set;
    }

    /// <summary>
    /// How a worker starts: a self-contained zagg (its runtime beside it) runs the worker's own
    /// executable on that runtime; otherwise the dotnet host runs Zagg.Worker.dll.
    /// </summary>
    private static (string Program, string[] Prefix) WorkerCommand()
    {
        string here = Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory);
        string? runtime = RuntimeDirectory;
        string executable = Path.Combine(here, OperatingSystem.IsWindows() ? "Zagg.Worker.exe" : "Zagg.Worker");
        if (runtime is not null && string.Equals(Path.TrimEndingDirectorySeparator(runtime), here, StringComparison.Ordinal) && File.Exists(executable))
            return (executable, []);
        return (DotnetHost(), [WorkerAssembly]);
    }

    /// <summary>Where this process's runtime (System.Private.CoreLib) lives.</summary>
    private static string? RuntimeDirectory => Path.GetDirectoryName(typeof(object).Assembly.Location);

    /// <summary>
    /// The dotnet host that runs this process: itself under `dotnet zagg.dll`, else the one of this
    /// runtime (…/dotnet/shared/Microsoft.NETCore.App/10.x/ → …/dotnet/dotnet), else dotnet on the PATH.
    /// </summary>
    private static string DotnetHost()
    {
        if (Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet") return p;
        string? runtime = RuntimeDirectory;
        string? root = runtime is null ? null : Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(runtime)));
        string candidate = root is null ? "" : Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        return File.Exists(candidate) ? candidate : "dotnet";
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    private const int SigTerm = 15;

    /// <summary>
    /// Stops every worker: SIGTERM first, so each finishes what it holds (a failed cell's message
    /// reaches the error queue rather than going back to the worker queue), then a kill after 10 s.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var p in _processes)
            if (!p.HasExited && (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())) SendSignal(p.Id, SigTerm);
        foreach (var p in _processes)
        {
            try
            {
                using var graceful = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try { await p.WaitForExitAsync(graceful.Token).ConfigureAwait(false); }
                catch (OperationCanceledException)
                {
                    p.Kill(entireProcessTree: true);
                    await p.WaitForExitAsync().ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception) { }
            p.Dispose();
        }
    }
}
