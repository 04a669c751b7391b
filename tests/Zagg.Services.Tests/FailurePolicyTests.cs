using Xunit;
using Zagg.Contracts;
using Zagg.Pipeline.Catalogs;
using Zagg.Pipeline.Config;
using Zagg.Runs;

namespace Zagg.Services.Tests;

public class FailurePolicyTests
{
    public static TheoryData<Exception> Permanent() =>
    [
        new ConfigException("atl06.yaml: bad"),
        new CatalogException("catalog.json: cannot be read"),
        new ContractVersionException("newer"),
        new StoreExistsException("out.zarr: a store already exists here"),
        new CellFailedException("ATL06_1.h5: no such dataset") { Permanent = true },
        // Faults in the code: the same message meets the same code again.
        new NullReferenceException(),
        new IndexOutOfRangeException(),
        new InvalidCastException(),
        new ArgumentOutOfRangeException("order"),
        new NotSupportedException(),
        new OverflowException(),
        new FormatException(),
        new AggregateException(new ConfigException("atl06.yaml: bad"), new NullReferenceException()),
    ];

    public static TheoryData<Exception> Transient() =>
    [
        new CellFailedException("ATL06_1.h5: connection reset"),
        new CellFailedException("writing the cell failed", new IOException("disk full")),
        new IOException("disk full"),
        new HttpRequestException("503"),
        new Zagg.Zarr.ZarrException("s3://bucket/out.zarr: unreachable"),
        new TimeoutException(),
        new OperationCanceledException(),
        new InvalidOperationException("the connection was closed"),
        new AggregateException(new NullReferenceException(), new IOException("disk full")),
        new AggregateException(),
    ];

    [Theory]
    [MemberData(nameof(Permanent))]
    public void Failures_that_retrying_cannot_mend_are_permanent(Exception e) => Assert.True(FailurePolicy.IsPermanent(e), e.GetType().Name);

    [Theory]
    [MemberData(nameof(Transient))]
    public void Failures_that_may_mend_are_retried(Exception e) => Assert.False(FailurePolicy.IsPermanent(e), e.GetType().Name);

    [Fact]
    public void A_failed_cells_reason_names_its_attempts_and_a_success_replaces_a_failure_never_the_reverse()
    {
        var cell = new AggregateCell
        {
            RunId = Guid.NewGuid(), CatalogIndex = 3, ParentMorton = -5111131, ParentOrder = 6, Granules = ["a.h5", "b.h5"], Store = "/s",
            Config = ConfigReference.BuiltIn("atl06"),
        };
        var failed = CellRecord.Failed(cell, "a.h5: truncated", 4, "host:1");
        Assert.Equal("failed after 4 attempt(s): a.h5: truncated", failed.Reason);
        Assert.Equal(2, failed.GranuleCount);
        var succeeded = CellRecord.From(new CellAggregated
        {
            RunId = cell.RunId, CatalogIndex = 3, ParentMorton = -5111131, ChildCellsWithData = 5, Observations = 9, GranuleCount = 2,
            FilesProcessed = 2, DurationSeconds = 0.1, Worker = "host:2", Store = "/s",
        });
        Assert.Null(succeeded.Reason);
        Assert.True(failed.Replaces(null));
        Assert.True(succeeded.Replaces(failed));
        Assert.True(succeeded.Replaces(succeeded));
        Assert.True(failed.Replaces(failed));
        Assert.False(failed.Replaces(succeeded));
    }
}
