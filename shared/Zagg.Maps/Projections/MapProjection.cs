namespace Zagg.Maps.Projections;

/// <summary>
/// A map projection between geographic positions (WGS84 geodetic latitude and longitude, decimal degrees) and
/// map coordinates (x east, y north, in the projection's <see cref="Units"/>). Implementations are immutable
/// and thread-safe; their per-point methods allocate nothing.
/// </summary>
public abstract class MapProjection
{
    /// <summary>The EPSG code of the projected (or, for plate carrée, geographic) coordinate reference system.</summary>
    public abstract int Epsg { get; }

    /// <summary>A short name for messages and file metadata, e.g. "EPSG:3031 (Antarctic polar stereographic)".</summary>
    public abstract string Name { get; }

    /// <summary>Whether map coordinates are metres (projected) or degrees (geographic).</summary>
    public abstract MapUnits Units { get; }

    /// <summary>Map coordinates of a position; NaN for a position the projection cannot show (e.g. the opposite pole).</summary>
    /// <param name="latitude">Geodetic latitude, degrees, in [−90, 90].</param>
    /// <param name="longitude">Longitude, degrees.</param>
    /// <param name="x">Easting (metres or degrees).</param>
    /// <param name="y">Northing (metres or degrees).</param>
    public abstract void Forward(double latitude, double longitude, out double x, out double y);

    /// <summary>The position at map coordinates; NaN latitude where the point is off the projection's domain.</summary>
    /// <param name="x">Easting (metres or degrees).</param>
    /// <param name="y">Northing (metres or degrees).</param>
    /// <param name="latitude">Geodetic latitude, degrees.</param>
    /// <param name="longitude">Longitude, degrees, in [−180, 180].</param>
    public abstract void Inverse(double x, double y, out double latitude, out double longitude);

    /// <summary>
    /// The inverse over a row of points sharing one <paramref name="y"/> (a raster row): x = x0 + i·dx.
    /// Writes NaN latitude where a point is off the domain.
    /// </summary>
    public virtual void InverseRow(double x0, double dx, double y, Span<double> latitude, Span<double> longitude)
    {
        for (int i = 0; i < latitude.Length; i++)
        {
            Inverse(x0 + i * dx, y, out double lat, out double lon);
            latitude[i] = lat;
            longitude[i] = lon;
        }
    }

    /// <summary>EPSG:3031, WGS 84 / Antarctic Polar Stereographic (true scale at 71°S, central meridian 0°).</summary>
    public static PolarStereographic South { get; } = new(3031, "EPSG:3031 (WGS 84 / Antarctic Polar Stereographic)", south: true, standardParallel: -71, centralMeridian: 0);

    /// <summary>EPSG:3413, WGS 84 / NSIDC Sea Ice Polar Stereographic North (true scale at 70°N, central meridian −45°).</summary>
    public static PolarStereographic North { get; } = new(3413, "EPSG:3413 (WGS 84 / NSIDC Sea Ice Polar Stereographic North)", south: false, standardParallel: 70, centralMeridian: -45);

    /// <summary>EPSG:4326 as a plate carrée (equirectangular) map: x = longitude, y = latitude, in degrees.</summary>
    public static PlateCarree Equirect { get; } = new();

    /// <summary>
    /// A projection by name: <c>south</c> or <c>EPSG:3031</c>, <c>north</c> or <c>EPSG:3413</c>,
    /// <c>equirect</c> (also <c>platecarree</c>, <c>EPSG:4326</c>); case-insensitive.
    /// </summary>
    /// <returns>False for a name not in that list.</returns>
    public static bool TryParse(string? name, out MapProjection projection)
    {
        projection = Equirect;
        switch (name?.Trim().ToLowerInvariant())
        {
            case "south" or "epsg:3031" or "3031": projection = South; return true;
            case "north" or "epsg:3413" or "3413": projection = North; return true;
            case "equirect" or "platecarree" or "plate-carree" or "epsg:4326" or "4326": projection = Equirect; return true;
            default: return false;
        }
    }

    /// <summary>The names <see cref="TryParse"/> accepts, for messages.</summary>
    public const string Names = "south (EPSG:3031), north (EPSG:3413), equirect (EPSG:4326)";
}

/// <summary>The units of map coordinates.</summary>
public enum MapUnits
{
    /// <summary>Metres on the projection plane.</summary>
    Metres,

    /// <summary>Decimal degrees (longitude, latitude).</summary>
    Degrees,
}
