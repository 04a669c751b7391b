using Zagg.Pipeline.Config;

namespace Zagg.Runs.Costs;

/// <summary>
/// A run's AWS cost, before it (from its plan) and after it (from its ledger): what <c>zagg run --backend aws</c>
/// prints. The arithmetic is <see cref="CostModel"/>'s; this adds where the cells come from.
/// </summary>
public static class RunCosts
{
    /// <summary>The arrays a cell writes a chunk of: the configuration's coordinates and variables.</summary>
    public static int ArraysOf(PipelineConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Coordinates.Count + config.Variables.Count;
    }

    /// <summary>The estimated cost of running <paramref name="cells"/> (a run's plan) on Lambdas of <paramref name="memoryMB"/>.</summary>
    /// <param name="cells">The planned cells (their granules size the time, the requests and the messages).</param>
    /// <param name="config">The run's configuration (its arrays are the chunks each cell writes).</param>
    /// <param name="memoryMB">The worker's configured memory, MB.</param>
    /// <param name="batchSize">Cells per invocation (the event source mapping's batch size).</param>
    /// <param name="prices">Prices (default <see cref="AwsPrices.UsWest2"/>).</param>
    /// <param name="assumptions">Assumptions (default <see cref="CostAssumptions.Default"/>).</param>
    public static RunCost Estimate(
        IReadOnlyList<PlannedCell> cells, PipelineConfig config, int memoryMB, int batchSize = 1, AwsPrices? prices = null, CostAssumptions? assumptions = null)
    {
        ArgumentNullException.ThrowIfNull(cells);
        int arrays = ArraysOf(config);
        var a = assumptions ?? CostAssumptions.Default;
        var usage = new CellUsage[cells.Count];
        for (int i = 0; i < usage.Length; i++) usage[i] = CostModel.Estimate(cells[i], arrays, a);
        return CostModel.Run(usage, memoryMB, batchSize, prices ?? AwsPrices.UsWest2);
    }

    /// <summary>
    /// The measured cost of a run: every cell its ledger records, with the aggregation time it measured.
    /// </summary>
    /// <exception cref="Zagg.Zarr.ZarrException">The store could not be read.</exception>
    /// <exception cref="IOException">The store could not be read.</exception>
    public static async Task<RunCost> MeasuredAsync(
        RunLedger ledger, PipelineConfig config, int memoryMB, int batchSize = 1, AwsPrices? prices = null, CostAssumptions? assumptions = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        int arrays = ArraysOf(config);
        var a = assumptions ?? CostAssumptions.Default;
        var records = await ledger.ReadCellsAsync(ct).ConfigureAwait(false);
        var usage = new List<CellUsage>(records.Count);
        foreach (var r in records.Values) usage.Add(CostModel.Measured(r, arrays, a));
        return CostModel.Run(usage, memoryMB, batchSize, prices ?? AwsPrices.UsWest2);
    }
}
