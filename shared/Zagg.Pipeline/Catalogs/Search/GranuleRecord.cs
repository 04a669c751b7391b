using Zagg.Grid.Geometry;

namespace Zagg.Pipeline.Catalogs.Search;

/// <summary>
/// One granule as a catalog search found it: its GranuleUR (a STAC item's id), the links to its
/// data file (the <c>s3://</c> link for direct access in the archive's region, the HTTPS link for
/// anywhere), where it has data (its footprint) and when.
/// </summary>
/// <param name="GranuleUR">The granule's unique name in its provider (CMR UMM-G <c>GranuleUR</c>; for ATL06 the file name).</param>
/// <param name="S3Url">The <c>s3://bucket/key</c> of the data file ("GET DATA VIA DIRECT ACCESS"), or null.</param>
/// <param name="HttpsUrl">The <c>https://</c> URL of the data file ("GET DATA"), or null.</param>
/// <param name="Footprint">Where the granule has data; empty when the record said nothing spatial.</param>
/// <param name="Start">Beginning of the granule's time range (UTC), or null.</param>
/// <param name="End">End of the granule's time range (UTC), or null.</param>
public sealed record GranuleRecord(string GranuleUR, string? S3Url, string? HttpsUrl, GeoFootprint Footprint, DateTimeOffset? Start, DateTimeOffset? End)
{
    /// <summary>The location a catalog lists: the S3 link when there is one (workers rewrite it to HTTPS through the catalog's bases), else the HTTPS link.</summary>
    public string Location => S3Url ?? HttpsUrl ?? GranuleUR;
}

/// <summary>How far a search is: pages read, granules received, and the total the server announced (CMR-Hits, STAC numberMatched) when it did.</summary>
/// <param name="Notice">A line about a wait, when that is what is reported: an attempt that has waited
/// <see cref="SearchOptions.NoticeAfter"/> for its answer, or a retry (what failed, which retry, after how long); null in a
/// page's report.</param>
public readonly record struct SearchProgress(int Pages, int Granules, long? Hits, string? Notice = null);

/// <summary>A granule search service (NASA CMR, a STAC API).</summary>
public interface IGranuleSearch
{
    /// <summary>What the search asks, for messages and the catalog's metadata ("CMR at https://…").</summary>
    string Describe();

    /// <summary>
    /// What the search asks this service for, in its own terms, for the progress line: CMR's short name, version and
    /// provider ("ATL06 007 NSIDC_CPRD"); a STAC API's collection ("collection ATL06_007").
    /// </summary>
    string Product(GranuleQuery query);

    /// <summary>Every granule matching the query, all pages, in the order the server gave them.</summary>
    /// <exception cref="CatalogSearchException">The service cannot be reached, keeps failing, refuses the query, or answers something that is not a valid page.</exception>
    Task<IReadOnlyList<GranuleRecord>> SearchAsync(GranuleQuery query, IProgress<SearchProgress>? progress = null, CancellationToken ct = default);
}

/// <summary>
/// A search that failed: the service is unreachable or kept failing after its retries, refused the
/// query (its own error messages are in the text), or sent a page that is not what its API says.
/// The message names the service, the page or record, and what is wrong; never credentials.
/// </summary>
public sealed class CatalogSearchException(string message, Exception? inner = null) : Exception(message, inner);
