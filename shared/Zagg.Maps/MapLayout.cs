using System.Globalization;
using Zagg.Grid;
using Zagg.Maps.Projections;

namespace Zagg.Maps;

/// <summary>The defaults of a map drawn from cells: its projection, its box and its pixel size.</summary>
public static class MapLayout
{
    /// <summary>The default pixel: 2 km (the Python system's notebooks rasterize at 2 km).</summary>
    public const double DefaultPixelMetres = 2000;

    /// <summary>Metres per degree along the equator of the WGS84 ellipsoid (for a plate carrée pixel given in metres).</summary>
    public const double MetresPerDegree = Math.PI * 6378137.0 / 180.0;

    /// <summary>The default map's longer side is kept within this many pixels.</summary>
    public const int MinSide = 512, MaxSide = 4096;

    /// <summary>
    /// The projection for cells: EPSG:3031 when every cell with a value is south of 50°S, EPSG:3413 when every one is
    /// north of 50°N, else plate carrée. Judged on the cells' parents a few orders up (their centres and corners).
    /// </summary>
    public static MapProjection DefaultProjection(CellValues values, LatitudeConvention convention)
    {
        double min = 90, max = -90;
        foreach (var p in Outline(values, convention))
        {
            min = Math.Min(min, p.Latitude);
            max = Math.Max(max, p.Latitude);
        }
        return max <= -50 ? MapProjection.South : min >= 50 ? MapProjection.North : MapProjection.Equirect;
    }

    /// <summary>
    /// The box holding every cell with a value (the corners and edge points of their parents three orders up, so
    /// it may be a few cells larger), grown by 2% on each side; null when no cell has a value.
    /// </summary>
    public static MapBox? Extent(CellValues values, MapProjection projection, LatitudeConvention convention)
    {
        double x0 = double.PositiveInfinity, y0 = double.PositiveInfinity, x1 = double.NegativeInfinity, y1 = double.NegativeInfinity;
        foreach (var p in Outline(values, convention))
        {
            projection.Forward(p.Latitude, p.Longitude, out double x, out double y);
            if (!double.IsFinite(x) || !double.IsFinite(y)) continue;
            x0 = Math.Min(x0, x); x1 = Math.Max(x1, x);
            y0 = Math.Min(y0, y); y1 = Math.Max(y1, y);
        }
        if (!double.IsFinite(x0)) return null;
        if (projection is PlateCarree && x1 - x0 > 180)
        {
            // Cells over half the globe wide (base cells, coarse levels): a corner on the antimeridian comes back as
            // +180 or −180 whichever side it bounds, so the outline's longitudes cannot be trusted; take them all.
            x0 = -180;
            x1 = 180;
        }
        double margin = 0.02 * Math.Max(x1 - x0, y1 - y0);
        if (margin == 0) margin = 1;
        var box = new MapBox(x0, y0, x1, y1).Grow(margin);
        // The world's edge bounds a plate carrée map: the margin never reaches past it.
        return projection is PlateCarree
            ? new MapBox(Math.Max(box.XMin, -180), Math.Max(box.YMin, -90), Math.Min(box.XMax, 180), Math.Min(box.YMax, 90))
            : box;
    }

    /// <summary>
    /// The default pixel size for a box: <see cref="DefaultPixelMetres"/> (in degrees at the equator for plate carrée),
    /// changed by a power of two until the longer side is within [<see cref="MinSide"/>, <see cref="MaxSide"/>] pixels.
    /// </summary>
    public static double DefaultPixelSize(MapBox box, MapProjection projection)
    {
        double size = projection.Units == MapUnits.Metres ? DefaultPixelMetres : DefaultPixelMetres / MetresPerDegree;
        double side = Math.Max(box.Width, box.Height);
        while (side / size > MaxSide) size *= 2;
        while (side / size < MinSide) size /= 2;
        return size;
    }

    /// <summary>
    /// Parses a pixel size: "2km", "500m", "0.05deg" or a bare number in the projection's units. Metres on plate
    /// carrée are taken at the equator; degrees on a polar projection are refused.
    /// </summary>
    /// <returns>False with a reason when the text is not a positive size in a unit the projection can use.</returns>
    public static bool TryParseResolution(string? text, MapProjection projection, out double size, out string? error)
    {
        size = 0;
        error = null;
        string t = (text ?? "").Trim().ToLowerInvariant();
        double factor; // to metres, or NaN for degrees
        if (t.EndsWith("km", StringComparison.Ordinal)) { factor = 1000; t = t[..^2]; }
        else if (t.EndsWith("deg", StringComparison.Ordinal)) { factor = double.NaN; t = t[..^3]; }
        else if (t.EndsWith('°')) { factor = double.NaN; t = t[..^1]; }
        else if (t.EndsWith('m')) { factor = 1; t = t[..^1]; }
        else factor = projection.Units == MapUnits.Metres ? 1 : double.NaN;
        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !(v > 0) || !double.IsFinite(v))
        {
            error = $"'{text}' is not a pixel size (e.g. 2km, 500m, 0.05deg)";
            return false;
        }
        if (double.IsNaN(factor))
        {
            if (projection.Units == MapUnits.Metres) { error = $"'{text}': a pixel of a {projection.Name} map is given in metres or km"; return false; }
            size = v;
        }
        else size = projection.Units == MapUnits.Metres ? v * factor : v * factor / MetresPerDegree;
        return true;
    }

    /// <summary>
    /// Corners, edge points and centres of the distinct parents (three orders up, but never coarser than order 6, or the
    /// cells themselves when they are coarser) of the cells with a value: a coarse pyramid level of a polar store
    /// outlined by its order-1 parents would reach 42° and be drawn in plate carrée.
    /// </summary>
    private static IEnumerable<GeoPoint> Outline(CellValues values, LatitudeConvention convention)
    {
        int order = Math.Max(Math.Min(values.Order, 6), values.Order - 3);
        int shift = 2 * (values.Order - order);
        var cells = values.Cells;
        var v = values.Values;
        var parents = new List<long>();
        long last = -1;
        for (int i = 0; i < cells.Length; i++)
        {
            if (float.IsNaN(v[i])) continue;
            long p = cells[i] >> shift;
            if (p != last) parents.Add(last = p);
        }
        var boundary = new GeoPoint[16];
        foreach (long p in parents)
        {
            yield return GeoGrid.Centre(p, order, convention);
            GeoGrid.Boundary(p, order, 4, convention, boundary);
            foreach (var b in boundary) yield return b;
        }
    }
}
