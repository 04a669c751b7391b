namespace Zagg.Runs.Costs;

/// <summary>
/// What the model assumes where a run has not measured it yet (an estimate before the run), or where the run ledger
/// does not count it (requests). Every default is a measurement of this repository, named where it is set.
/// </summary>
/// <param name="SecondsPerGranule">
/// The worker's time per granule of a cell, seconds. Default 0.75: the README's remote benchmark (one cell of 30
/// granules read over HTTP through a proxy adding 20 ms per request, 22.0 s), 20 ms being a generous same-region S3
/// first-byte latency.
/// </param>
/// <param name="GetsPerGranule">Ranged GETs per granule of a cell. Default 35, the same benchmark's requests per granule.</param>
/// <param name="BytesPerGranule">Bytes read per granule of a cell (informational). Default 4 MiB.</param>
/// <param name="StoreGetsPerCell">Output-bucket GETs per cell (the ledger's check of the cell before it is written). Default 1.</param>
/// <param name="MessageOverheadBytes">An AggregateCell's bytes besides its granule URLs (envelope, ids, store, config reference). Default 1,024.</param>
/// <param name="ResultBytes">A cell's result message, bytes. Default 1,024.</param>
/// <param name="UrlBytesPerGranule">
/// A granule URL's bytes in a message, where the URLs are not at hand (a ledger record counts granules only). Default
/// 120: an NSIDC ATL06 s3:// link is about 100 characters, quoted and separated.
/// </param>
public sealed record CostAssumptions(
    double SecondsPerGranule = 0.75, int GetsPerGranule = 35, long BytesPerGranule = 4L << 20, int StoreGetsPerCell = 1,
    int MessageOverheadBytes = 1024, int ResultBytes = 1024, int UrlBytesPerGranule = 120)
{
    public static CostAssumptions Default { get; } = new();
}
