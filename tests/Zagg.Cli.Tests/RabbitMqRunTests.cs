using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;
using Zagg.Cli.Running;
using Zagg.Consolidation;
using Zagg.Contracts;
using Zagg.Messaging;

namespace Zagg.Cli.Tests;

/// <summary>zagg run against a real RabbitMQ with worker processes.</summary>
public class RabbitMqRunTests(RabbitMqBroker broker) : IClassFixture<RabbitMqBroker>
{
    private static (string Dir, string Catalog) Granules(int copies = 1) => DemoRunFolders.Granules("zagg-rabbit", copies);

    private static SortedDictionary<string, byte[]> Chunks(string store) => DemoRunFolders.Chunks(store);

    // With the broker's user and password spelled out, to see them reach the broker and nothing else.
    private string[] Rabbit(params string[] args) => [.. args, "--transport", "rabbitmq", "--rabbitmq", broker.Url.Replace("amqp://", "amqp://guest:guest@")];

    [NeedsRabbitMqFact]
    public void Two_worker_processes_give_exactly_the_in_process_output()
    {
        var (dir, catalog) = Granules();
        try
        {
            string memory = Path.Combine(dir, "memory.zarr"), rabbit = Path.Combine(dir, "rabbit.zarr");
            Assert.Equal(0, CliRunner.Run("run", "--catalog", catalog, "--store", memory).ExitCode);
            var r = CliRunner.Run(Rabbit("run", "--catalog", catalog, "--store", rabbit, "--workers", "2", "--max-workers", "1"));
            Assert.True(r.ExitCode == 0, r.Error);
            Assert.Contains("2 worker process(es) through amqp://127.0.0.1", r.Out);
            Assert.DoesNotContain("guest:guest", r.Out + r.Error);
            Assert.Contains("Done: 7 cells with data, 58789 obs, 0 errors", r.Out);
            Assert.Equal(Chunks(memory), Chunks(rabbit));
            Assert.Empty(DemoRunFolders.WorkerProcesses()); // stopped at the end
        }
        finally { Directory.Delete(dir, true); }
    }

    [NeedsRabbitMqFact]
    public async Task Killing_a_worker_mid_run_still_ends_with_every_cell_written_once()
    {
        var (dir, catalog) = Granules(copies: 12); // 48 granules: cells take long enough to kill a worker in one
        try
        {
            string memory = Path.Combine(dir, "memory.zarr"), rabbit = Path.Combine(dir, "rabbit.zarr");
            var reference = CliRunner.Run("run", "--catalog", catalog, "--store", memory);
            Assert.True(reference.ExitCode == 0, reference.Error);
            var running = Task.Run(() => CliRunner.Run(Rabbit("run", "--catalog", catalog, "--store", rabbit, "--workers", "2", "--max-workers", "1")));
            int? killed = null;
            var deadline = Stopwatch.StartNew();
            while (killed is null && !running.IsCompleted && deadline.Elapsed < TimeSpan.FromSeconds(60))
            {
                string cells = Path.Combine(rabbit, ".zagg", "runs");
                bool started = Directory.Exists(cells) && Directory.EnumerateFiles(cells, "*.json", SearchOption.AllDirectories).Any(f => f.Contains("/cells/"));
                var workers = DemoRunFolders.WorkerProcesses();
                if (started && workers.Count == 2)
                {
                    Assert.All(workers, pid => Assert.DoesNotContain("guest:guest", File.ReadAllText($"/proc/{pid}/cmdline")));
                    using var victim = Process.GetProcessById(workers[0]);
                    victim.Kill();
                    killed = workers[0];
                }
                await Task.Delay(20);
            }
            var r = await running;
            Assert.True(killed is not null, "the run ended before a worker could be killed");
            Assert.True(r.ExitCode == 0, r.Error);
            var report = JsonDocument.Parse(File.ReadAllText(rabbit + ".report.json")).RootElement;
            var cellsReported = report.GetProperty("cells").EnumerateArray().Select(c => c.GetProperty("parent_morton").GetInt64()).ToList();
            Assert.Equal(7, cellsReported.Count);
            Assert.Equal(7, cellsReported.Distinct().Count());
            Assert.Equal(Chunks(memory), Chunks(rabbit));
            Assert.Contains(reference.Out.Split('\n').First(l => l.StartsWith("Done:", StringComparison.Ordinal))[..^8].Split(", 0 errors")[0], r.Out);
        }
        finally { Directory.Delete(dir, true); }
    }

    [NeedsRabbitMqFact]
    public async Task A_damaged_granule_fails_its_cells_unretried_and_every_other_cell_completes()
    {
        var (dir, catalog) = Granules();
        try
        {
            string victim = Directory.GetFiles(dir, "*.h5").Order().First();
            var bytes = File.ReadAllBytes(victim);
            File.WriteAllBytes(victim, bytes[..(bytes.Length / 2)]);
            string store = Path.Combine(dir, "rabbit.zarr");
            var r = CliRunner.Run(Rabbit("run", "--catalog", catalog, "--store", store, "--workers", "2"));
            Assert.Equal(1, r.ExitCode);
            Assert.Contains("failed after 1 attempt(s)", r.Error); // a damaged granule is not retried
            Assert.Contains(victim, r.Error);
            var cells = JsonDocument.Parse(File.ReadAllText(store + ".report.json")).RootElement.GetProperty("cells").EnumerateArray().ToList();
            Assert.Equal(7, cells.Count);
            var failed = cells.Where(c => c.GetProperty("error").ValueKind == JsonValueKind.String).ToList();
            Assert.NotEmpty(failed);
            Assert.All(failed, c => Assert.Contains(victim, c.GetProperty("error").GetString()));
            Assert.All(cells.Except(failed), c => Assert.True(c.GetProperty("total_obs").GetInt64() > 0));
            await using var depths = new QueueDepths(MessagingOptions.Parse("rabbitmq", broker.Url));
            Assert.True((await depths.ReadAsync())[Queues.Worker + "_error"] >= failed.Count);
        }
        finally { Directory.Delete(dir, true); }
    }

    [NeedsRabbitMqFact]
    public async Task A_message_of_a_newer_contract_goes_to_the_error_queue_unretried_and_its_fault_is_published()
    {
        string dir = Directory.CreateTempSubdirectory("zagg-rabbit").FullName;
        try
        {
            var messaging = MessagingOptions.Parse("rabbitmq", broker.Url);
            var faults = new ConcurrentQueue<Fault<CellsDispatched>>();
            var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
            builder.Services.AddSingleton(faults);
            builder.Services.AddZaggBus(messaging, x =>
            {
                x.AddConsolidationService();
                x.AddConsumer<FaultProbe>().Endpoint(e => e.Temporary = true);
            });
            using var host = builder.Build();
            await host.StartAsync();
            try
            {
                await using var depths = new QueueDepths(messaging);
                string errors = Queues.Consolidation + "_error";
                long before = (await depths.ReadAsync())[errors] ?? 0;
                var newer = new CellsDispatched { Version = ContractVersion.Current + 1, RunId = Guid.NewGuid(), Store = Path.Combine(dir, "out.zarr"), Cells = 1, RequestedAt = DateTimeOffset.UtcNow };
                await host.Services.GetRequiredService<IBus>().Publish(newer);

                var deadline = Stopwatch.StartNew();
                while ((faults.IsEmpty || ((await depths.ReadAsync())[errors] ?? 0) == before) && deadline.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(50);
                var fault = Assert.Single(faults);
                Assert.Equal(newer.RunId, fault.Message.RunId);
                Assert.Equal(1, Faults.Attempts(fault));
                Assert.Contains($"CellsDispatched has contract version {ContractVersion.Current + 1}", Faults.Reason(fault));
                await Task.Delay(500); // no retry comes after
                Assert.Equal(before + 1, (await depths.ReadAsync())[errors]);
                Assert.Single(faults);
                Assert.False(Directory.Exists(Path.Combine(dir, "out.zarr")));
            }
            finally { await host.StopAsync(); }
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>Collects the faults of CellsDispatched, as an operator's monitor would.</summary>
    public sealed class FaultProbe(ConcurrentQueue<Fault<CellsDispatched>> faults) : IConsumer<Fault<CellsDispatched>>
    {
        public Task Consume(ConsumeContext<Fault<CellsDispatched>> context)
        {
            faults.Enqueue(context.Message);
            return Task.CompletedTask;
        }
    }
}
