namespace Zagg.Runs.Costs;

/// <summary>
/// What one parent cell uses on AWS, measured or modelled: the inputs of <see cref="CostModel.Cell"/>.
/// </summary>
/// <param name="Granules">Granules read for the cell.</param>
/// <param name="Seconds">The worker's billed time for the cell, seconds (the Lambda's duration; the ledger's aggregation time when measured).</param>
/// <param name="GranuleGets">Ranged GET requests on the granules (NSIDC's bucket).</param>
/// <param name="BytesRead">Bytes read from the granules (informational: in-region S3 transfer to Lambda is free).</param>
/// <param name="StorePuts">PUT requests on the output bucket: one chunk per array, plus the ledger's cell record.</param>
/// <param name="StoreGets">GET (and HEAD) requests on the output bucket (the ledger's check of the cell).</param>
/// <param name="MessageBytes">The AggregateCell message's size on SQS, bytes (its envelope included).</param>
/// <param name="ResultBytes">The result's (CellAggregated or CellFailed) size on SQS, bytes.</param>
public readonly record struct CellUsage(
    int Granules, double Seconds, long GranuleGets, long BytesRead, int StorePuts, int StoreGets, int MessageBytes, int ResultBytes);
