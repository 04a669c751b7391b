using Zagg.Contracts;

namespace Zagg.Runs.Costs;

/// <summary>A run's cost: how many cells, what they cost together and each, and the Lambda GB-seconds behind it.</summary>
/// <param name="Cells">Cells counted.</param>
/// <param name="Total">The run's cost.</param>
/// <param name="GbSeconds">The Lambda duration billed, GB-s.</param>
/// <param name="MemoryMB">The worker's configured memory, MB.</param>
/// <param name="Prices">The prices used.</param>
public sealed record RunCost(int Cells, CostBreakdown Total, double GbSeconds, int MemoryMB, AwsPrices Prices)
{
    /// <summary>The run's cost per cell (zero when it has no cells).</summary>
    public CostBreakdown PerCell => Cells == 0 ? default : Total.Per(Cells);
}

/// <summary>
/// The cost of aggregating cells on SQS-triggered Lambdas (docs/cost.md): pure functions of what each cell uses, the
/// configured memory and the prices. Per cell: Lambda duration (configured GB × seconds, rounded up to the
/// millisecond as Lambda bills), one invocation per <c>batchSize</c> cells, SQS requests (send, receive and delete of
/// the AggregateCell and of its result, each 64 KiB chunk a request — an upper bound, batching only lowers it),
/// output-bucket PUTs (a chunk per array and the ledger's record) and GETs, and the granule GETs (billed to the
/// data's owner; kept apart in <see cref="CostBreakdown"/>). Not counted: the Lambda init phase of cold starts, empty
/// long-poll receives of an idle queue, CloudWatch Logs, storage of the product, the control plane's host.
/// </summary>
public static class CostModel
{
    /// <summary>Lambda's billed GB-seconds for one invocation: <paramref name="memoryMB"/> / 1024 × seconds rounded up to 1 ms.</summary>
    /// <exception cref="ArgumentOutOfRangeException">memoryMB is not positive, or seconds is negative or not finite.</exception>
    public static double GbSeconds(int memoryMB, double seconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(memoryMB);
        if (!double.IsFinite(seconds) || seconds < 0) throw new ArgumentOutOfRangeException(nameof(seconds), seconds, "a duration is a finite number of seconds ≥ 0");
        return memoryMB / 1024.0 * (Math.Ceiling(seconds * 1000 - 1e-9) / 1000);
    }

    /// <summary>The SQS requests one API call on a payload of <paramref name="bytes"/> counts: each started 64 KiB, at least one.</summary>
    public static long SqsRequests(long bytes) => Math.Max(1, (bytes + AwsPrices.SqsChunkBytes - 1) / AwsPrices.SqsChunkBytes);

    /// <summary>The cost of one cell.</summary>
    /// <param name="usage">What the cell used.</param>
    /// <param name="memoryMB">The worker's configured memory, MB (128–10,240).</param>
    /// <param name="batchSize">Cells per Lambda invocation (the event source mapping's batch size, ≥ 1).</param>
    /// <param name="prices">The prices.</param>
    /// <exception cref="ArgumentOutOfRangeException">memoryMB or batchSize out of range, or a negative duration.</exception>
    public static CostBreakdown Cell(in CellUsage usage, int memoryMB, int batchSize, AwsPrices prices)
    {
        ArgumentNullException.ThrowIfNull(prices);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        long sqs = 3 * SqsRequests(usage.MessageBytes) + 3 * SqsRequests(usage.ResultBytes);
        return new CostBreakdown(
            LambdaDuration: GbSeconds(memoryMB, usage.Seconds) * prices.LambdaArmGbSecond,
            LambdaRequests: prices.LambdaRequest / batchSize,
            Sqs: sqs * prices.SqsRequest,
            StoreRequests: usage.StorePuts * prices.S3Put + usage.StoreGets * prices.S3Get,
            GranuleGets: usage.GranuleGets * prices.S3Get);
    }

    /// <summary>The cost of a run's cells.</summary>
    public static RunCost Run(IEnumerable<CellUsage> cells, int memoryMB, int batchSize, AwsPrices prices)
    {
        ArgumentNullException.ThrowIfNull(cells);
        CostBreakdown total = default;
        double gbSeconds = 0;
        int n = 0;
        foreach (var c in cells)
        {
            total += Cell(c, memoryMB, batchSize, prices);
            gbSeconds += GbSeconds(memoryMB, c.Seconds);
            n++;
        }
        return new RunCost(n, total, gbSeconds, memoryMB, prices);
    }

    /// <summary>
    /// A planned cell's usage before it runs: its granules (count and URL bytes, which size its message) and the
    /// assumptions for time and requests.
    /// </summary>
    /// <param name="cell">The cell, from the run's plan.</param>
    /// <param name="arrays">Arrays of the store (coordinates and variables): one chunk PUT each.</param>
    /// <param name="assumptions">The assumptions.</param>
    public static CellUsage Estimate(PlannedCell cell, int arrays, CostAssumptions assumptions)
    {
        ArgumentNullException.ThrowIfNull(cell);
        ArgumentNullException.ThrowIfNull(assumptions);
        int granules = cell.Granules.Count;
        int urlBytes = 0;
        foreach (string g in cell.Granules) urlBytes += g.Length + 3; // quoted, comma-separated in the JSON body
        return new CellUsage(
            Granules: granules, Seconds: granules * assumptions.SecondsPerGranule, GranuleGets: (long)granules * assumptions.GetsPerGranule,
            BytesRead: granules * assumptions.BytesPerGranule, StorePuts: arrays + 1, StoreGets: assumptions.StoreGetsPerCell,
            MessageBytes: assumptions.MessageOverheadBytes + urlBytes, ResultBytes: assumptions.ResultBytes);
    }

    /// <summary>
    /// A finished cell's usage from its ledger record: its measured aggregation time (<see cref="CellRecord.DurationSeconds"/>)
    /// and granule count; requests are modelled from the granules, as the ledger does not count them. A failed cell
    /// counts its granules' requests and no measured time.
    /// </summary>
    public static CellUsage Measured(CellRecord record, int arrays, CostAssumptions assumptions)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(assumptions);
        int granules = record.GranuleCount;
        return new CellUsage(
            Granules: granules, Seconds: record.DurationSeconds, GranuleGets: (long)granules * assumptions.GetsPerGranule,
            BytesRead: granules * assumptions.BytesPerGranule, StorePuts: (record.Succeeded ? arrays : 0) + 1, StoreGets: assumptions.StoreGetsPerCell,
            MessageBytes: assumptions.MessageOverheadBytes + granules * assumptions.UrlBytesPerGranule, ResultBytes: assumptions.ResultBytes);
    }
}
