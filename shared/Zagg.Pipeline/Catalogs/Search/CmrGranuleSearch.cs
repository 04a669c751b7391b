using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Zagg.Pipeline.Catalogs.Search;

/// <summary>
/// NASA CMR granule search, UMM-JSON: <c>GET {cmr}/search/granules.umm_json</c> with
/// <c>short_name</c>, <c>version</c>, <c>provider</c>, <c>temporal[]</c>, <c>bounding_box</c> and
/// <c>page_size</c>; later pages carry the <c>CMR-Search-After</c> header of the previous answer, and
/// <c>CMR-Hits</c> gives the total (CMR Search API, "Search After" and "Headers").
/// </summary>
public sealed class CmrGranuleSearch : IGranuleSearch
{
    /// <summary>NASA's operational CMR.</summary>
    public const string DefaultUrl = "https://cmr.earthdata.nasa.gov";

    private readonly string _base;
    private readonly SearchOptions _options;
    private readonly HttpMessageHandler? _handler;

    /// <param name="baseUrl">The CMR root, e.g. https://cmr.earthdata.nasa.gov (no trailing /search).</param>
    /// <exception cref="ArgumentException">Not an absolute http(s) URL.</exception>
    public CmrGranuleSearch(string baseUrl, SearchOptions? options = null, HttpMessageHandler? handler = null)
    {
        _base = StacItemSearch.CheckUrl(baseUrl, "the CMR URL").TrimEnd('/');
        _options = options ?? new SearchOptions();
        _handler = handler;
    }

    public string Describe() => $"CMR at {_base}";

    public string Product(GranuleQuery query) => $"{query.ShortName} {query.Version} {query.Provider}";

    /// <summary>The first page's URL for <paramref name="query"/>.</summary>
    public string QueryUrl(GranuleQuery query)
    {
        var q = new StringBuilder(_base).Append("/search/granules.umm_json?");
        Add(q, "short_name", query.ShortName);
        if (!string.IsNullOrEmpty(query.Version)) Add(q, "version", query.Version);
        if (!string.IsNullOrEmpty(query.Provider)) Add(q, "provider", query.Provider);
        Add(q, "temporal[]", $"{GranuleQuery.IsoTime(query.Begin)},{GranuleQuery.IsoTime(query.Finish)}");
        if (query.BoundingBox?.WithLongitudesIn180() is { } b)
            Add(q, "bounding_box", FormattableString.Invariant($"{b.West:R},{b.South:R},{b.East:R},{b.North:R}"));
        Add(q, "page_size", Math.Clamp(_options.PageSize, 1, 2000).ToString(CultureInfo.InvariantCulture));
        Add(q, "sort_key[]", "start_date");
        return q.ToString(0, q.Length - 1);

        static void Add(StringBuilder q, string name, string value) => q.Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value)).Append('&');
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<GranuleRecord>> SearchAsync(GranuleQuery query, IProgress<SearchProgress>? progress = null, CancellationToken ct = default)
    {
        string url = QueryUrl(query);
        var found = new List<GranuleRecord>();
        string? after = null;
        long? hits = null;
        long received = 0;
        int pagesRead = 0;
        using var http = new SearchHttp(Describe(), _options, _handler,
            progress is null ? null : text => progress.Report(new SearchProgress(pagesRead, (int)received, hits, text)));
        for (int page = 1; ; page++)
        {
            string what = $"page {page} ({url})";
            string? token = after;
            var (body, headers) = await http.SendAsync(() =>
            {
                var r = new HttpRequestMessage(HttpMethod.Get, url);
                r.Headers.Accept.ParseAdd("application/vnd.nasa.cmr.umm_results+json");
                if (token is not null) r.Headers.Add("CMR-Search-After", token);
                return r;
            }, what, ct).ConfigureAwait(false);
            if (headers.TryGetValues("CMR-Hits", out var h) && long.TryParse(h.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out long n)) hits = n;
            int items = ReadPage(body, $"{Describe()} {what}", found, query.NameFilter, ref hits);
            received += items;
            pagesRead = page;
            progress?.Report(new SearchProgress(page, (int)received, hits));
            after = headers.TryGetValues("CMR-Search-After", out var a) ? a.FirstOrDefault() : null;
            if (items == 0 || after is null || received >= hits) break;
        }
        // Pages that end before the total CMR announced would make a catalog that silently misses granules.
        if (hits is long total && received < total)
            throw new CatalogSearchException($"{Describe()}: announced {total} granules (CMR-Hits) but its pages ended after {received}: the catalog would miss granules; search again");
        return found;
    }

    /// <summary>Reads one UMM-JSON page into <paramref name="found"/>; returns how many items it held (before filtering).</summary>
    /// <exception cref="CatalogSearchException">Not JSON, no items array, or an item that is not a valid UMM-G record.</exception>
    internal static int ReadPage(string body, string where, List<GranuleRecord> found, GranuleFilter? filter, ref long? hits)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(body); }
        catch (JsonException e) { throw new CatalogSearchException($"{where}: not valid UMM-JSON at line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}", e); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("items", out var items) || items.ValueKind != JsonValueKind.Array)
                throw new CatalogSearchException($"{where}: not a UMM-JSON result (no \"items\" array)");
            if (hits is null && root.TryGetProperty("hits", out var hv) && hv.TryGetInt64(out long total)) hits = total;
            int i = 0;
            foreach (var item in items.EnumerateArray())
            {
                string at = $"{where} items[{i++}]";
                if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("umm", out var umm))
                    throw new CatalogSearchException($"{at}: has no \"umm\" record");
                var g = UmmGranule.Read(umm, at);
                if (filter is null || filter.Keeps(g.GranuleUR)) found.Add(g);
            }
            return i;
        }
    }
}
