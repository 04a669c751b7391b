using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Zagg.Pipeline.Catalogs.Search;

/// <summary>
/// STAC API item search (STAC API — Item Search 1.0): <c>POST {stac}/search</c> with
/// <c>collections</c>, <c>datetime</c>, <c>bbox</c> and <c>limit</c>; the <c>next</c> link of each
/// page is followed to the end, by GET on its href or, when it says <c>"method": "POST"</c>, by POST
/// with its <c>body</c> (merged into the last POSTed body when <c>"merge": true</c>). NASA's CMR-STAC is
/// such an API (one catalog per provider, e.g. {cmr}/stac/NSIDC_CPRD).
/// </summary>
public sealed class StacItemSearch : IGranuleSearch
{
    private readonly string _base;
    private readonly string _collection;
    private readonly SearchOptions _options;
    private readonly HttpMessageHandler? _handler;

    /// <param name="baseUrl">The STAC API root (its <c>/search</c> is appended).</param>
    /// <param name="collection">The collection id, e.g. <c>ATL06_007</c> (CMR-STAC: short name _ version).</param>
    /// <exception cref="ArgumentException">Not an absolute http(s) URL, or no collection.</exception>
    public StacItemSearch(string baseUrl, string collection, SearchOptions? options = null, HttpMessageHandler? handler = null)
    {
        _base = CheckUrl(baseUrl, "the STAC URL").TrimEnd('/');
        if (string.IsNullOrWhiteSpace(collection)) throw new ArgumentException("a STAC search needs a collection id");
        _collection = collection;
        _options = options ?? new SearchOptions();
        _handler = handler;
    }

    public string Describe() => $"STAC API at {_base}";

    /// <summary>The collection searched: the query's short name, version and provider are CMR's, not asked here.</summary>
    public string Product(GranuleQuery query) => $"collection {_collection}";

    internal static string CheckUrl(string url, string what)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var u) || (u.Scheme != Uri.UriSchemeHttp && u.Scheme != Uri.UriSchemeHttps))
            throw new ArgumentException($"{what} '{url}' is not an http:// or https:// URL");
        return url;
    }

    /// <summary>The first request's body for <paramref name="query"/>.</summary>
    public JsonObject SearchBody(GranuleQuery query)
    {
        var body = new JsonObject
        {
            ["collections"] = new JsonArray(_collection),
            ["datetime"] = $"{GranuleQuery.IsoTime(query.Begin)}/{GranuleQuery.IsoTime(query.Finish)}",
            ["limit"] = Math.Max(1, _options.PageSize),
        };
        if (query.BoundingBox?.WithLongitudesIn180() is { } b) body["bbox"] = new JsonArray(b.West, b.South, b.East, b.North);
        return body;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<GranuleRecord>> SearchAsync(GranuleQuery query, IProgress<SearchProgress>? progress = null, CancellationToken ct = default)
    {
        var found = new List<GranuleRecord>();
        string url = _base + "/search";
        JsonObject? body = SearchBody(query);
        JsonObject lastPost = body;
        long? matched = null;
        int received = 0, pagesRead = 0;
        using var http = new SearchHttp(Describe(), _options, _handler,
            progress is null ? null : text => progress.Report(new SearchProgress(pagesRead, received, matched, text)));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int page = 1; ; page++)
        {
            string what = $"page {page} ({(body is null ? "GET" : "POST")} {url})";
            string? payload = body?.ToJsonString();
            string target = url;
            var (text, _) = await http.SendAsync(() =>
            {
                var r = new HttpRequestMessage(payload is null ? HttpMethod.Get : HttpMethod.Post, target);
                r.Headers.Accept.ParseAdd("application/geo+json");
                if (payload is not null) r.Content = new StringContent(payload, Encoding.UTF8, "application/json");
                return r;
            }, what, ct).ConfigureAwait(false);
            var next = ReadPage(text, $"{Describe()} {what}", found, query.NameFilter, ref matched, out int items);
            received += items;
            pagesRead = page;
            progress?.Report(new SearchProgress(page, received, matched));
            if (next is null || items == 0) break;
            // A next link pointing where we have been would loop for ever.
            string key = next.Value.Href + "\n" + next.Value.Body?.ToJsonString();
            if (!seen.Add(key)) throw new CatalogSearchException($"{Describe()} {what}: its next link repeats an earlier page ({next.Value.Href})");
            if (!Uri.TryCreate(new Uri(url), next.Value.Href, out var nextUrl) || (nextUrl.Scheme != Uri.UriSchemeHttp && nextUrl.Scheme != Uri.UriSchemeHttps))
                throw new CatalogSearchException($"{Describe()} {what}: its next link '{next.Value.Href}' is not an http(s) URL");
            url = nextUrl.AbsoluteUri;
            if (next.Value.Method == "POST")
            {
                var nb = next.Value.Body ?? new JsonObject();
                if (next.Value.Merge)
                {
                    // Merged into the body of the last POST (the search itself when pages in between were GETs).
                    var merged = (JsonObject)lastPost.DeepClone();
                    foreach (var (k, v) in nb) merged[k] = v?.DeepClone();
                    nb = merged;
                }
                body = lastPost = nb;
            }
            else body = null;
        }
        return found;
    }

    internal readonly record struct NextLink(string Href, string Method, JsonObject? Body, bool Merge);

    /// <summary>Reads one page (a GeoJSON FeatureCollection of items) into <paramref name="found"/>; returns its next link or null.</summary>
    /// <exception cref="CatalogSearchException">Not JSON, not a FeatureCollection, an invalid item, or a next link without href.</exception>
    internal static NextLink? ReadPage(string text, string where, List<GranuleRecord> found, GranuleFilter? filter, ref long? matched, out int items)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(text); }
        catch (JsonException e) { throw new CatalogSearchException($"{where}: not valid JSON at line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}", e); }
        if (root is not JsonObject page || page["features"] is not JsonArray features)
            throw new CatalogSearchException($"{where}: not an item collection (no \"features\" array)");
        matched ??= Long(page["numberMatched"]) ?? Long(page["context"]?["matched"]);
        items = 0;
        foreach (var f in features)
        {
            string at = $"{where} features[{items++}]";
            var g = StacItem.Read(f, at);
            if (filter is null || filter.Keeps(g.GranuleUR)) found.Add(g);
        }
        if (page["links"] is not JsonArray links) return null;
        foreach (var l in links)
        {
            if (l is not JsonObject link || link["rel"]?.GetValueKind() != JsonValueKind.String || (string)link["rel"]! != "next") continue;
            if (link["href"] is not JsonValue hv || hv.GetValueKind() != JsonValueKind.String) throw new CatalogSearchException($"{where}: its next link has no href");
            string method = link["method"] is JsonValue mv && mv.GetValueKind() == JsonValueKind.String ? ((string)mv!).ToUpperInvariant() : "GET";
            if (method is not ("GET" or "POST")) throw new CatalogSearchException($"{where}: its next link has method {method}; GET or POST are followed");
            bool merge = link["merge"] is JsonValue gv && gv.GetValueKind() == JsonValueKind.True;
            var body = link["body"] as JsonObject;
            return new NextLink((string)hv!, method, (JsonObject?)body?.DeepClone(), merge);
        }
        return null;

        static long? Long(JsonNode? n) => n is JsonValue v && v.TryGetValue(out long x) ? x : null;
    }
}
