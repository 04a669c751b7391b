namespace Zagg.Maps.Projections;

/// <summary>
/// Polar stereographic, variant B (a standard parallel of true scale; EPSG method 9829), on the WGS84 ellipsoid,
/// false easting and northing 0. Formulas: Snyder, "Map Projections — A Working Manual", USGS Professional Paper
/// 1395 (1987), ch. 21, eqs. 21-33, 21-34, 15-9 (forward), 21-38, 21-39, 7-13 and the series 3-5 for the
/// conformal-to-geodetic latitude (inverse); as IOGP Guidance Note 7-2 §3.2.2 writes them. Accuracy of the
/// inverse series: below 1e-9° everywhere (the series' truncation error is O(e¹⁰)).
/// </summary>
public sealed class PolarStereographic : MapProjection
{
    private const double A = 6378137.0;
    private const double InverseFlattening = 298.257223563;
    private const double DegToRad = Math.PI / 180.0;
    private const double RadToDeg = 180.0 / Math.PI;

    private static readonly double E2 = (2.0 - 1.0 / InverseFlattening) / InverseFlattening;
    private static readonly double E = Math.Sqrt(E2);

    private readonly bool _south;
    private readonly double _lambda0;
    // ρ = _rhoScale · t, with _rhoScale = a·m_F / t_F (eq. 21-34 with k0 folded in).
    private readonly double _rhoScale;
    // The series coefficients of χ → φ (Snyder 3-5).
    private readonly double _c2, _c4, _c6, _c8;

    internal PolarStereographic(int epsg, string name, bool south, double standardParallel, double centralMeridian)
    {
        Epsg = epsg;
        Name = name;
        _south = south;
        StandardParallel = standardParallel;
        CentralMeridian = centralMeridian;
        _lambda0 = centralMeridian * DegToRad;
        double phiF = Math.Abs(standardParallel) * DegToRad;
        double sinF = Math.Sin(phiF);
        double mF = Math.Cos(phiF) / Math.Sqrt(1 - E2 * sinF * sinF);
        _rhoScale = A * mF / T(phiF);
        double e4 = E2 * E2, e6 = e4 * E2, e8 = e6 * E2;
        _c2 = E2 / 2 + 5 * e4 / 24 + e6 / 12 + 13 * e8 / 360;
        _c4 = 7 * e4 / 48 + 29 * e6 / 240 + 811 * e8 / 11520;
        _c6 = 7 * e6 / 120 + 81 * e8 / 1120;
        _c8 = 4279 * e8 / 161280;
    }

    /// <inheritdoc/>
    public override int Epsg { get; }

    /// <inheritdoc/>
    public override string Name { get; }

    /// <inheritdoc/>
    public override MapUnits Units => MapUnits.Metres;

    /// <summary>Whether the projection is centred on the south pole.</summary>
    public bool IsSouth => _south;

    /// <summary>The latitude of true scale, degrees (−71 for EPSG:3031, 70 for EPSG:3413).</summary>
    public double StandardParallel { get; }

    /// <summary>The longitude pointing "up" from the pole (south) or "down" towards it (north), degrees.</summary>
    public double CentralMeridian { get; }

    /// <summary>Snyder 15-9 for a latitude on the projection's own hemisphere taken positive: t = tan(π/4 − φ/2) / ((1 − e sinφ)/(1 + e sinφ))^(e/2).</summary>
    private static double T(double phi)
    {
        double es = E * Math.Sin(phi);
        return Math.Tan(Math.PI / 4 - phi / 2) / Math.Pow((1 - es) / (1 + es), E / 2);
    }

    /// <inheritdoc/>
    public override void Forward(double latitude, double longitude, out double x, out double y)
    {
        // Mirror the south onto the north (Snyder p. 161: replace φ, λ, x, y by their negatives).
        double phi = (_south ? -latitude : latitude) * DegToRad;
        if (!(phi > -Math.PI / 2) || double.IsNaN(longitude))
        {
            x = y = double.NaN;
            return;
        }
        double rho = _rhoScale * T(phi);
        double dl = longitude * DegToRad - _lambda0;
        (double s, double c) = Math.SinCos(dl);
        x = rho * s;
        y = _south ? rho * c : -rho * c;
    }

    /// <inheritdoc/>
    public override void Inverse(double x, double y, out double latitude, out double longitude)
    {
        double yn = _south ? -y : y;
        double rho = Math.Sqrt(x * x + yn * yn);
        double chi = Math.PI / 2 - 2 * Math.Atan(rho / _rhoScale);
        latitude = Phi(chi) * RadToDeg;
        if (_south) latitude = -latitude;
        longitude = rho == 0 ? CentralMeridian : Normalize((_lambda0 + Math.Atan2(x, -yn)) * RadToDeg);
    }

    /// <inheritdoc/>
    public override void InverseRow(double x0, double dx, double y, Span<double> latitude, Span<double> longitude)
    {
        double yn = _south ? -y : y;
        double yy = yn * yn, inv = 1 / _rhoScale;
        for (int i = 0; i < latitude.Length; i++)
        {
            double x = x0 + i * dx;
            double rho = Math.Sqrt(x * x + yy);
            double chi = Math.PI / 2 - 2 * Math.Atan(rho * inv);
            double lat = Phi(chi) * RadToDeg;
            latitude[i] = _south ? -lat : lat;
            longitude[i] = rho == 0 ? CentralMeridian : Normalize((_lambda0 + Math.Atan2(x, -yn)) * RadToDeg);
        }
    }

    /// <summary>Conformal latitude χ → geodetic latitude φ (Snyder 3-5), with sin 4χ, 6χ, 8χ by the double-angle recurrences.</summary>
    private double Phi(double chi)
    {
        (double s2, double c2) = Math.SinCos(2 * chi);
        double s4 = 2 * s2 * c2, c4 = 1 - 2 * s2 * s2;
        double s6 = s4 * c2 + c4 * s2;
        double s8 = 2 * s4 * c4;
        return chi + _c2 * s2 + _c4 * s4 + _c6 * s6 + _c8 * s8;
    }

    private static double Normalize(double lon) => lon > 180 ? lon - 360 : lon <= -180 ? lon + 360 : lon;
}
