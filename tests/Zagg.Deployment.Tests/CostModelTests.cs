using Xunit;
using Zagg.Runs;
using Zagg.Runs.Costs;

namespace Zagg.Deployment.Tests;

/// <summary>The cost model against figures computed by hand (the arithmetic is in each test's comments).</summary>
public sealed class CostModelTests
{
    private static readonly AwsPrices P = AwsPrices.UsWest2;
    private const double Tolerance = 1e-12;

    [Theory]
    [InlineData(512, 30.0, 15.0)]        // 0.5 GB × 30 s
    [InlineData(2048, 150.0, 300.0)]     // 2 GB × 150 s (the Python system's cell)
    [InlineData(1024, 0.0001, 0.001)]    // 0.1 ms is billed as 1 ms
    [InlineData(1024, 0.002, 0.002)]     // exactly 2 ms stays 2 ms
    [InlineData(128, 0.0, 0.0)]
    public void GbSecondsAreConfiguredGigabytesTimesMillisecondsRoundedUp(int memoryMB, double seconds, double expected) =>
        Assert.Equal(expected, CostModel.GbSeconds(memoryMB, seconds), 12);

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(65_536, 1)]
    [InlineData(65_537, 2)]
    [InlineData(200_000, 4)]   // 200,000 / 65,536 = 3.05
    [InlineData(262_144, 4)]   // 256 KiB, SQS's largest message
    public void SqsCountsEachStarted64KiB(long bytes, long requests) => Assert.Equal(requests, CostModel.SqsRequests(bytes));

    [Fact]
    public void OneCellByHand()
    {
        // 40 granules, 30 s at 512 MB, 1,400 granule GETs, 12 PUTs (11 arrays + the ledger record), 1 GET, 6,000-byte message.
        var usage = new CellUsage(Granules: 40, Seconds: 30, GranuleGets: 1400, BytesRead: 0, StorePuts: 12, StoreGets: 1, MessageBytes: 6000, ResultBytes: 1000);
        var c = CostModel.Cell(usage, memoryMB: 512, batchSize: 1, P);
        Assert.Equal(15 * 0.0000133334, c.LambdaDuration, Tolerance);  // 0.000200001
        Assert.Equal(0.0000002, c.LambdaRequests, Tolerance);          // $0.20 per million
        Assert.Equal(6 * 0.0000004, c.Sqs, Tolerance);                 // send+receive+delete of two one-chunk messages
        Assert.Equal(12 * 0.000005 + 0.0000004, c.StoreRequests, Tolerance); // 0.0000604
        Assert.Equal(1400 * 0.0000004, c.GranuleGets, Tolerance);      // 0.00056
        Assert.Equal(0.000263001, c.Total, Tolerance);
        Assert.Equal(0.000823001, c.TotalWithGranuleGets, Tolerance);
        Assert.True(c.Total <= 0.0005, "the goal: at most $0.0005 per cell at 512 MB");
    }

    [Fact]
    public void BatchesShareAnInvocation()
    {
        var usage = new CellUsage(1, 1, 0, 0, 0, 0, 100, 100);
        Assert.Equal(0.0000002 / 10, CostModel.Cell(usage, 512, 10, P).LambdaRequests, Tolerance);
    }

    [Fact]
    public void ThePythonSystemsCellIsAboutItsPublishedFigure()
    {
        // 2 GB x86 workers for 2.5 min: 2 × 150 = 300 GB-s × $0.0000166667 = $0.0050 (+ $0.0000002 a request): the
        // published "about $0.006 per cell" (2–3 min: $0.0040–0.0060).
        double python = CostModel.GbSeconds(2048, 150) * AwsPrices.LambdaX86GbSecond + P.LambdaRequest;
        Assert.Equal(0.0050002, python, 7);
    }

    [Fact]
    public void ARunSumsItsCellsAndDividesPerCell()
    {
        var a = new CellUsage(10, 10, 350, 0, 12, 1, 2000, 1000);  // 0.5 × 10 = 5 GB-s
        var b = new CellUsage(30, 20, 1050, 0, 12, 1, 70_000, 1000); // 10 GB-s; a two-chunk message: 3 × 2 + 3 = 9 SQS requests
        var run = CostModel.Run([a, b], 512, 1, P);
        Assert.Equal(2, run.Cells);
        Assert.Equal(15, run.GbSeconds, 12);
        Assert.Equal(15 * 0.0000133334, run.Total.LambdaDuration, Tolerance);
        Assert.Equal((6 + 9) * 0.0000004, run.Total.Sqs, Tolerance);
        Assert.Equal(1400 * 0.0000004, run.Total.GranuleGets, Tolerance);
        Assert.Equal(run.Total.Total / 2, run.PerCell.Total, Tolerance);
        Assert.Equal(0, CostModel.Run([], 512, 1, P).PerCell.Total);
    }

    [Fact]
    public void AnEstimateUsesThePlannedGranulesAndTheAssumptions()
    {
        var cell = new PlannedCell(0, -6134114, ["s3://b/0123456", "s3://b/0123456789abcdef"]); // 14 + 23 characters
        var u = CostModel.Estimate(cell, arrays: 11, CostAssumptions.Default);
        Assert.Equal(2, u.Granules);
        Assert.Equal(1.5, u.Seconds, 12);        // 2 × 0.75 s
        Assert.Equal(70, u.GranuleGets);         // 2 × 35
        Assert.Equal(12, u.StorePuts);           // 11 chunks + the ledger record
        Assert.Equal(1024 + 17 + 26, u.MessageBytes);
    }

    [Fact]
    public void AMeasuredCellUsesItsLedgerRecord()
    {
        var ok = new CellRecord { CatalogIndex = 3, ParentMorton = -6134114, Succeeded = true, GranuleCount = 4, DurationSeconds = 2.5 };
        var u = CostModel.Measured(ok, arrays: 11, CostAssumptions.Default);
        Assert.Equal(2.5, u.Seconds);
        Assert.Equal(140, u.GranuleGets);
        Assert.Equal(12, u.StorePuts);
        var failed = ok with { Succeeded = false, DurationSeconds = 0 };
        Assert.Equal(1, CostModel.Measured(failed, 11, CostAssumptions.Default).StorePuts); // only the ledger record
    }

    [Fact]
    public void TheLineNamesPricesMemoryAndTotals()
    {
        var run = CostModel.Run([new CellUsage(40, 30, 1400, 0, 12, 1, 6000, 1000)], 512, 1, P);
        Assert.Equal(
            "estimated cost (us-west-2 prices of 2026-11-30, 512 MB arm64 Lambda): $0.0003 for 1 cells, $0.000263 per cell " +
            "(Lambda 15.0 GB-s $0.0002 + invocations $0.0000, SQS $0.0000, output S3 requests $0.0001); granule GETs, billed to the data's owner: $0.0006",
            CostReport.Line(run, "estimated cost"));
    }

    [Theory]
    [InlineData(0, 1.0)]
    [InlineData(512, -1.0)]
    [InlineData(512, double.NaN)]
    public void BadInputsThrow(int memoryMB, double seconds) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => CostModel.GbSeconds(memoryMB, seconds));
}

/// <summary>A run's cost from its plan and from its ledger (a real ledger in a local store).</summary>
public sealed class RunCostsTests
{
    private static readonly Zagg.Pipeline.Config.PipelineConfig Config = Zagg.Pipeline.Config.ConfigLoader.Load("atl06");

    [Fact]
    public void TheBuiltInConfigWritesElevenArrays() => Assert.Equal(11, RunCosts.ArraysOf(Config)); // cell_ids, morton + 9 variables

    [Fact]
    public void AnEstimateSumsThePlannedCells()
    {
        PlannedCell[] cells = [new(0, -6134114, ["a", "b", "c", "d"]), new(1, -6134113, ["a", "b"])];
        var cost = RunCosts.Estimate(cells, Config, memoryMB: 512);
        Assert.Equal(2, cost.Cells);
        Assert.Equal(0.5 * (6 * 0.75), cost.GbSeconds, 12);                       // 6 granules × 0.75 s at 0.5 GB
        Assert.Equal(2 * 12 * 0.000005 + 2 * 0.0000004, cost.Total.StoreRequests, 12); // 12 PUTs + 1 GET a cell
        Assert.Equal(6 * 35 * 0.0000004, cost.Total.GranuleGets, 12);
    }

    [Fact]
    public async Task AMeasuredCostReadsTheLedger()
    {
        string dir = Directory.CreateTempSubdirectory("zagg-cost-").FullName;
        try
        {
            var ledger = new RunLedger(new Zagg.Zarr.Stores.LocalStore(dir), Guid.NewGuid());
            await ledger.RecordAsync(new CellRecord { CatalogIndex = 0, ParentMorton = -6134114, Succeeded = true, GranuleCount = 4, DurationSeconds = 2.0 });
            await ledger.RecordAsync(new CellRecord { CatalogIndex = 1, ParentMorton = -6134113, Succeeded = true, GranuleCount = 2, DurationSeconds = 1.0005 });
            await ledger.RecordAsync(new CellRecord { CatalogIndex = 2, ParentMorton = -6134112, Succeeded = false, GranuleCount = 1, Message = "boom" });
            var cost = await RunCosts.MeasuredAsync(ledger, Config, memoryMB: 1024);
            Assert.Equal(3, cost.Cells);
            Assert.Equal(2.0 + 1.001, cost.GbSeconds, 12);  // 1 GB; 1.0005 s billed as 1.001 s; the failed cell 0 s
            Assert.Equal(3.001 * 0.0000133334, cost.Total.LambdaDuration, 12);
            Assert.Equal((12 + 12 + 1) * 0.000005 + 3 * 0.0000004, cost.Total.StoreRequests, 12);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
