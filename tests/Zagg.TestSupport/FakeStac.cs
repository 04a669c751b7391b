using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Zagg.TestSupport;

/// <summary>
/// A STAC API item search on loopback (Kestrel on 127.0.0.1): <c>POST /search</c> answers the items
/// it holds in pages of the body's <c>limit</c>, as GeoJSON FeatureCollections with
/// <c>numberMatched</c>; the next page is linked alternately as a GET href (<c>?token=N</c>) and as a
/// POST with <c>{"token": N}</c> and <c>merge: true</c>, so a client must follow both. It filters by
/// the body's <c>collections</c> and nothing else. Every request is recorded.
/// </summary>
public sealed class FakeStac : IAsyncDisposable
{
    private readonly WebApplication _app;

    public List<JsonObject> Items { get; } = [];

    /// <summary>Every request: method, path and query, and its body.</summary>
    public List<(string Request, string Body)> Requests { get; } = [];

    public string Collection { get; }

    public string Url { get; }

    private FakeStac(WebApplication app, string url, string collection) { _app = app; Url = url; Collection = collection; }

    public static async Task<FakeStac> StartAsync(string collection, IEnumerable<JsonObject>? items = null)
    {
        var app = LoopbackWebApp.CreateBuilder().Build();
        FakeStac? self = null;
        app.MapMethods("/search", ["GET", "POST"], (HttpContext c) => self!.ServeAsync(c));
        await app.StartAsync();
        string url = LoopbackWebApp.BaseUrl(app);
        self = new FakeStac(app, url, collection);
        if (items is not null) self.Items.AddRange(items);
        return self;
    }

    /// <summary>A STAC item made from a UMM-G record, as CMR-STAC makes them: id = GranuleUR, GPolygons as (Multi)Polygon geometry, boxes as densified polygons, lines and points as LineString and Point (a GeometryCollection when mixed), the data asset with media type application/x-hdf5 (S3 as its alternate), a browse and a metadata asset.</summary>
    public static JsonObject ItemFromUmm(JsonObject umm, string collection)
    {
        var polygons = new JsonArray();
        var geometry = umm["SpatialExtent"]?["HorizontalSpatialDomain"]?["Geometry"];
        foreach (var gp in geometry?["GPolygons"]?.AsArray() ?? [])
        {
            var rings = new JsonArray { Ring(gp!["Boundary"]!) };
            foreach (var hole in gp["ExclusiveZone"]?["Boundaries"]?.AsArray() ?? []) rings.Add(Ring(hole!));
            polygons.Add(rings);
        }
        var others = new JsonArray();
        // A lon-lat box has parallels for sides; GeoJSON has no such edge, so it becomes a polygon with a vertex every 0.1°.
        foreach (var r in geometry?["BoundingRectangles"]?.AsArray() ?? [])
        {
            double w = r!["WestBoundingCoordinate"]!.GetValue<double>(), e = r["EastBoundingCoordinate"]!.GetValue<double>();
            double so = r["SouthBoundingCoordinate"]!.GetValue<double>(), n = r["NorthBoundingCoordinate"]!.GetValue<double>();
            double span = e >= w ? e - w : e + 360 - w;
            int steps = Math.Max(1, (int)Math.Ceiling(span / 0.1));
            var ring = new JsonArray();
            for (int i = 0; i <= steps; i++) ring.Add(new JsonArray(Lon(w + span * i / steps), so));
            for (int i = steps; i >= 0; i--) ring.Add(new JsonArray(Lon(w + span * i / steps), n));
            ring.Add(ring[0]!.DeepClone());
            others.Add(new JsonObject { ["type"] = "Polygon", ["coordinates"] = new JsonArray(ring) });
        }
        foreach (var l in geometry?["Lines"]?.AsArray() ?? [])
            others.Add(new JsonObject { ["type"] = "LineString", ["coordinates"] = new JsonArray(l!["Points"]!.AsArray().Select(p => (JsonNode)new JsonArray(p!["Longitude"]!.GetValue<double>(), p["Latitude"]!.GetValue<double>())).ToArray()) });
        foreach (var p in geometry?["Points"]?.AsArray() ?? [])
            others.Add(new JsonObject { ["type"] = "Point", ["coordinates"] = new JsonArray(p!["Longitude"]!.GetValue<double>(), p["Latitude"]!.GetValue<double>()) });
        string? https = null, s3 = null, png = null, xml = null;
        foreach (var u in umm["RelatedUrls"]?.AsArray() ?? [])
        {
            string url = u!["URL"]!.GetValue<string>(), type = u["Type"]?.GetValue<string>() ?? "";
            if (type == "GET DATA") https = url;
            else if (type == "GET DATA VIA DIRECT ACCESS") s3 = url;
            else if (url.EndsWith(".png", StringComparison.Ordinal)) png = url;
            else if (url.EndsWith(".xml", StringComparison.Ordinal)) xml ??= url;
        }
        var assets = new JsonObject();
        var data = new JsonObject { ["href"] = https ?? s3, ["type"] = "application/x-hdf5", ["roles"] = new JsonArray("data") };
        if (https is not null && s3 is not null) data["alternate"] = new JsonObject { ["s3"] = new JsonObject { ["href"] = s3 } };
        assets["data"] = data;
        if (png is not null) assets["browse"] = new JsonObject { ["href"] = png, ["type"] = "image/png", ["roles"] = new JsonArray("overview") };
        if (xml is not null) assets["metadata"] = new JsonObject { ["href"] = xml, ["type"] = "application/xml", ["roles"] = new JsonArray("metadata") };
        var range = umm["TemporalExtent"]?["RangeDateTime"];
        return new JsonObject
        {
            ["type"] = "Feature", ["stac_version"] = "1.0.0", ["id"] = umm["GranuleUR"]!.GetValue<string>(), ["collection"] = collection,
            ["geometry"] = others.Count > 0
                ? new JsonObject { ["type"] = "GeometryCollection", ["geometries"] = Append(others, polygons.Count > 0 ? new JsonObject { ["type"] = "MultiPolygon", ["coordinates"] = polygons } : null) }
                : polygons.Count == 1 ? new JsonObject { ["type"] = "Polygon", ["coordinates"] = polygons[0]!.DeepClone() }
                : new JsonObject { ["type"] = "MultiPolygon", ["coordinates"] = polygons },
            ["properties"] = new JsonObject
            {
                ["datetime"] = range?["BeginningDateTime"]?.GetValue<string>(),
                ["start_datetime"] = range?["BeginningDateTime"]?.GetValue<string>(),
                ["end_datetime"] = range?["EndingDateTime"]?.GetValue<string>(),
            },
            ["assets"] = assets, ["links"] = new JsonArray(),
        };

        static double Lon(double lon) => lon > 180 ? lon - 360 : lon;

        static JsonArray Append(JsonArray list, JsonObject? more)
        {
            if (more is not null) list.Add(more);
            return list;
        }

        static JsonArray Ring(JsonNode boundary)
        {
            var ring = new JsonArray();
            var pts = boundary["Points"]!.AsArray();
            foreach (var p in pts) ring.Add(new JsonArray(p!["Longitude"]!.GetValue<double>(), p["Latitude"]!.GetValue<double>()));
            if (pts.Count > 0 && (pts[0]!["Longitude"]!.GetValue<double>() != pts[^1]!["Longitude"]!.GetValue<double>() || pts[0]!["Latitude"]!.GetValue<double>() != pts[^1]!["Latitude"]!.GetValue<double>()))
                ring.Add(ring[0]!.DeepClone());
            return ring;
        }
    }

    private async Task ServeAsync(HttpContext c)
    {
        string body = await new StreamReader(c.Request.Body).ReadToEndAsync();
        lock (Requests) Requests.Add(($"{c.Request.Method} {c.Request.Path}{c.Request.QueryString}", body));
        JsonObject request = body.Length > 0 ? JsonNode.Parse(body)!.AsObject() : [];
        int limit = request["limit"]?.GetValue<int>() ?? 10;
        int token = c.Request.Query.TryGetValue("token", out var t) ? int.Parse(t!, CultureInfo.InvariantCulture) : request["token"]?.GetValue<int>() ?? 0;
        if (c.Request.Method == "GET") limit = int.TryParse(c.Request.Query["limit"], out int l) ? l : limit;
        var collections = request["collections"]?.AsArray().Select(x => x!.GetValue<string>()).ToList();
        var matching = Items.Where(i => collections is null || collections.Contains(i["collection"]!.GetValue<string>())).ToList();
        var page = matching.Skip(token).Take(limit).ToList();
        var links = new JsonArray();
        int next = token + page.Count;
        if (page.Count > 0 && next < matching.Count)
        {
            int n = token / Math.Max(1, limit);
            links.Add(n % 2 == 0
                ? new JsonObject { ["rel"] = "next", ["href"] = $"{Url}/search?token={next}&limit={limit}", ["type"] = "application/geo+json", ["method"] = "GET" }
                : new JsonObject { ["rel"] = "next", ["href"] = $"{Url}/search", ["method"] = "POST", ["merge"] = true, ["body"] = new JsonObject { ["token"] = next } });
        }
        c.Response.ContentType = "application/geo+json";
        await c.Response.WriteAsync(new JsonObject
        {
            ["type"] = "FeatureCollection",
            ["features"] = new JsonArray(page.Select(i => (JsonNode)i.DeepClone()).ToArray()),
            ["numberMatched"] = matching.Count, ["numberReturned"] = page.Count, ["links"] = links,
        }.ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
