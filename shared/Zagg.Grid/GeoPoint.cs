namespace Zagg.Grid;

/// <summary>A geographic position in decimal degrees (WGS84 geodetic latitude, longitude).</summary>
public readonly record struct GeoPoint(double Latitude, double Longitude)
{
    public bool IsValid => Math.Abs(Latitude) <= 90 && double.IsFinite(Longitude);

    public override string ToString() => FormattableString.Invariant($"({Latitude}, {Longitude})");
}
