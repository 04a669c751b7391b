namespace Zagg.Grid.Geometry;

/// <summary>
/// A longitude-latitude box in degrees (CMR's BoundingRectangle, GeoJSON's and STAC's bbox):
/// every position with latitude in [<see cref="South"/>, <see cref="North"/>] and longitude in
/// [<see cref="West"/>, <see cref="East"/>], going east from West; West &gt; East when the box
/// crosses the antimeridian. Its sides are parallels and meridians, not great circles.
/// </summary>
public readonly record struct GeoBox
{
    /// <exception cref="ArgumentException">A latitude outside [-90, 90], South &gt; North, or a longitude that is not finite.</exception>
    public GeoBox(double west, double south, double east, double north)
    {
        if (!double.IsFinite(west) || !double.IsFinite(east))
            throw new ArgumentException(FormattableString.Invariant($"box longitudes {west}, {east} must be finite"));
        if (!(south >= -90 && south <= 90 && north >= -90 && north <= 90))
            throw new ArgumentException(FormattableString.Invariant($"box latitudes {south}, {north} must be in [-90, 90]"));
        if (south > north)
            throw new ArgumentException(FormattableString.Invariant($"box south {south} is north of its north {north}"));
        West = west; South = south; East = east; North = north;
    }

    /// <summary>The names a box's four numbers go by where users write them: lon_min, lat_min, lon_max, lat_max.</summary>
    public static IReadOnlyList<string> CornerNames { get; } = ["lon_min", "lat_min", "lon_max", "lat_max"];

    /// <summary>
    /// Why lon_min, lat_min, lon_max, lat_max (degrees, as a user writes a box: the command line's --bbox, a configuration's
    /// <c>bounds.spatial.bbox</c>) is not a box to search or cover, or null when it is; the one rule for every such input.
    /// Each value finite; latitudes in [−90, 90] with lat_min south of lat_max; longitudes in [−180, 360] (either convention),
    /// lon_min &gt; lon_max crossing the antimeridian; not flat: lat_min = lat_max, or lon_min and lon_max on one meridian
    /// (equal, or 360° apart going east across the antimeridian: 180 to −180, 200 to −160), covers no area. From −180 to 180
    /// (or 0 to 360) is every longitude.
    /// </summary>
    /// <returns>The first rule broken, naming the value (e.g. "lat_min -95 is outside [-90, 90]"), or null.</returns>
    public static string? ProblemOf(double lonMin, double latMin, double lonMax, double latMax)
    {
        ReadOnlySpan<double> v = [lonMin, latMin, lonMax, latMax];
        for (int i = 0; i < 4; i++)
            if (!double.IsFinite(v[i])) return $"{CornerNames[i]} {Invariant(v[i])} is not a finite number";
        for (int i = 1; i < 4; i += 2)
            if (Math.Abs(v[i]) > 90) return $"{CornerNames[i]} {Invariant(v[i])} is outside [-90, 90]";
        for (int i = 0; i < 4; i += 2)
            if (v[i] < -180 || v[i] > 360) return $"{CornerNames[i]} {Invariant(v[i])} is outside [-180, 360]";
        if (latMin > latMax) return $"lat_min {Invariant(latMin)} is north of lat_max {Invariant(latMax)}";
        if (latMin == latMax) return $"lat_min and lat_max are both {Invariant(latMin)}: the box has no area";
        if (lonMin == lonMax) return $"lon_min and lon_max are both {Invariant(lonMin)}: the box has no area";
        // Going east from lon_min to lon_max: across the antimeridian when lon_min > lon_max (180 to −180, 200 to −160).
        if ((lonMin < lonMax ? lonMax - lonMin : lonMax - lonMin + 360) == 0)
            return $"lon_min {Invariant(lonMin)} and lon_max {Invariant(lonMax)} are the same meridian: the box has no area";
        return null;
    }

    private static string Invariant(double v) => v.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public double West { get; }
    public double South { get; }
    public double East { get; }
    public double North { get; }

    /// <summary>Whether the box crosses the antimeridian (West &gt; East after normalising to [-180, 180]).</summary>
    public bool CrossesAntimeridian => GeoGrid.NormalizeLongitude(West) > GeoGrid.NormalizeLongitude(East);

    /// <summary>
    /// Whether the two boxes share a position (touching counts): their latitude ranges overlap, and their longitude
    /// ranges do on the circle (across the antimeridian too), or both reach the same pole.
    /// </summary>
    public bool Intersects(GeoBox other)
    {
        double south = Math.Max(South, other.South), north = Math.Min(North, other.North);
        if (south > north) return false;
        if (north == 90 || south == -90) return true; // every meridian meets at the pole both hold
        double a = Start, b = other.Start;
        return Modulo360(b - a) <= Span || Modulo360(a - b) <= other.Span;
    }

    /// <summary>
    /// The same box with both longitudes in [−180, 180] (West &gt; East when it crosses the antimeridian; −180 to 180 when it
    /// spans every longitude), as CMR's bounding_box and a STAC bbox (RFC 7946 §5.2) want them.
    /// </summary>
    public GeoBox WithLongitudesIn180()
    {
        if (Span >= 360) return new GeoBox(-180, South, 180, North);
        double west = GeoGrid.NormalizeLongitude(West), east = GeoGrid.NormalizeLongitude(East);
        if (west == 180 && Span > 0) west = -180; // a box going east from the antimeridian
        return new GeoBox(west, South, east, North);
    }

    /// <summary>The box's western longitude in [0, 360).</summary>
    private double Start => Modulo360(West);

    /// <summary>How many degrees of longitude the box spans going east from West, at most 360.</summary>
    private double Span => West <= East ? Math.Min(East - West, 360) : Math.Min(East - West + 360, 360);

    private static double Modulo360(double degrees)
    {
        double r = degrees % 360;
        return r < 0 ? r + 360 : r;
    }

    public override string ToString() => FormattableString.Invariant($"{West},{South},{East},{North}");
}
