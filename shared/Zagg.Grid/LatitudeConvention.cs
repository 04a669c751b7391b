namespace Zagg.Grid;

/// <summary>How a WGS84 geodetic latitude is put on the HEALPix sphere.</summary>
public enum LatitudeConvention
{
    /// <summary>
    /// Geodetic latitude converted to authalic latitude first, so that cells are equal-area on
    /// the WGS84 ellipsoid. The default.
    /// </summary>
    Authalic,

    /// <summary>Geodetic latitude used directly as a spherical latitude (the legacy behaviour).</summary>
    GeodeticSpherical,
}

public static class LatitudeConventionNames
{
    public const string Authalic = "authalic";
    public const string GeodeticSpherical = "geodetic-spherical";

    public static string ToName(this LatitudeConvention convention) => convention switch
    {
        LatitudeConvention.Authalic => Authalic,
        LatitudeConvention.GeodeticSpherical => GeodeticSpherical,
        _ => throw new ArgumentOutOfRangeException(nameof(convention), convention, null),
    };

    public static bool TryParse(string? name, out LatitudeConvention convention)
    {
        switch (name?.Trim().ToLowerInvariant())
        {
            case Authalic: convention = LatitudeConvention.Authalic; return true;
            case GeodeticSpherical: convention = LatitudeConvention.GeodeticSpherical; return true;
            default: convention = default; return false;
        }
    }

    public static LatitudeConvention Parse(string? name)
        => TryParse(name, out var c)
            ? c
            : throw new FormatException($"unknown latitude convention '{name}': expected '{Authalic}' or '{GeodeticSpherical}'");
}
