using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Zagg.Grid;

/// <summary>
/// Conversion between WGS84 geodetic latitude φ and authalic latitude β (the latitude on the
/// sphere of equal area), both ways, in radians, accurate to a few units in the last place.
/// </summary>
/// <remarks>
/// sin β = q(φ)/q_p with q(φ) = (1−e²)[sin φ/(1−e² sin²φ) + atanh(e sin φ)/e]. Near the poles
/// q_p − q is evaluated in a cancellation-free form, so cos β keeps full relative precision
/// there; the inverse is Newton's method on the same forms.
/// </remarks>
public static class AuthalicLatitude
{
    public const double SemiMajorAxis = 6378137.0;
    public const double InverseFlattening = 298.257223563;
    public static readonly double Flattening = 1.0 / InverseFlattening;

    /// <summary>First eccentricity squared, e² = f(2 − f).</summary>
    public static readonly double EccentricitySquared = Flattening * (2.0 - Flattening);

    private static readonly double E = Math.Sqrt(EccentricitySquared);
    private static readonly double OneMinusE2 = 1.0 - EccentricitySquared;

    /// <summary>q at the pole: 1 + (1−e²) atanh(e)/e.</summary>
    private static readonly double Qp = 1.0 + OneMinusE2 * Math.Atanh(E) / E;
    private static readonly double OneMinusE2OverQp = OneMinusE2 / Qp;

    /// <summary>Authalic latitude of a geodetic latitude.</summary>
    public static double FromGeodetic(double phi)
    {
        if (!(Math.Abs(phi) <= Math.PI / 2))
            throw new ArgumentOutOfRangeException(nameof(phi), phi, "latitude must be in [−π/2, π/2]");
        (double s, double c) = Math.SinCos(Math.Abs(phi));
        double q = Q(s);
        double d = QpMinusQ(s, c);
        double beta = Math.Atan2(q, Math.Sqrt(d * (2 * Qp - d)));
        return phi < 0 ? -beta : beta;
    }

    /// <summary>Geodetic latitude of an authalic latitude.</summary>
    public static double ToGeodetic(double beta)
    {
        if (!(Math.Abs(beta) <= Math.PI / 2))
            throw new ArgumentOutOfRangeException(nameof(beta), beta, "latitude must be in [−π/2, π/2]");
        double b = Math.Abs(beta);
        (double sb, double cb) = Math.SinCos(b);
        if (cb <= 0 || b == Math.PI / 2) return beta;
        double targetD = Qp * cb * cb / (1 + sb); // q_p − q_p·sin β without cancellation
        double phi = b;
        for (int i = 0; i < 12; i++)
        {
            (double s, double c) = Math.SinCos(phi);
            double f = targetD - QpMinusQ(s, c); // = q(φ) − q(β)
            double w = 1 - EccentricitySquared * s * s;
            double slope = 2 * OneMinusE2 * c / (w * w);
            if (slope <= 0) break;
            double step = f / slope;
            phi -= step;
            if (phi > Math.PI / 2) phi = Math.PI / 2;
            if (Math.Abs(step) <= 1e-17) break;
        }
        return beta < 0 ? -phi : phi;
    }

    /// <summary>
    /// sin β from sin φ: a polynomial and one division, for the per-point hot path.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double SinFromSinGeodetic(double s)
    {
        double x = EccentricitySquared * s * s;
        return OneMinusE2OverQp * s * (1.0 / (1.0 - x) + AtanhSeries(x));
    }

    /// <summary>
    /// <see cref="SinFromSinGeodetic(double)"/> lane by lane, with the same operations in the same order (IEEE
    /// additions, multiplications and divisions round each lane alone): every lane gets the scalar form's bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<double> SinFromSinGeodetic(Vector256<double> s)
    {
        var x = Vector256.Create(EccentricitySquared) * s * s;
        return Vector256.Create(OneMinusE2OverQp) * s * (Vector256<double>.One / (Vector256<double>.One - x) + AtanhSeries(x));
    }

    /// <summary>
    /// sin β and cos β of <see cref="Vector{T}.Count"/> geodetic latitudes from sin φ and cos φ ≥ 0, lane by lane:
    /// sin β with <see cref="SinFromSinGeodetic(double)"/>'s operations (the same bits), cos β as
    /// <see cref="CosFromSinCosGeodetic"/> but with atanh(t) = t·<see cref="AtanhSeries(double)"/>(t²) (t ≤ e there, so
    /// the series is exact to rounding): within an ulp or two of it, and no scalar logarithm per lane.
    /// </summary>
    internal static void SinCosFromGeodetic(Vector<double> s, Vector<double> c, out Vector<double> sinBeta, out Vector<double> cosBeta)
    {
        var one = Vector<double>.One;
        var x = EccentricitySquared * s * s;
        sinBeta = OneMinusE2OverQp * s * (one / (one - x) + AtanhSeries(x));
        var a = Vector.Abs(s);
        var oneMinusS = c * c / (one + a);
        var e2a = EccentricitySquared * a;
        var t = E * oneMinusS / (one - e2a);
        var d = oneMinusS * (one + e2a) / (one - e2a * a) + OneMinusE2 / E * t * AtanhSeries(t * t);
        cosBeta = Vector.SquareRoot(d * (new Vector<double>(2 * Qp) - d)) / Qp;
    }

    /// <summary>atanh(√x)/√x = Σ x^k/(2k+1) for x ≤ e² ≈ 0.0067, where nine terms reach 1e-19.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double AtanhSeries(double x)
    {
        double a = 1.0 / 17;
        a = a * x + 1.0 / 15;
        a = a * x + 1.0 / 13;
        a = a * x + 1.0 / 11;
        a = a * x + 1.0 / 9;
        a = a * x + 1.0 / 7;
        a = a * x + 1.0 / 5;
        a = a * x + 1.0 / 3;
        return a * x + 1.0;
    }

    /// <summary><see cref="AtanhSeries(double)"/> lane by lane, with the same operations.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<double> AtanhSeries(Vector<double> x)
    {
        var a = new Vector<double>(1.0 / 17);
        a = a * x + new Vector<double>(1.0 / 15);
        a = a * x + new Vector<double>(1.0 / 13);
        a = a * x + new Vector<double>(1.0 / 11);
        a = a * x + new Vector<double>(1.0 / 9);
        a = a * x + new Vector<double>(1.0 / 7);
        a = a * x + new Vector<double>(1.0 / 5);
        a = a * x + new Vector<double>(1.0 / 3);
        return a * x + Vector<double>.One;
    }

    /// <summary><see cref="AtanhSeries(double)"/> lane by lane, with the same operations.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> AtanhSeries(Vector256<double> x)
    {
        var a = Vector256.Create(1.0 / 17);
        a = a * x + Vector256.Create(1.0 / 15);
        a = a * x + Vector256.Create(1.0 / 13);
        a = a * x + Vector256.Create(1.0 / 11);
        a = a * x + Vector256.Create(1.0 / 9);
        a = a * x + Vector256.Create(1.0 / 7);
        a = a * x + Vector256.Create(1.0 / 5);
        a = a * x + Vector256.Create(1.0 / 3);
        return a * x + Vector256<double>.One;
    }

    /// <summary>cos β from sin φ ≥ 0 and cos φ, with full relative precision near the pole.</summary>
    public static double CosFromSinCosGeodetic(double s, double c)
    {
        s = Math.Abs(s);
        double d = QpMinusQ(s, c);
        return Math.Sqrt(d * (2 * Qp - d)) / Qp;
    }

    /// <summary>q(φ) for sin φ = s ≥ 0.</summary>
    private static double Q(double s) => Qp * SinFromSinGeodetic(s);

    /// <summary>q_p − q(φ) for s = sin φ ≥ 0, c = cos φ, free of cancellation.</summary>
    private static double QpMinusQ(double s, double c)
    {
        double oneMinusS = c * c / (1 + s);
        double e2 = EccentricitySquared;
        return oneMinusS * (1 + e2 * s) / (1 - e2 * s * s)
            + OneMinusE2 / E * Math.Atanh(E * oneMinusS / (1 - e2 * s));
    }
}
