namespace Zagg.Runs.Costs;

/// <summary>
/// A cost in US dollars, by what AWS bills. <see cref="Total"/> is what the deployment's account pays;
/// <see cref="GranuleGets"/> is shown apart because GETs on NSIDC's bucket are billed to its owner, not to the
/// reader (it is not a requester-pays bucket), and <see cref="TotalWithGranuleGets"/> is the bound if they were.
/// </summary>
public readonly record struct CostBreakdown(double LambdaDuration, double LambdaRequests, double Sqs, double StoreRequests, double GranuleGets)
{
    /// <summary>What the deployment's account pays: Lambda duration and requests, SQS requests, output-bucket requests.</summary>
    public double Total => LambdaDuration + LambdaRequests + Sqs + StoreRequests;

    /// <summary><see cref="Total"/> plus the granule GETs, as if the reader paid them (requester-pays).</summary>
    public double TotalWithGranuleGets => Total + GranuleGets;

    public static CostBreakdown operator +(CostBreakdown a, CostBreakdown b) => new(
        a.LambdaDuration + b.LambdaDuration, a.LambdaRequests + b.LambdaRequests, a.Sqs + b.Sqs,
        a.StoreRequests + b.StoreRequests, a.GranuleGets + b.GranuleGets);

    /// <summary>This cost divided by <paramref name="n"/> (n ≥ 1), e.g. a run's cost per cell.</summary>
    public CostBreakdown Per(int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        return new(LambdaDuration / n, LambdaRequests / n, Sqs / n, StoreRequests / n, GranuleGets / n);
    }
}
