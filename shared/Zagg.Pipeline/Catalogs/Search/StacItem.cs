using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Zagg.Grid;
using Zagg.Grid.Geometry;

namespace Zagg.Pipeline.Catalogs.Search;

/// <summary>
/// Reads one STAC item (STAC Item spec 1.0, a GeoJSON Feature): its <c>id</c> (the GranuleUR), its
/// <c>geometry</c> as the footprint (Polygon, MultiPolygon, LineString, MultiLineString, Point,
/// MultiPoint, GeometryCollection; the <c>bbox</c> when the geometry is null; polygon edges are
/// great-circle arcs, as in CMR), its time range (<c>start_datetime</c>/<c>end_datetime</c>, else
/// <c>datetime</c>), and the data file among its assets: media type <c>application/x-hdf5</c> (or
/// <c>application/x-hdf</c>) or an href ending <c>.h5</c>, its <c>s3://</c> and <c>https://</c> hrefs
/// (an asset's <c>alternate</c> hrefs included).
/// </summary>
public static class StacItem
{
    /// <exception cref="CatalogSearchException">Not a Feature with an id, or a geometry that is not valid GeoJSON.</exception>
    public static GranuleRecord Read(JsonNode? node, string where)
    {
        if (node is not JsonObject item) throw Bad(where, "is not a STAC item object");
        string id = item["id"] is JsonValue iv && iv.GetValueKind() == JsonValueKind.String ? (string)iv! : throw Bad(where, "has no id");
        where = $"{where} ({id})";
        var polygons = new List<GeoPolygon>();
        var lines = new List<IReadOnlyList<GeoPoint>>();
        var points = new List<GeoPoint>();
        var boxes = new List<GeoBox>();
        if (item["geometry"] is JsonObject geometry) Geometry(geometry, $"{where} geometry", polygons, lines, points);
        else if (item["bbox"] is JsonArray bb && bb.Count >= 4)
        {
            try
            {
                int h = bb.Count >= 6 ? 1 : 0; // a 3-D bbox is west, south, low, east, north, high
                boxes.Add(new GeoBox(Num(bb[0], where), Num(bb[1], where), Num(bb[2 + h], where), Num(bb[3 + h], where)));
            }
            catch (ArgumentException e) { throw Bad($"{where} bbox", e.Message); }
        }
        string? s3 = null, https = null;
        if (item["assets"] is JsonObject assets)
            foreach (var (_, a) in assets)
            {
                if (a is not JsonObject asset) continue;
                bool hdf = asset["type"] is JsonValue tv && tv.GetValueKind() == JsonValueKind.String
                    && ((string)tv!).Split(';')[0].Trim() is "application/x-hdf5" or "application/x-hdf";
                Take(asset["href"], hdf, ref s3, ref https);
                if (asset["alternate"] is JsonObject alternates)
                    foreach (var (_, alt) in alternates) Take(alt?["href"], hdf, ref s3, ref https);
            }
        var props = item["properties"] as JsonObject;
        DateTimeOffset? start = Time(props?["start_datetime"], where) ?? Time(props?["datetime"], where);
        DateTimeOffset? end = Time(props?["end_datetime"], where) ?? Time(props?["datetime"], where);
        try { return new GranuleRecord(id, s3, https, new GeoFootprint(polygons, lines, points, boxes), start, end); }
        catch (ArgumentException e) { throw Bad($"{where} geometry", e.Message); }
    }

    private static void Take(JsonNode? hrefNode, bool hdf, ref string? s3, ref string? https)
    {
        if (hrefNode is not JsonValue v || v.GetValueKind() != JsonValueKind.String) return;
        string href = (string)v!;
        if (!hdf && !UmmGranule.IsDataFile(href)) return;
        if (href.StartsWith("s3://", StringComparison.OrdinalIgnoreCase)) s3 ??= href;
        else if (href.StartsWith("https://", StringComparison.OrdinalIgnoreCase)) https ??= href;
    }

    private static void Geometry(JsonObject g, string where, List<GeoPolygon> polygons, List<IReadOnlyList<GeoPoint>> lines, List<GeoPoint> points)
    {
        string type = g["type"] is JsonValue tv && tv.GetValueKind() == JsonValueKind.String ? (string)tv! : throw Bad(where, "has no type");
        if (type == "GeometryCollection")
        {
            if (g["geometries"] is not JsonArray gs) throw Bad(where, "has no geometries array");
            for (int i = 0; i < gs.Count; i++)
                Geometry(gs[i] as JsonObject ?? throw Bad($"{where}.geometries[{i}]", "is not a geometry"), $"{where}.geometries[{i}]", polygons, lines, points);
            return;
        }
        var c = g["coordinates"] as JsonArray ?? throw Bad(where, $"{type} has no coordinates array");
        string at = $"{where}.coordinates";
        switch (type)
        {
            case "Point": points.Add(Position(c, at)); break;
            case "MultiPoint": for (int i = 0; i < c.Count; i++) points.Add(Position(c[i], $"{at}[{i}]")); break;
            case "LineString": lines.Add(Line(c, at)); break;
            case "MultiLineString": for (int i = 0; i < c.Count; i++) lines.Add(Line(c[i], $"{at}[{i}]")); break;
            case "Polygon": polygons.Add(new GeoPolygon([Rings(c, at)])); break;
            case "MultiPolygon":
                var parts = new List<IReadOnlyList<IReadOnlyList<GeoPoint>>>();
                for (int i = 0; i < c.Count; i++) parts.Add(Rings(c[i], $"{at}[{i}]"));
                if (parts.Count > 0) polygons.Add(new GeoPolygon(parts));
                break;
            default: throw Bad(where, $"has unknown GeoJSON type '{type}'");
        }
    }

    private static List<IReadOnlyList<GeoPoint>> Rings(JsonNode? node, string where)
    {
        if (node is not JsonArray rings || rings.Count == 0) throw Bad(where, "should be a non-empty array of rings");
        var result = new List<IReadOnlyList<GeoPoint>>();
        for (int r = 0; r < rings.Count; r++)
        {
            var ring = Line(rings[r], $"{where}[{r}]");
            if (ring.Count > 1 && ring[0] == ring[^1]) ring.RemoveAt(ring.Count - 1);
            if (ring.Count < 3) throw Bad($"{where}[{r}]", $"has {ring.Count} distinct position(s); a ring needs three or more");
            result.Add(ring);
        }
        return result;
    }

    private static List<GeoPoint> Line(JsonNode? node, string where)
    {
        if (node is not JsonArray a) throw Bad(where, "should be an array of positions");
        var pts = new List<GeoPoint>(a.Count);
        for (int i = 0; i < a.Count; i++) pts.Add(Position(a[i], $"{where}[{i}]"));
        if (pts.Count < 2) throw Bad(where, $"has {pts.Count} position(s); a line needs two or more");
        return pts;
    }

    private static GeoPoint Position(JsonNode? node, string where)
    {
        if (node is not JsonArray p || p.Count < 2) throw Bad(where, "should be a position [longitude, latitude]");
        double lon = Num(p[0], where), lat = Num(p[1], where);
        if (!(Math.Abs(lat) <= 90) || !(Math.Abs(lon) <= 180)) throw Bad(where, FormattableString.Invariant($"[{lon}, {lat}] is not a longitude in [-180, 180] and a latitude in [-90, 90]"));
        return new GeoPoint(lat, lon);
    }

    private static double Num(JsonNode? n, string where)
        => n is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? v.GetValue<double>() : throw Bad(where, "should hold numbers");

    private static DateTimeOffset? Time(JsonNode? n, string where)
    {
        if (n is null) return null;
        if (n is JsonValue v && v.GetValueKind() == JsonValueKind.String && DateTimeOffset.TryParse((string)v!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)) return t;
        if (n.GetValueKind() == JsonValueKind.Null) return null;
        throw Bad(where, $"properties has a date-time {n.ToJsonString()} that is not one");
    }

    private static CatalogSearchException Bad(string where, string what) => new($"{where}: {what}");
}
