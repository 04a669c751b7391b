using Xunit;
using Zagg.Cli.Running;
using Zagg.Contracts;
using Zagg.Runs;

namespace Zagg.Cli.Tests;

/// <summary>zagg run's progress counts, from redelivered, failed and re-aggregated cells.</summary>
public class RunMonitorTests
{
    private static readonly Guid Run = Guid.NewGuid();

    private static CellAggregated Aggregated(long index, long obs) => new()
    {
        RunId = Run, CatalogIndex = index, ParentMorton = -5111131 - index, ChildCellsWithData = 3, Observations = obs, GranuleCount = 1,
        FilesProcessed = 1, DurationSeconds = 0.1, Worker = "host:1", Store = "/s",
    };

    private static CellRecord Failed(long index) => CellRecord.Failed(new AggregateCell
    {
        RunId = Run, CatalogIndex = index, ParentMorton = -5111131 - index, ParentOrder = 6, Granules = ["a.h5"], Store = "/s",
        Config = ConfigReference.BuiltIn("atl06"),
    }, "a.h5: truncated", 4, "host:2");

    [Fact]
    public void A_cell_counts_once_and_a_success_replaces_a_failure_but_not_the_reverse()
    {
        var monitor = new RunMonitor(Run);
        monitor.On(Aggregated(0, 100));
        monitor.On(Aggregated(0, 100)); // redelivered
        monitor.On(Failed(1));
        monitor.On(Failed(1));
        Assert.Equal((1, 1, 100L), (monitor.Done, monitor.Failed, monitor.Observations));
        Assert.Equal("failed after 4 attempt(s): a.h5: truncated", Assert.Single(monitor.Failures).Reason);

        monitor.On(Aggregated(1, 50)); // moved back from the error queue, and aggregated
        monitor.On(Failed(0)); // a late failure of a cell already written
        Assert.Equal((2, 0, 150L), (monitor.Done, monitor.Failed, monitor.Observations));
        Assert.Empty(monitor.Failures);
    }
}
