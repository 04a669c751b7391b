namespace Zagg.Runs.Costs;

/// <summary>
/// The on-demand AWS prices the cost model uses, in US dollars. <see cref="UsWest2"/> holds the figures for US West
/// (Oregon), where NSIDC's ATL06 granules are; they equal US East (N. Virginia)'s, which AWS's pricing pages quote.
/// Free tiers and volume tiers are ignored (a run is far below the first volume tier; the free tier is per account and month).
/// </summary>
/// <param name="LambdaArmGbSecond">Lambda duration on arm64, per GB-second (GB = configured MB / 1024).</param>
/// <param name="LambdaRequest">Lambda, per invocation.</param>
/// <param name="SqsRequest">SQS standard queue, per request (each 64 KiB chunk of a payload is one request).</param>
/// <param name="S3Get">S3 Standard GET (and other reads), per request.</param>
/// <param name="S3Put">S3 Standard PUT, COPY, POST, LIST, per request.</param>
/// <param name="Region">The region the figures are for.</param>
/// <param name="AsOf">When they were taken.</param>
public sealed record AwsPrices(
    double LambdaArmGbSecond, double LambdaRequest, double SqsRequest, double S3Get, double S3Put, string Region, DateOnly AsOf)
{
    /// <summary>The size of one billed SQS request: each started 64 KiB of a payload counts as one request.</summary>
    public const int SqsChunkBytes = 64 * 1024;

    /// <summary>
    /// us-west-2, taken on 2026-11-30 from AWS's public pricing as quoted by the stored pages the project's search reaches
    /// (aws.amazon.com/lambda/pricing, /sqs/pricing, /s3/pricing; the AWS Compute Blog's "Introducing tiered pricing for
    /// AWS Lambda"): Lambda arm64 $0.0000133334 per GB-s (first 7.5 billion GB-s a month) and $0.20 per million
    /// requests; SQS standard $0.40 per million requests (64 KiB chunks); S3 Standard $0.0004 per 1,000 GETs and
    /// $0.005 per 1,000 PUTs.
    /// </summary>
    public static AwsPrices UsWest2 { get; } = new(
        LambdaArmGbSecond: 0.0000133334, LambdaRequest: 0.20 / 1_000_000, SqsRequest: 0.40 / 1_000_000,
        S3Get: 0.0004 / 1_000, S3Put: 0.005 / 1_000, Region: "us-west-2", AsOf: new DateOnly(2026, 11, 30));

    /// <summary>Lambda x86_64 per GB-second, for comparison with systems run on x86 (the same pages): $0.0000166667.</summary>
    public const double LambdaX86GbSecond = 0.0000166667;
}
