namespace Zagg.Maps.Projections;

/// <summary>
/// Plate carrée on EPSG:4326: x is the longitude and y the geodetic latitude, both in degrees. GeoTIFF
/// writes it as GeographicTypeGeoKey 4326 (GeoTIFF 1.1, OGC 19-008r4 §7.1.3).
/// </summary>
public sealed class PlateCarree : MapProjection
{
    internal PlateCarree() { }

    /// <inheritdoc/>
    public override int Epsg => 4326;

    /// <inheritdoc/>
    public override string Name => "EPSG:4326 (plate carrée)";

    /// <inheritdoc/>
    public override MapUnits Units => MapUnits.Degrees;

    /// <inheritdoc/>
    public override void Forward(double latitude, double longitude, out double x, out double y)
    {
        x = longitude;
        y = latitude;
    }

    /// <inheritdoc/>
    public override void Inverse(double x, double y, out double latitude, out double longitude)
    {
        bool inside = Math.Abs(y) <= 90 && Math.Abs(x) <= 180;
        latitude = inside ? y : double.NaN;
        longitude = inside ? x : double.NaN;
    }
}
