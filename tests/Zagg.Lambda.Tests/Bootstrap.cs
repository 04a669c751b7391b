using System.Diagnostics;
using Zagg.TestSupport;

namespace Zagg.Lambda.Tests;

/// <summary>
/// The real Lambda package: <c>dotnet publish deployment/aws/Zagg.Lambda -r RID --self-contained</c>, built once per test
/// run into a temporary folder (its own artifacts path, so the repository's build outputs are never rewritten while
/// other suites run), not ReadyToRun (faster to build; the code is the same).
/// </summary>
internal static class Bootstrap
{
    private static readonly Lazy<Task<string>> X64 = new(() => PublishAsync("linux-x64"));

    /// <summary>The published linux-x64 <c>bootstrap</c> executable's path.</summary>
    public static Task<string> LinuxX64Async() => X64.Value;

    /// <exception cref="InvalidOperationException">The publish failed (its output is in the message).</exception>
    public static async Task<string> PublishAsync(string rid, params string[] properties)
    {
        string root = LoopbackProcess.RepositoryRoot() ?? throw new InvalidOperationException("the repository root (Zagg.sln) is not above the test folder");
        string dir = Path.Combine(Path.GetTempPath(), $"zagg-bootstrap-{rid}-{Environment.ProcessId}");
        string output = Path.Combine(dir, "package");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList =
            {
                "publish", Path.Combine(root, "deployment", "aws", "Zagg.Lambda", "Zagg.Lambda.csproj"),
                "-c", "Release", "-r", rid, "--self-contained", "-p:PublishReadyToRun=false",
                "--artifacts-path", Path.Combine(dir, "artifacts"), "-o", output, "-nologo",
            },
        };
        foreach (string p in properties) start.ArgumentList.Add(p);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        string bootstrap = Path.Combine(output, "bootstrap");
        if (process.ExitCode != 0 || !File.Exists(bootstrap))
            throw new InvalidOperationException($"dotnet publish -r {rid} failed ({process.ExitCode}):\n{await stdout}\n{await stderr}");
        return bootstrap;
    }
}
