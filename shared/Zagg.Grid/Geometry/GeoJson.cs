using System.Text.Json;

namespace Zagg.Grid.Geometry;

/// <summary>Thrown for GeoJSON that is not a usable polygon; the message names the file and the place in it.</summary>
public sealed class GeoJsonException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Reads polygons from GeoJSON (RFC 7946): Polygon, MultiPolygon, Feature, FeatureCollection
/// and GeometryCollection; every polygonal geometry found becomes a part of one
/// <see cref="GeoPolygon"/>. Positions are [longitude, latitude(, height)].
/// </summary>
public static class GeoJson
{
    public static GeoPolygon ReadPolygonFile(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new GeoJsonException($"{path}: cannot be read: {e.Message}", e);
        }
        return ReadPolygon(text, path);
    }

    public static GeoPolygon ReadPolygon(string json, string source = "GeoJSON")
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip }); }
        catch (JsonException e)
        {
            throw new GeoJsonException($"{source}: not valid JSON at line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}", e);
        }
        using (doc)
        {
            var parts = new List<IReadOnlyList<IReadOnlyList<GeoPoint>>>();
            Collect(doc.RootElement, "$", parts, source);
            if (parts.Count == 0)
                throw new GeoJsonException($"{source}: holds no Polygon or MultiPolygon geometry");
            try { return new GeoPolygon(parts); }
            catch (ArgumentException e) { throw new GeoJsonException($"{source}: {e.Message}", e); }
        }
    }

    private static void Collect(JsonElement e, string path, List<IReadOnlyList<IReadOnlyList<GeoPoint>>> parts, string source)
    {
        if (e.ValueKind != JsonValueKind.Object)
            throw new GeoJsonException($"{source}: {path} should be a GeoJSON object");
        string type = Str(e, "type", path, source);
        switch (type)
        {
            case "FeatureCollection":
                var features = Member(e, "features", path, source, JsonValueKind.Array);
                int i = 0;
                foreach (var f in features.EnumerateArray()) Collect(f, $"{path}.features[{i++}]", parts, source);
                break;
            case "Feature":
                if (e.TryGetProperty("geometry", out var g) && g.ValueKind != JsonValueKind.Null)
                    Collect(g, $"{path}.geometry", parts, source);
                break;
            case "GeometryCollection":
                var geoms = Member(e, "geometries", path, source, JsonValueKind.Array);
                int j = 0;
                foreach (var x in geoms.EnumerateArray()) Collect(x, $"{path}.geometries[{j++}]", parts, source);
                break;
            case "Polygon":
                parts.Add(ReadRings(Member(e, "coordinates", path, source, JsonValueKind.Array), $"{path}.coordinates", source));
                break;
            case "MultiPolygon":
                int k = 0;
                foreach (var poly in Member(e, "coordinates", path, source, JsonValueKind.Array).EnumerateArray())
                {
                    string pp = $"{path}.coordinates[{k++}]";
                    if (poly.ValueKind != JsonValueKind.Array) throw new GeoJsonException($"{source}: {pp} should be an array of rings");
                    parts.Add(ReadRings(poly, pp, source));
                }
                break;
            case "Point" or "MultiPoint" or "LineString" or "MultiLineString":
                throw new GeoJsonException($"{source}: {path} is a {type}; an area of interest must be a Polygon or MultiPolygon");
            default:
                throw new GeoJsonException($"{source}: {path} has unknown GeoJSON type '{type}'");
        }
    }

    private static List<IReadOnlyList<GeoPoint>> ReadRings(JsonElement rings, string path, string source)
    {
        var result = new List<IReadOnlyList<GeoPoint>>();
        int r = 0;
        foreach (var ring in rings.EnumerateArray())
        {
            string rp = $"{path}[{r++}]";
            if (ring.ValueKind != JsonValueKind.Array) throw new GeoJsonException($"{source}: {rp} should be an array of positions");
            var pts = new List<GeoPoint>();
            int i = 0;
            foreach (var pos in ring.EnumerateArray())
            {
                string pp = $"{rp}[{i++}]";
                if (pos.ValueKind != JsonValueKind.Array || pos.GetArrayLength() < 2)
                    throw new GeoJsonException($"{source}: {pp} should be a position [longitude, latitude]");
                if (pos[0].ValueKind != JsonValueKind.Number || pos[1].ValueKind != JsonValueKind.Number)
                    throw new GeoJsonException($"{source}: {pp} should hold numbers");
                double lon = pos[0].GetDouble(), lat = pos[1].GetDouble();
                if (!(Math.Abs(lat) <= 90)) throw new GeoJsonException($"{source}: {pp} has latitude {lat}, outside [-90, 90] (positions are [longitude, latitude])");
                if (!(Math.Abs(lon) <= 540)) throw new GeoJsonException($"{source}: {pp} has longitude {lon}, outside [-540, 540]");
                pts.Add(new GeoPoint(lat, lon));
            }
            if (pts.Count < 3) throw new GeoJsonException($"{source}: {rp} has {pts.Count} positions; a ring needs at least 4 (closed)");
            result.Add(pts);
        }
        if (result.Count == 0) throw new GeoJsonException($"{source}: {path} has no rings");
        return result;
    }

    private static JsonElement Member(JsonElement e, string name, string path, string source, JsonValueKind kind)
    {
        if (!e.TryGetProperty(name, out var m)) throw new GeoJsonException($"{source}: {path} lacks \"{name}\"");
        if (m.ValueKind != kind) throw new GeoJsonException($"{source}: {path}.{name} should be {(kind == JsonValueKind.Array ? "an array" : kind.ToString().ToLowerInvariant())}");
        return m;
    }

    private static string Str(JsonElement e, string name, string path, string source)
        => Member(e, name, path, source, JsonValueKind.String).GetString()!;
}
