using System.Diagnostics;
using System.Text.Json;
using Amazon.SQS.Model;
using Xunit;
using Zagg.Contracts;
using Zagg.Messaging.Sqs;
using Zagg.TestSupport;

namespace Zagg.Cli.Tests;

/// <summary>
/// The SQS runs set the AWS variables of this process (the endpoint, dummy credentials) while they run: alone, so that
/// no other test sees them.
/// </summary>
[CollectionDefinition(nameof(SqsRuns), DisableParallelization = true)]
public sealed class SqsRuns : ICollectionFixture<FauxqsServer>;

/// <summary>zagg run --transport sqs against fauxqs on loopback, with the services and workers as processes.</summary>
[Collection(nameof(SqsRuns))]
public sealed class SqsRunTests(FauxqsServer sqs) : IDisposable
{
    private static int _runs;
    private readonly Dictionary<string, string?> _saved = [];

    private string UseSqs(string visibility = "30")
    {
        var variables = new Dictionary<string, string>(sqs.Environment) { ["ZAGG_SQS_WAIT"] = "1", ["ZAGG_SQS_VISIBILITY"] = visibility };
        foreach (var (name, value) in variables)
        {
            _saved.TryAdd(name, Environment.GetEnvironmentVariable(name));
            Environment.SetEnvironmentVariable(name, value);
        }
        return $"cli{Environment.ProcessId}-{Interlocked.Increment(ref _runs)}";
    }

    public void Dispose()
    {
        foreach (var (name, value) in _saved) Environment.SetEnvironmentVariable(name, value);
    }

    private static (string Dir, string Catalog) Granules(int copies = 1) => DemoRunFolders.Granules("zagg-sqs", copies);

    private static SortedDictionary<string, byte[]> Chunks(string store) => DemoRunFolders.Chunks(store);

    /// <summary>A service as its own process (the dll beside zagg), on SQS with <paramref name="prefix"/>; its output drained.</summary>
    private static Process Service(string name, string prefix)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { Path.Combine(AppContext.BaseDirectory, name + ".dll"), "--transport", "sqs", "--sqs-prefix", prefix, "--max-workers", "2" })
            psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    /// <summary>Waits (up to 3 min) until the five service queues of <paramref name="prefix"/> exist.</summary>
    private void QueuesExist(string prefix)
    {
        using var client = sqs.Client();
        var until = DateTime.UtcNow.AddMinutes(3);
        foreach (string queue in SqsQueueNames.Services)
            while (true)
            {
                try { _ = client.GetQueueUrlAsync($"{prefix}-{queue}").GetAwaiter().GetResult(); break; }
                catch (Amazon.SQS.Model.QueueDoesNotExistException) when (DateTime.UtcNow < until) { Thread.Sleep(250); }
            }
    }

    private async Task<int> DepthAsync(string queue)
    {
        using var client = sqs.Client();
        string url = (await client.GetQueueUrlAsync(queue)).QueueUrl;
        var a = await client.GetQueueAttributesAsync(new GetQueueAttributesRequest(url, ["ApproximateNumberOfMessages"]));
        return int.Parse(a.Attributes["ApproximateNumberOfMessages"]);
    }

    [NeedsFauxqsFact]
    public void The_five_services_as_separate_processes_on_SQS_give_exactly_the_in_process_output()
    {
        string prefix = UseSqs();
        var (dir, catalog) = Granules();
        var services = new List<Process>();
        try
        {
            string memory = Path.Combine(dir, "memory.zarr"), store = Path.Combine(dir, "sqs.zarr");
            Assert.Equal(0, CliRunner.Run("run", "--catalog", catalog, "--store", memory).ExitCode);
            foreach (string name in new[] { "Zagg.Catalog", "Zagg.Template", "Zagg.Dispatcher", "Zagg.Worker", "Zagg.Consolidation" })
                services.Add(Service(name, prefix));
            // Each service creates its own queue as it starts; --submit, like the AppHost's run, starts once they are up.
            QueuesExist(prefix);
            var r = CliRunner.Run("run", "--catalog", catalog, "--store", store, "--transport", "sqs", "--sqs-prefix", prefix, "--submit");
            Assert.True(r.ExitCode == 0, r.Error);
            Assert.Contains($"for the services at SQS at {sqs.Endpoint}", r.Out);
            Assert.Contains("Done: 7 cells with data, 58789 obs, 0 errors", r.Out);
            Assert.Equal(Chunks(memory), Chunks(store));
            Assert.All(services, p => Assert.False(p.HasExited));
            Assert.DoesNotContain("fauxqs-test", r.Out + r.Error);
        }
        finally
        {
            foreach (var p in services) LoopbackProcess.Stop(p, "");
            Directory.Delete(dir, true);
        }
    }

    [NeedsFauxqsFact]
    public async Task A_damaged_granule_fails_its_cells_unretried_into_the_DLQ_and_every_other_cell_completes()
    {
        string prefix = UseSqs();
        var (dir, catalog) = Granules();
        try
        {
            string victim = Directory.GetFiles(dir, "*.h5").Order().First();
            var bytes = File.ReadAllBytes(victim);
            File.WriteAllBytes(victim, bytes[..(bytes.Length / 2)]);
            string store = Path.Combine(dir, "sqs.zarr");
            var r = CliRunner.Run("run", "--catalog", catalog, "--store", store, "--transport", "sqs", "--sqs-prefix", prefix, "--workers", "2");
            Assert.Equal(1, r.ExitCode);
            Assert.Contains("2 worker process(es) through SQS at", r.Out);
            Assert.Contains("failed after 1 attempt(s)", r.Error);
            Assert.Contains(victim, r.Error);
            var cells = JsonDocument.Parse(File.ReadAllText(store + ".report.json")).RootElement.GetProperty("cells").EnumerateArray().ToList();
            Assert.Equal(7, cells.Count);
            var failed = cells.Where(c => c.GetProperty("error").ValueKind == JsonValueKind.String).ToList();
            Assert.NotEmpty(failed);
            Assert.All(cells.Except(failed), c => Assert.True(c.GetProperty("total_obs").GetInt64() > 0));
            Assert.Equal(failed.Count, await DepthAsync(SqsQueueNames.DeadLetter(new SqsQueueNames(prefix).Of(Messaging.Queues.Worker))));
            // zagg run's own follow queue is gone.
            using var client = sqs.Client();
            var left = await client.ListQueuesAsync(new ListQueuesRequest { QueueNamePrefix = prefix + "-zagg-run-" });
            Assert.Empty(left.QueueUrls ?? []);
        }
        finally { Directory.Delete(dir, true); }
    }

    [NeedsFauxqsFact]
    public async Task Killing_a_worker_mid_cell_loses_no_cell_its_message_comes_back_after_the_visibility_timeout()
    {
        string prefix = UseSqs(visibility: "6");
        var (dir, catalog) = Granules(copies: 12);
        try
        {
            string memory = Path.Combine(dir, "memory.zarr"), store = Path.Combine(dir, "sqs.zarr");
            Assert.Equal(0, CliRunner.Run("run", "--catalog", catalog, "--store", memory).ExitCode);
            var running = Task.Run(() => CliRunner.Run("run", "--catalog", catalog, "--store", store, "--transport", "sqs", "--sqs-prefix", prefix, "--workers", "2", "--max-workers", "1"));
            int? killed = null;
            var deadline = Stopwatch.StartNew();
            while (killed is null && !running.IsCompleted && deadline.Elapsed < TimeSpan.FromSeconds(90))
            {
                string ledger = Path.Combine(store, ".zagg", "runs");
                bool started = Directory.Exists(ledger) && Directory.EnumerateFiles(ledger, "*.json", SearchOption.AllDirectories).Any(f => f.Contains("/cells/"));
                var workers = DemoRunFolders.WorkerProcesses();
                if (started && workers.Count == 2)
                {
                    using var victim = Process.GetProcessById(workers[0]);
                    victim.Kill();
                    killed = workers[0];
                }
                await Task.Delay(20);
            }
            var r = await running;
            Assert.True(killed is not null, "the run ended before a worker could be killed");
            Assert.True(r.ExitCode == 0, r.Error);
            var reported = JsonDocument.Parse(File.ReadAllText(store + ".report.json")).RootElement.GetProperty("cells").EnumerateArray()
                .Select(c => c.GetProperty("parent_morton").GetInt64()).ToList();
            Assert.Equal(7, reported.Count);
            Assert.Equal(7, reported.Distinct().Count());
            Assert.Equal(Chunks(memory), Chunks(store));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Wrong_SQS_input_ends_in_one_line_naming_it()
    {
        var (dir, catalog) = Granules();
        try
        {
            string store = Path.Combine(dir, "x.zarr");
            var noPrefix = CliRunner.Run("run", "--catalog", catalog, "--store", store, "--transport", "sqs");
            Assert.Equal(1, noPrefix.ExitCode);
            Assert.Contains("zagg: error: --transport sqs needs --sqs-prefix", noPrefix.Error);
            var badPrefix = CliRunner.Run("run", "--catalog", catalog, "--store", store, "--transport", "sqs", "--sqs-prefix", "a b");
            Assert.Contains("zagg: error: --sqs-prefix must be", badPrefix.Error);
            UseSqs();
            Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_SQS", "ftp://user:secret@127.0.0.1:1");
            var badUrl = CliRunner.Run("run", "--catalog", catalog, "--store", store, "--transport", "sqs", "--sqs-prefix", "p");
            Assert.Contains("zagg: error: AWS_ENDPOINT_URL_SQS must be an http:// or https:// URL", badUrl.Error);
            Assert.DoesNotContain("secret", badUrl.Error);
            string down = $"http://127.0.0.1:{LoopbackProcess.FreePort()}";
            Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_SQS", down);
            var unreachable = CliRunner.Run("run", "--catalog", catalog, "--store", store, "--transport", "sqs", "--sqs-prefix", "p");
            Assert.Equal(1, unreachable.ExitCode);
            Assert.StartsWith($"zagg: error: SQS at {down}", unreachable.Error);
            Assert.Single(unreachable.Error.Trim().Split('\n'));
            Assert.False(Directory.Exists(store));
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>
    /// --backend aws names --backend aws in its errors (the user never typed --transport sqs), and against a prefix with
    /// no stack it fails in one line naming the missing queue and the prefix, having created no queue of the stack.
    /// </summary>
    [NeedsFauxqsFact]
    public async Task The_aws_backend_without_a_stack_fails_in_one_line_naming_the_queue_and_the_prefix()
    {
        var (dir, catalog) = Granules();
        try
        {
            string store = Path.Combine(dir, "x.zarr");
            string prefix = UseSqs();
            foreach (string name in new[] { "AWS_ENDPOINT_URL_SQS", "AWS_REGION", "AWS_DEFAULT_REGION", "ZAGG_SQS_PREFIX" })
            {
                _saved.TryAdd(name, Environment.GetEnvironmentVariable(name));
                Environment.SetEnvironmentVariable(name, null);
            }
            var noEndpoint = CliRunner.Run("run", "--catalog", catalog, "--store", store, "--backend", "aws", "--sqs-prefix", prefix);
            Assert.Equal(1, noEndpoint.ExitCode);
            Assert.StartsWith("zagg: error: --backend aws needs an endpoint: AWS_ENDPOINT_URL_SQS", noEndpoint.Error);
            var noPrefix = CliRunner.Run("run", "--catalog", catalog, "--store", store, "--backend", "aws");
            Assert.StartsWith("zagg: error: --backend aws needs --sqs-prefix P", noPrefix.Error);

            UseSqs();
            var r = CliRunner.Run("run", "--catalog", catalog, "--store", store, "--backend", "aws", "--sqs-prefix", prefix);
            Assert.Equal(1, r.ExitCode);
            string line = Assert.Single(r.Error.Trim().Split('\n'));
            Assert.StartsWith($"zagg: error: --backend aws: SQS at {sqs.Endpoint.TrimEnd('/')}", line);
            Assert.Contains($"queue {prefix}-zagg-catalog does not exist: no stack is deployed with prefix {prefix}", line);
            using var client = sqs.Client();
            var left = await client.ListQueuesAsync(new ListQueuesRequest { QueueNamePrefix = prefix });
            Assert.Empty(left.QueueUrls ?? []);
            Assert.False(Directory.Exists(store));
        }
        finally { Directory.Delete(dir, true); }
    }
}
