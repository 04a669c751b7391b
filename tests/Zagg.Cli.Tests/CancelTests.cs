using System.Diagnostics;
using Xunit;

namespace Zagg.Cli.Tests;

/// <summary>Ctrl-C as a user gives it: SIGINT to a zagg process that is waiting.</summary>
public class CancelTests
{
    [Fact]
    public async Task Ctrl_C_while_a_search_retries_is_one_line_and_exit_130_with_no_catalog()
    {
        string dir = Directory.CreateTempSubdirectory("zagg-cancel").FullName;
        try
        {
            // Port 1 refuses connections: the search retries with backoff for many seconds, long enough to interrupt.
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir };
            psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "zagg.dll"));
            foreach (string a in new[] { "catalog", "--cmr-url", "http://127.0.0.1:1", "--cycle", "22", "--output", "c.json" }) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            // Interrupt while the search is retrying (its first attempt fails at once, the backoff takes seconds).
            await Task.Delay(TimeSpan.FromSeconds(3));
            using (var kill = Process.Start("kill", ["-INT", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!) await kill.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            await p.WaitForExitAsync(timeout.Token);
            string error = await stderr;
            Assert.Contains("searching CMR", await stdout);
            Assert.Equal(130, p.ExitCode);
            Assert.Equal("zagg: cancelled", error.Trim());
            Assert.False(File.Exists(Path.Combine(dir, "c.json")));
        }
        finally { Directory.Delete(dir, true); }
    }
}
