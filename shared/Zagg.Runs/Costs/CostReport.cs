using System.Globalization;

namespace Zagg.Runs.Costs;

/// <summary>The one line zagg run prints for a <see cref="RunCost"/>, before the run (an estimate) and after it (measured).</summary>
public static class CostReport
{
    /// <summary>
    /// "estimated cost (us-west-2 prices of 2026-11-30, 512 MB arm64 Lambda): $0.3451 for 1312 cells, $0.000263 per
    /// cell (Lambda 19680.0 GB-s $0.2624 + invocations $0.0003, SQS $0.0031, output S3 requests $0.0792); granule
    /// GETs, billed to the data's owner: $0.7347".
    /// </summary>
    /// <param name="cost">The run's cost.</param>
    /// <param name="what">What the figure is: "estimated cost" or "measured cost".</param>
    public static string Line(RunCost cost, string what)
    {
        ArgumentNullException.ThrowIfNull(cost);
        var t = cost.Total;
        var c = CultureInfo.InvariantCulture;
        return string.Format(c,
            "{0} ({1} prices of {2:yyyy-MM-dd}, {3} MB arm64 Lambda): ${4:0.0000} for {5} cells, ${6:0.000000} per cell " +
            "(Lambda {7:0.0} GB-s ${8:0.0000} + invocations ${9:0.0000}, SQS ${10:0.0000}, output S3 requests ${11:0.0000}); " +
            "granule GETs, billed to the data's owner: ${12:0.0000}",
            what, cost.Prices.Region, cost.Prices.AsOf, cost.MemoryMB, t.Total, cost.Cells, cost.PerCell.Total,
            cost.GbSeconds, t.LambdaDuration, t.LambdaRequests, t.Sqs, t.StoreRequests, t.GranuleGets);
    }
}
