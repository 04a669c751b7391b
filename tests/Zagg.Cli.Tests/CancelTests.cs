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
            // The output read line by line: the interrupt waits for the search to have started (a loaded machine starts
            // the process in more than the few seconds a fixed delay allowed).
            var stdout = new System.Text.StringBuilder();
            var searching = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            p.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                lock (stdout) stdout.AppendLine(e.Data);
                if (e.Data.Contains("searching CMR", StringComparison.Ordinal)) searching.TrySetResult();
            };
            p.BeginOutputReadLine();
            var stderr = p.StandardError.ReadToEndAsync();
            await searching.Task.WaitAsync(TimeSpan.FromMinutes(1));
            // Interrupt while the search is retrying (its first attempt fails at once, the backoff takes seconds): as long
            // after the search starts as the fixed delay left on an idle machine.
            await Task.Delay(TimeSpan.FromSeconds(2.5));
            using (var kill = Process.Start("kill", ["-INT", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!) await kill.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            await p.WaitForExitAsync(timeout.Token);
            string error = await stderr;
            lock (stdout) Assert.Contains("searching CMR", stdout.ToString());
            Assert.Equal(130, p.ExitCode);
            // The retries told so far (one line each), then the one line of the interrupt.
            var lines = error.Trim().Split('\n');
            Assert.Equal("zagg: cancelled", lines[^1]);
            Assert.All(lines[..^1], l => Assert.Matches(@"^zagg: CMR at http://127\.0\.0\.1:1: page 1 \(.*\): .*; retry \d of 5 in ", l));
            Assert.False(File.Exists(Path.Combine(dir, "c.json")));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task Ctrl_C_during_a_run_says_the_store_holds_part_of_it_and_how_to_start_again()
    {
        string dir = Directory.CreateTempSubdirectory("zagg-cancel").FullName;
        // A loopback server that takes connections and never answers: the run's granule reads wait.
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new List<System.Net.Sockets.Socket>();
        using var stop = new CancellationTokenSource();
        var accepting = Task.Run(async () =>
        {
            try { while (true) accepted.Add(await silent.AcceptSocketAsync(stop.Token)); }
            catch (OperationCanceledException) { }
        });
        try
        {
            string catalog = Path.Combine(dir, "catalog.json");
            Assert.Equal(0, CliRunner.Run("catalog", "--files", Path.Combine(AppContext.BaseDirectory, "demo"), "--output", catalog).ExitCode);
            var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(catalog))!;
            int port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
            foreach (var (_, granules) in json["catalog"]!.AsObject())
                foreach (var g in granules!.AsArray().ToList())
                    g!.ReplaceWith($"http://127.0.0.1:{port}/{Path.GetFileName(g.GetValue<string>())}");
            File.WriteAllText(catalog, json.ToJsonString());

            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir };
            psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "zagg.dll"));
            foreach (string a in new[] { "run", "--catalog", catalog, "--store", "out.zarr" }) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            // Interrupt once a granule is asked for: the store's template is written by then.
            for (int i = 0; i < 600 && accepted.Count == 0 && !p.HasExited; i++) await Task.Delay(100);
            Assert.NotEmpty(accepted);
            using (var kill = Process.Start("kill", ["-INT", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!) await kill.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            await p.WaitForExitAsync(timeout.Token);
            string error = (await stderr).Trim();
            Assert.True(p.ExitCode == 130, $"exit {p.ExitCode}: {error} {await stdout}");
            Assert.Equal($"zagg: cancelled: {Path.Combine(dir, "out.zarr")} holds part of the run (zagg run --overwrite starts it again)", error);
            Assert.True(File.Exists(Path.Combine(dir, "out.zarr", "zarr.json")));
        }
        finally
        {
            stop.Cancel();
            await accepting;
            foreach (var s in accepted) s.Dispose();
            Directory.Delete(dir, true);
        }
    }
}
