using Xunit;
using Zagg.Cli.Running;

namespace Zagg.Cli.Tests;

/// <summary>A worker's log lines on zagg's terminal: no stack traces, no second report of a failed cell.</summary>
public class WorkerLogLinesTests
{
    // As the worker's simple console formatter writes them (single line), from a run with one cell's granule missing.
    private const string CellFault = "21:10:05 fail: MassTransit.ReceiveTransport[0] R-FAULT rabbitmq://127.0.0.1/zagg-worker d1010000-34b9-07d7-173b-08df4fef77ed " +
        "Zagg.Contracts.AggregateCell Zagg.Worker.AggregateCellConsumer(00:00:00.3475694) Zagg.Runs.CellFailedException: /tmp/pf/missing.h5: cannot be opened: " +
        "Could not find file '/tmp/pf/missing.h5'.    at Zagg.Runs.CellWorker.ProcessAsync(AggregateCell m, Boolean redelivered, CancellationToken ct) in " +
        "/work/main/shared/Zagg.Runs/CellWorker.cs:line 103    at Zagg.Worker.AggregateCellConsumer.Consume(ConsumeContext`1 context)";

    [Fact]
    public void A_failed_cells_fault_is_left_to_the_runs_own_line()
        => Assert.Null(WorkerLogLines.Shown(CellFault));

    [Fact]
    public void Another_logged_exception_keeps_its_message_and_loses_its_stack()
    {
        string other = CellFault.Replace("Zagg.Runs.CellFailedException", "System.IO.IOException", StringComparison.Ordinal);
        string shown = WorkerLogLines.Shown(other)!;
        Assert.EndsWith("System.IO.IOException: /tmp/pf/missing.h5: cannot be opened: Could not find file '/tmp/pf/missing.h5'.", shown);
        Assert.DoesNotContain(" at ", shown[shown.IndexOf("IOException", StringComparison.Ordinal)..]);
    }

    [Theory]
    [InlineData("   at Zagg.Runs.CellWorker.ProcessAsync(AggregateCell m) in /x/CellWorker.cs:line 103", null)]
    [InlineData("21:10:05 warn: Zagg.Worker[0] the broker is slow to answer", "21:10:05 warn: Zagg.Worker[0] the broker is slow to answer")]
    [InlineData("21:10:05 fail: MassTransit[0] Connection Failed: rabbitmq://127.0.0.1/ (at the broker)", "21:10:05 fail: MassTransit[0] Connection Failed: rabbitmq://127.0.0.1/ (at the broker)")]
    public void Other_lines(string line, string? shown) => Assert.Equal(shown, WorkerLogLines.Shown(line));
}
