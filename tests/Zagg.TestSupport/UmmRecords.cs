using System.Globalization;
using System.Text.Json.Nodes;

namespace Zagg.TestSupport;

/// <summary>
/// Synthetic UMM-G granule records for the fake CMR and STAC API: ATL06 names, NSIDC-like links
/// (data over HTTPS and S3, plus links to ignore) and footprints of every UMM-G shape: polygons
/// crossing the antimeridian, around a pole, thin tracks, polygons with holes, boxes, lines, points.
/// </summary>
public static class UmmRecords
{
    public const string S3Base = "s3://nsidc-cumulus-prod-protected";
    public const string HttpsBase = "https://data.nsidc.earthdatacloud.nasa.gov/nsidc-cumulus-prod-protected";

    /// <summary>An ATL06 granule name for day <paramref name="day"/> of January 2024, track <paramref name="rgt"/>, region <paramref name="region"/>.</summary>
    public static string Name(int day, int rgt, int region, int second = 0)
        => string.Create(CultureInfo.InvariantCulture, $"ATL06_202401{day:D2}0000{second:D2}_{rgt:D4}22{region:D2}_007_01.h5");

    /// <summary>A record named <paramref name="name"/> whose Geometry is <paramref name="geometry"/> (GPolygons, Lines, Points, BoundingRectangles).</summary>
    public static JsonObject Record(string name, JsonObject geometry)
    {
        string stamp = name.Split('_')[1];
        string day = $"{stamp[..4]}/{stamp[4..6]}/{stamp[6..8]}";
        string key = $"ATLAS/ATL06/007/{day}/{name}";
        string when = $"{stamp[..4]}-{stamp[4..6]}-{stamp[6..8]}T{stamp[8..10]}:{stamp[10..12]}:{stamp[12..14]}.000Z";
        return new JsonObject
        {
            ["GranuleUR"] = name,
            ["TemporalExtent"] = new JsonObject { ["RangeDateTime"] = new JsonObject { ["BeginningDateTime"] = when, ["EndingDateTime"] = when } },
            ["SpatialExtent"] = new JsonObject { ["HorizontalSpatialDomain"] = new JsonObject { ["Geometry"] = geometry } },
            ["RelatedUrls"] = new JsonArray(
                new JsonObject { ["URL"] = $"{HttpsBase}/{key}", ["Type"] = "GET DATA" },
                new JsonObject { ["URL"] = $"{S3Base}/{key}", ["Type"] = "GET DATA VIA DIRECT ACCESS" },
                new JsonObject { ["URL"] = $"{HttpsBase}/{key}.xml", ["Type"] = "EXTENDED METADATA" },
                new JsonObject { ["URL"] = $"https://opendap.earthdata.nasa.gov/granules/{name}", ["Type"] = "USE SERVICE API", ["Subtype"] = "OPENDAP DATA" }),
        };
    }

    /// <summary>Positions (longitude, latitude) as UMM-G Points.</summary>
    public static JsonArray Points(params (double Lon, double Lat)[] pts)
        => new(pts.Select(p => (JsonNode)new JsonObject { ["Longitude"] = p.Lon, ["Latitude"] = p.Lat }).ToArray());

    public static JsonObject Polygon((double Lon, double Lat)[] boundary, params (double Lon, double Lat)[][] holes)
    {
        var gp = new JsonObject { ["Boundary"] = new JsonObject { ["Points"] = Points(boundary) } };
        if (holes.Length > 0)
            gp["ExclusiveZone"] = new JsonObject { ["Boundaries"] = new JsonArray(holes.Select(h => (JsonNode)new JsonObject { ["Points"] = Points(h) }).ToArray()) };
        return new JsonObject { ["GPolygons"] = new JsonArray(gp) };
    }

    /// <summary>A lon-lat box.</summary>
    public static (double Lon, double Lat)[] Box(double west, double south, double east, double north)
        => [(west, south), (east, south), (east, north), (west, north)];

    /// <summary>
    /// The synthetic footprints, each with positions that lie inside it (so their cells must list it) and
    /// positions outside it far from its edges (so their cells must not): keyed by granule name.
    /// </summary>
    public static IReadOnlyList<(JsonObject Record, (double Lon, double Lat)[] Inside, (double Lon, double Lat)[] Outside)> Shapes()
    {
        var list = new List<(JsonObject, (double, double)[], (double, double)[])>();
        // Across the antimeridian: 170°E to 170°W. Its complement (the 340° the other way) must stay out.
        list.Add((Record(Name(5, 101, 10), Polygon(Box(170, -70, -170, -66))), [(175, -68), (-175, -68), (180, -68), (-179.9, -67)], [(0, -68), (90, -68), (160, -68), (-160, -68)]));
        // A cap around the South Pole: a ring at 86°S (wound either way it is the small region).
        var cap = Enumerable.Range(0, 12).Select(i => (-180.0 + 30 * i, -86.0)).ToArray();
        list.Add((Record(Name(6, 202, 11), Polygon(cap)), [(0, -90), (45, -89), (-120, -88), (170, -87)], [(0, -80), (90, -82)]));
        // A thin track 3,000 km long, 7 km wide, from 60°S towards the pole along 40°E, as ICESat-2 granules are.
        var track = new List<(double, double)>();
        for (int i = 0; i <= 27; i++) track.Add((39.97, -60 - i));
        for (int i = 27; i >= 0; i--) track.Add((40.03 + 0.002 * i, -60 - i));
        list.Add((Record(Name(7, 303, 12), Polygon([.. track])), [(40, -61), (40, -70.5), (40, -86.9)], [(45, -70), (35, -75), (-140, -70)]));
        // A polygon with a hole: 0–40°E, 75–65°S, the hole 10–30°E, 72–68°S.
        list.Add((Record(Name(8, 404, 10), Polygon(Box(0, -75, 40, -65), Box(10, -72, 30, -68))), [(5, -70), (35, -70), (20, -74), (20, -66)], [(20, -70), (50, -70)]));
        // A bounding rectangle, a line and points: every UMM-G shape at once, in one granule (the box off the
        // grid's meridians: a cell touching a box side in one corner point is a tie the two ways of writing a box may break apart).
        list.Add((Record(Name(9, 505, 11), new JsonObject
        {
            ["BoundingRectangles"] = new JsonArray(new JsonObject { ["WestBoundingCoordinate"] = -59.7, ["NorthBoundingCoordinate"] = -70.1, ["EastBoundingCoordinate"] = -50.3, ["SouthBoundingCoordinate"] = -74.9 }),
            ["Lines"] = new JsonArray(new JsonObject { ["Points"] = Points((-120, -70), (-110, -72)) }),
            ["Points"] = Points((150, -77)),
        }), [(-55, -72), (-120, -70), (-115, -71.1), (150, -77)], [(-40, -72), (-100, -70)]));
        return list;
    }

    /// <summary><paramref name="count"/> small granules (0.2° boxes) scattered south of 60°S, to make many pages.</summary>
    public static IEnumerable<JsonObject> Filler(int count)
    {
        for (int i = 0; i < count; i++)
        {
            double lon = -179 + (i * 37.7) % 358, lat = -61 - (i * 7.3) % 28;
            yield return Record(Name(10 + i % 18, 600 + i, 1 + i % 14, i % 60), Polygon(Box(lon, lat - 0.2, lon + 0.2, lat)));
        }
    }
}
