using System.Globalization;
using System.Text.Json;
using Zagg.Grid;
using Zagg.Grid.Geometry;

namespace Zagg.Pipeline.Catalogs.Search;

/// <summary>
/// Reads one granule of a CMR UMM-JSON result (<c>items[i].umm</c>, UMM-G 1.6): <c>GranuleUR</c>;
/// from <c>RelatedUrls</c> the data file's <c>s3://</c> link (Type "GET DATA VIA DIRECT ACCESS") and
/// HTTPS link (Type "GET DATA"), keeping only links to the data file (<c>.h5</c> by default) so browse
/// images, metadata XML, OPeNDAP and other links are ignored; the footprint from
/// <c>SpatialExtent.HorizontalSpatialDomain.Geometry</c> (every GPolygon with its ExclusiveZone holes,
/// BoundingRectangle, Line and Point); and <c>TemporalExtent</c> (RangeDateTime or SingleDateTime).
/// </summary>
public static class UmmGranule
{
    /// <summary>The data files a catalog lists: names ending so (case-insensitive, before any query string).</summary>
    public const string DataExtension = ".h5";

    /// <summary>Reads a UMM-G record; <paramref name="where"/> names it in messages (e.g. "CMR page 2 items[17]").</summary>
    /// <exception cref="CatalogSearchException">A required member is missing or of the wrong kind, or a coordinate is not a position.</exception>
    public static GranuleRecord Read(JsonElement umm, string where)
    {
        if (umm.ValueKind != JsonValueKind.Object) throw Bad(where, "is not a UMM-G object");
        string ur = umm.TryGetProperty("GranuleUR", out var g) && g.ValueKind == JsonValueKind.String ? g.GetString()! : throw Bad(where, "has no GranuleUR");
        where = $"{where} ({ur})";
        string? s3 = null, https = null;
        // RelatedUrls: null is a record without links, as one without the key (a warning, not a failed search).
        if (umm.TryGetProperty("RelatedUrls", out var urls) && urls.ValueKind != JsonValueKind.Null)
        {
            if (urls.ValueKind != JsonValueKind.Array) throw Bad(where, "RelatedUrls is not an array");
            foreach (var u in urls.EnumerateArray())
            {
                if (u.ValueKind != JsonValueKind.Object || !u.TryGetProperty("URL", out var url) || url.ValueKind != JsonValueKind.String) continue;
                string type = u.TryGetProperty("Type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "";
                string link = url.GetString()!;
                if (!IsDataFile(link)) continue;
                if (type == "GET DATA VIA DIRECT ACCESS" && link.StartsWith("s3://", StringComparison.OrdinalIgnoreCase)) s3 ??= link;
                else if (type == "GET DATA" && link.StartsWith("https://", StringComparison.OrdinalIgnoreCase)) https ??= link;
            }
        }
        var footprint = ReadFootprint(umm, where);
        DateTimeOffset? start = null, end = null;
        if (umm.TryGetProperty("TemporalExtent", out var te) && te.ValueKind == JsonValueKind.Object)
        {
            if (te.TryGetProperty("RangeDateTime", out var range) && range.ValueKind == JsonValueKind.Object)
            {
                start = Time(range, "BeginningDateTime", where);
                end = Time(range, "EndingDateTime", where);
            }
            else if (te.TryGetProperty("SingleDateTime", out _)) start = end = Time(te, "SingleDateTime", where);
        }
        return new GranuleRecord(ur, s3, https, footprint, start, end);
    }

    /// <summary>Whether a link names a data file: its path (before <c>?</c> or <c>#</c>) ends in <see cref="DataExtension"/>.</summary>
    public static bool IsDataFile(string link)
    {
        int cut = link.IndexOfAny(['?', '#']);
        var path = cut >= 0 ? link.AsSpan(0, cut) : link.AsSpan();
        return path.EndsWith(DataExtension, StringComparison.OrdinalIgnoreCase);
    }

    private static GeoFootprint ReadFootprint(JsonElement umm, string where)
    {
        if (!umm.TryGetProperty("SpatialExtent", out var se) || se.ValueKind != JsonValueKind.Object
            || !se.TryGetProperty("HorizontalSpatialDomain", out var hsd) || hsd.ValueKind != JsonValueKind.Object
            || !hsd.TryGetProperty("Geometry", out var geo) || geo.ValueKind != JsonValueKind.Object)
            return new GeoFootprint();
        string at = $"{where} SpatialExtent.HorizontalSpatialDomain.Geometry";
        var polygons = new List<GeoPolygon>();
        foreach (var (gp, i) in Items(geo, "GPolygons", at))
        {
            string p = $"{at}.GPolygons[{i}]";
            if (!gp.TryGetProperty("Boundary", out var boundary)) throw Bad(p, "has no Boundary");
            var rings = new List<IReadOnlyList<GeoPoint>> { Ring(boundary, $"{p}.Boundary") };
            if (gp.TryGetProperty("ExclusiveZone", out var zone) && zone.ValueKind == JsonValueKind.Object)
                foreach (var (hole, h) in Items(zone, "Boundaries", $"{p}.ExclusiveZone"))
                    rings.Add(Ring(hole, $"{p}.ExclusiveZone.Boundaries[{h}]"));
            polygons.Add(new GeoPolygon([rings]));
        }
        var lines = new List<IReadOnlyList<GeoPoint>>();
        foreach (var (line, i) in Items(geo, "Lines", at))
        {
            var pts = Points(line, $"{at}.Lines[{i}]");
            if (pts.Count < 2) throw Bad($"{at}.Lines[{i}]", $"has {pts.Count} point(s); a line needs two or more");
            lines.Add(pts);
        }
        var points = new List<GeoPoint>();
        foreach (var (pt, i) in Items(geo, "Points", at)) points.Add(Point(pt, $"{at}.Points[{i}]"));
        var boxes = new List<GeoBox>();
        foreach (var (r, i) in Items(geo, "BoundingRectangles", at))
        {
            string p = $"{at}.BoundingRectangles[{i}]";
            try { boxes.Add(new GeoBox(Num(r, "WestBoundingCoordinate", p), Num(r, "SouthBoundingCoordinate", p), Num(r, "EastBoundingCoordinate", p), Num(r, "NorthBoundingCoordinate", p))); }
            catch (ArgumentException e) { throw Bad(p, e.Message); }
        }
        return new GeoFootprint(polygons, lines, points, boxes);
    }

    private static List<GeoPoint> Ring(JsonElement boundary, string where)
    {
        var pts = Points(boundary, where);
        if (pts.Count > 1 && pts[0] == pts[^1]) pts.RemoveAt(pts.Count - 1);
        if (pts.Count < 3) throw Bad(where, $"has {pts.Count} distinct point(s); a ring needs three or more");
        return pts;
    }

    private static List<GeoPoint> Points(JsonElement holder, string where)
    {
        var pts = new List<GeoPoint>();
        if (holder.ValueKind != JsonValueKind.Object) throw Bad(where, "is not an object");
        foreach (var (p, i) in Items(holder, "Points", where)) pts.Add(Point(p, $"{where}.Points[{i}]"));
        return pts;
    }

    private static GeoPoint Point(JsonElement p, string where)
    {
        double lon = Num(p, "Longitude", where), lat = Num(p, "Latitude", where);
        if (!(Math.Abs(lat) <= 90) || !(Math.Abs(lon) <= 180)) throw Bad(where, FormattableString.Invariant($"({lon}, {lat}) is not a longitude in [-180, 180] and a latitude in [-90, 90]"));
        return new GeoPoint(lat, lon);
    }

    private static IEnumerable<(JsonElement Item, int Index)> Items(JsonElement holder, string name, string where)
    {
        if (!holder.TryGetProperty(name, out var a) || a.ValueKind == JsonValueKind.Null) yield break;
        if (a.ValueKind != JsonValueKind.Array) throw Bad(where, $"{name} is not an array");
        int i = 0;
        foreach (var item in a.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object) throw Bad($"{where}.{name}[{i}]", "is not an object");
            yield return (item, i++);
        }
    }

    private static double Num(JsonElement o, string name, string where)
        => o.ValueKind == JsonValueKind.Object && o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : throw Bad(where, $"has no number {name}");

    private static DateTimeOffset? Time(JsonElement o, string name, string where)
    {
        if (!o.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(v.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)) return t;
        throw Bad(where, $"{name} {v.GetRawText()} is not a date-time");
    }

    private static CatalogSearchException Bad(string where, string what) => new($"{where}: {what}");
}
