using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Zagg.Grid;

/// <summary>
/// HEALPix NESTED cells of geographic positions (decimal degrees, WGS84) under a latitude
/// convention, and the way back from cells to positions. The single place where degrees and
/// the ellipsoid meet the sphere.
/// </summary>
public static class GeoGrid
{
    private const double DegreesToRadians = Math.PI / 180.0;
    private const double RadiansToDegrees = 180.0 / Math.PI;

    /// <summary>The NESTED cell of a position; throws for a latitude outside [−90, 90] or a non-finite value.</summary>
    public static long Locate(double latitude, double longitude, int order, LatitudeConvention convention = LatitudeConvention.Authalic)
    {
        HealpixNested.CheckOrder(order);
        CheckPosition(latitude, longitude);
        return LocateUnchecked(latitude, longitude, order, convention);
    }

    /// <summary>The morton word of a position at an order in [1, 18].</summary>
    public static long LocateMorton(double latitude, double longitude, int order, LatitudeConvention convention = LatitudeConvention.Authalic)
    {
        CheckMortonOrder(order);
        CheckPosition(latitude, longitude);
        return Morton.FromNestedUnchecked(LocateUnchecked(latitude, longitude, order, convention), order);
    }

    /// <summary>
    /// NESTED cells of many positions. A position that is not one (NaN, |lat| &gt; 90, infinite
    /// longitude) gets −1; the count of those is returned. Allocates nothing.
    /// </summary>
    public static int Locate(ReadOnlySpan<double> latitude, ReadOnlySpan<double> longitude, int order, LatitudeConvention convention, Span<long> nested)
    {
        HealpixNested.CheckOrder(order);
        return LocateMany<NestedId>(latitude, longitude, order, convention, nested);
    }

    /// <summary>
    /// Morton words (order 1–18) of many positions. A position that is not one gets 0 (never a
    /// morton word); the count of those is returned. Allocates nothing.
    /// </summary>
    public static int LocateMorton(ReadOnlySpan<double> latitude, ReadOnlySpan<double> longitude, int order, LatitudeConvention convention, Span<long> morton)
    {
        CheckMortonOrder(order);
        return LocateMany<MortonWord>(latitude, longitude, order, convention, morton);
    }

    /// <summary>How a batch writes a cell, and what it writes for a position that is not one.</summary>
    private interface ICellEncoding
    {
        static abstract long Encode(long nested, int order);
        static abstract long Invalid { get; }
    }

    private readonly struct NestedId : ICellEncoding
    {
        public static long Encode(long nested, int order) => nested;
        public static long Invalid => -1;
    }

    private readonly struct MortonWord : ICellEncoding
    {
        public static long Encode(long nested, int order) => Morton.FromNestedUnchecked(nested, order);
        public static long Invalid => 0;
    }

    private static int LocateMany<TEncoding>(ReadOnlySpan<double> latitude, ReadOnlySpan<double> longitude, int order, LatitudeConvention convention, Span<long> output)
        where TEncoding : struct, ICellEncoding
    {
        CheckLengths(latitude, longitude, output);
        int invalid = 0;
        bool authalic = convention == LatitudeConvention.Authalic;
        int i = 0;
        if (authalic && Avx.IsSupported && order <= MaxVectorOrder)
        {
            // Four positions at a time; a block the vector form does not cover (a position that is not one, near a
            // pole, a longitude beyond ±360°) goes through the scalar kernel below, position by position.
            int end = latitude.Length - Vector256<double>.Count;
            for (; i <= end; i += Vector256<double>.Count)
                if (!TryLocateAuthalicBlock<TEncoding>(latitude.Slice(i, Vector256<double>.Count), longitude.Slice(i, Vector256<double>.Count), order, output.Slice(i, Vector256<double>.Count)))
                    invalid += LocateScalar<TEncoding>(latitude.Slice(i, Vector256<double>.Count), longitude.Slice(i, Vector256<double>.Count), order, authalic, output.Slice(i, Vector256<double>.Count));
        }
        return invalid + LocateScalar<TEncoding>(latitude[i..], longitude[i..], order, authalic, output[i..]);
    }

    /// <summary>The scalar kernel over a batch; returns the count of positions that are not one.</summary>
    private static int LocateScalar<TEncoding>(ReadOnlySpan<double> latitude, ReadOnlySpan<double> longitude, int order, bool authalic, Span<long> output)
        where TEncoding : struct, ICellEncoding
    {
        int invalid = 0;
        for (int i = 0; i < latitude.Length; i++)
        {
            double lat = latitude[i], lon = longitude[i];
            if (Math.Abs(lat) <= 90 && double.IsFinite(lon))
                output[i] = TEncoding.Encode(Kernel(lat, lon, order, authalic), order);
            else
            {
                output[i] = TEncoding.Invalid;
                invalid++;
            }
        }
        return invalid;
    }

    /// <summary>
    /// The finest order the vector kernel takes: its edge-line indices, up to 5.25·nside, fit an int32 lane.
    /// </summary>
    private const int MaxVectorOrder = 28;

    /// <summary>
    /// <see cref="Kernel"/> under the authalic convention for four positions, lane by lane with the scalar kernel's
    /// operations in its order — sin φ from <see cref="Math.Sin"/> per position (the vector forms of sin pick their
    /// method by all lanes' values), then additions, multiplications, divisions, square roots, truncations and integer
    /// operations that round each lane alone — so every cell gets the scalar kernel's bits whatever its neighbours.
    /// Both of the HEALPix zones' formulas are evaluated and each lane takes its own. False, and nothing written, when a
    /// position is not one, lies within 0.01 rad of a pole (where the kernel takes sin θ too) or has a longitude beyond
    /// ±360° (where the reference's modulo differs from the one here).
    /// </summary>
    private static bool TryLocateAuthalicBlock<TEncoding>(ReadOnlySpan<double> latitude, ReadOnlySpan<double> longitude, int order, Span<long> output)
        where TEncoding : struct, ICellEncoding
    {
        var lat = Vector256.Create(latitude);
        var lon = Vector256.Create(longitude);
        var four = Vector256.Create(4.0);
        var v = lon * Vector256.Create(DegreesToRadians) * Vector256.Create(HealpixNested.InverseHalfPi);
        // Positions (|lat| ≤ 90 is false for NaN) and longitudes the modulo below covers (|v| < 4 is false for ±∞, NaN).
        var fine = Vector256.LessThanOrEqual(Vector256.Abs(lat), Vector256.Create(90.0))
            & Vector256.GreaterThanOrEqual(v, -four) & Vector256.LessThan(v, four);
        if (!Vector256.EqualsAll(fine.AsInt64(), Vector256<long>.AllBitsSet)) return false;

        var latRad = lat * Vector256.Create(DegreesToRadians);
        var s = Vector256.Create(Math.Sin(latRad.GetElement(0)), Math.Sin(latRad.GetElement(1)), Math.Sin(latRad.GetElement(2)), Math.Sin(latRad.GetElement(3)));
        var z = AuthalicLatitude.SinFromSinGeodetic(s);
        var za = Vector256.Abs(z);
        if (!Vector256.LessThanAll(za, Vector256.Create(0.99995))) return false;

        // HealpixNested.PositiveModulo(φ·2/π, 4) for |v| < 4: v, plus 4 where v's sign bit is set, 0 for a sum of 4.
        var tt = v + (Vector256.LessThan(v.AsInt64(), Vector256<long>.Zero).AsDouble() & four);
        tt = Vector256.ConditionalSelect(Vector256.Equals(tt, four), Vector256<double>.Zero, tt);
        long nsideLong = 1L << order;
        var nside = Vector256.Create((double)nsideLong);

        // Equatorial zone: the two families of edge lines.
        var temp1 = nside * (Vector256.Create(0.5) + tt);
        var temp2 = nside * (z * Vector256.Create(0.75));
        var jpEquator = Avx.ConvertToVector128Int32WithTruncation(temp1 - temp2);
        var jmEquator = Avx.ConvertToVector128Int32WithTruncation(temp1 + temp2);

        // Polar caps (sin θ unused: |z| < 0.99995 here).
        var nttDouble = Vector256.Min(Vector256.Create(3.0), Vector256.Floor(tt)); // tt ≥ 0: floor is the truncation
        var tp = tt - nttDouble;
        var tmp = nside * Vector256.Sqrt(Vector256.Create(3.0) * (Vector256<double>.One - za));
        var nsideMinusOne = Vector128.Create((int)(nsideLong - 1));
        var jpPole = Vector128.Min(Avx.ConvertToVector128Int32WithTruncation(tp * tmp), nsideMinusOne);
        var jmPole = Vector128.Min(Avx.ConvertToVector128Int32WithTruncation((Vector256<double>.One - tp) * tmp), nsideMinusOne);

        Span<int> lanes = stackalloc int[5 * Vector128<int>.Count];
        jpEquator.CopyTo(lanes);
        jmEquator.CopyTo(lanes[4..]);
        jpPole.CopyTo(lanes[8..]);
        jmPole.CopyTo(lanes[12..]);
        Avx.ConvertToVector128Int32WithTruncation(nttDouble).CopyTo(lanes[16..]);
        for (int k = 0; k < Vector256<double>.Count; k++)
        {
            long nested = za.GetElement(k) <= HealpixNested.TwoThirds
                ? HealpixNested.FromEquatorialLines(order, lanes[k], lanes[4 + k])
                : HealpixNested.FromPolarLines(order, lanes[8 + k], lanes[12 + k], lanes[16 + k], north: z.GetElement(k) >= 0);
            output[k] = TEncoding.Encode(nested, order);
        }
        return true;
    }

    /// <summary>The centre of a cell as a geographic position (longitude in (−180, 180]).</summary>
    public static GeoPoint Centre(long cell, int order, LatitudeConvention convention = LatitudeConvention.Authalic)
    {
        HealpixNested.CentreZPhi(order, cell, out double z, out double phi, out double st, out bool haveSt);
        return FromZPhi(z, phi, st, haveSt, convention);
    }

    /// <summary>
    /// The boundary of a cell as geographic positions: <paramref name="step"/> points per edge,
    /// starting at the northern corner, counter-clockwise (north, west, south, east corners).
    /// </summary>
    public static void Boundary(long cell, int order, int step, LatitudeConvention convention, Span<GeoPoint> output)
    {
        if (step < 1) throw new ArgumentOutOfRangeException(nameof(step), step, "step must be at least 1");
        Span<Vec3> v = step <= 64 ? stackalloc Vec3[4 * step] : new Vec3[4 * step];
        HealpixNested.Boundary(order, cell, step, v);
        if (output.Length < v.Length) throw new ArgumentException($"output needs room for {v.Length} points", nameof(output));
        for (int i = 0; i < v.Length; i++) output[i] = FromSphere(v[i], convention);
    }

    public static GeoPoint[] Boundary(long cell, int order, int step = 1, LatitudeConvention convention = LatitudeConvention.Authalic)
    {
        var result = new GeoPoint[4 * step];
        Boundary(cell, order, step, convention, result);
        return result;
    }

    /// <summary>The unit vector on the HEALPix sphere of a geographic position.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A latitude outside [−90, 90] or a non-finite value.</exception>
    public static Vec3 ToSphere(GeoPoint p, LatitudeConvention convention = LatitudeConvention.Authalic)
    {
        Span<Vec3> one = stackalloc Vec3[1];
        ToSphere(new ReadOnlySpan<GeoPoint>(in p), one, convention);
        return one[0];
    }

    /// <summary>
    /// The unit vectors on the HEALPix sphere of many positions (decimal degrees), the authalic latitude
    /// <see cref="Vector{T}.Count"/> at a time: each position gets the same bits as <see cref="ToSphere(GeoPoint, LatitudeConvention)"/>, which is this for one position.
    /// Under the authalic convention, sin β and cos β come straight from sin φ and cos φ
    /// (<see cref="AuthalicLatitude.SinCosFromGeodetic"/>: the kernel's z, and its pole-safe cos β), not β itself.
    /// </summary>
    /// <param name="positions">The positions.</param>
    /// <param name="output">At least as long as <paramref name="positions"/>.</param>
    /// <param name="convention">How geodetic latitudes are put on the sphere.</param>
    /// <exception cref="ArgumentException"><paramref name="output"/> is shorter than <paramref name="positions"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A latitude outside [−90, 90] or a non-finite value.</exception>
    public static void ToSphere(ReadOnlySpan<GeoPoint> positions, Span<Vec3> output, LatitudeConvention convention = LatitudeConvention.Authalic)
    {
        if (output.Length < positions.Length)
            throw new ArgumentException($"output has room for {output.Length} positions, {positions.Length} needed", nameof(output));
        foreach (var p in positions) CheckPosition(p.Latitude, p.Longitude);
        bool authalic = convention == LatitudeConvention.Authalic;
        int width = Vector<double>.Count;
        Span<double> lanes = stackalloc double[6 * width];
        Span<double> sinLat = lanes[..width], cosLat = lanes.Slice(width, width), sinLon = lanes.Slice(2 * width, width);
        Span<double> cosLon = lanes.Slice(3 * width, width), xs = lanes.Slice(4 * width, width), ys = lanes[(5 * width)..];
        for (int i = 0; i < positions.Length; i += width)
        {
            int n = Math.Min(width, positions.Length - i);
            for (int k = 0; k < width; k++)
            {
                // Scalar sines and cosines: Vector.SinCos picks its method by the values of all lanes, so a position
                // would get other bits beside other positions.
                var p = k < n ? positions[i + k] : default;
                (sinLat[k], cosLat[k]) = Math.SinCos(p.Latitude * DegreesToRadians);
                (sinLon[k], cosLon[k]) = Math.SinCos(p.Longitude * DegreesToRadians);
            }
            var z = new Vector<double>(sinLat);
            var r = new Vector<double>(cosLat); // the cosine of the latitude on the sphere
            if (authalic) AuthalicLatitude.SinCosFromGeodetic(z, r, out z, out r);
            (r * new Vector<double>(cosLon)).CopyTo(xs);
            (r * new Vector<double>(sinLon)).CopyTo(ys);
            for (int k = 0; k < n; k++) output[i + k] = new Vec3(xs[k], ys[k], z[k]);
        }
    }

    /// <summary>The geographic position of a direction on the HEALPix sphere (longitude in (−180, 180]).</summary>
    public static GeoPoint FromSphere(Vec3 v, LatitudeConvention convention = LatitudeConvention.Authalic)
    {
        double lat = v.Latitude;
        if (convention == LatitudeConvention.Authalic) lat = AuthalicLatitude.ToGeodetic(lat);
        return new GeoPoint(lat * RadiansToDegrees, NormalizeLongitude(v.Longitude * RadiansToDegrees));
    }

    private static GeoPoint FromZPhi(double z, double phi, double st, bool haveSt, LatitudeConvention convention)
    {
        double lat;
        if (convention == LatitudeConvention.GeodeticSpherical)
        {
            double theta = haveSt ? Math.Atan2(st, z) : Math.Acos(z);
            lat = 90.0 - theta * RadiansToDegrees;
        }
        else
        {
            double c = haveSt ? st : Math.Sqrt((1 - z) * (1 + z));
            lat = AuthalicLatitude.ToGeodetic(Math.Atan2(z, c)) * RadiansToDegrees;
        }
        return new GeoPoint(lat, NormalizeLongitude(phi * RadiansToDegrees));
    }

    /// <summary>A longitude in degrees mapped to (−180, 180].</summary>
    public static double NormalizeLongitude(double lon)
    {
        if (lon > -180 && lon <= 180) return lon;
        double r = lon % 360.0;
        if (r > 180) r -= 360;
        else if (r <= -180) r += 360;
        return r;
    }

    /// <summary>
    /// The per-point kernel. Under the geodetic-spherical convention it evaluates exactly what
    /// healpy's ang2pix(lonlat=True) evaluates (θ = π/2 − radians(lat)), so ids agree bit for bit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long Kernel(double lat, double lon, int order, bool authalic)
    {
        double phi = lon * DegreesToRadians;
        if (!authalic)
        {
            double theta = HealpixNested.HalfPi - lat * DegreesToRadians;
            bool nearPole = theta < 0.01 || theta > 3.14159 - 0.01;
            return HealpixNested.FromZPhi(order, Math.Cos(theta), phi, nearPole ? Math.Sin(theta) : 0.0, nearPole);
        }
        else
        {
            double latRad = lat * DegreesToRadians;
            double s = Math.Sin(latRad);
            double z = AuthalicLatitude.SinFromSinGeodetic(s);
            // Like the reference, sin θ is worth its cost only within 0.01 rad of a pole (cos 0.01 ≈ 0.99995).
            if (Math.Abs(z) < 0.99995)
                return HealpixNested.FromZPhi(order, z, phi, 0.0, false);
            double st = AuthalicLatitude.CosFromSinCosGeodetic(s, Math.Cos(latRad));
            return HealpixNested.FromZPhi(order, z, phi, st, true);
        }
    }

    private static long LocateUnchecked(double latitude, double longitude, int order, LatitudeConvention convention)
        => Kernel(latitude, longitude, order, convention == LatitudeConvention.Authalic);

    private static void CheckPosition(double latitude, double longitude)
    {
        if (!(Math.Abs(latitude) <= 90))
            throw new ArgumentOutOfRangeException(nameof(latitude), latitude, "latitude must be a number of degrees in [−90, 90]");
        if (!double.IsFinite(longitude))
            throw new ArgumentOutOfRangeException(nameof(longitude), longitude, "longitude must be a finite number of degrees");
    }

    private static void CheckMortonOrder(int order)
    {
        if (order < Morton.MinOrder || order > Morton.MaxOrder)
            throw new ArgumentOutOfRangeException(nameof(order), order, $"morton words exist for orders {Morton.MinOrder}–{Morton.MaxOrder}");
    }

    private static void CheckLengths(ReadOnlySpan<double> latitude, ReadOnlySpan<double> longitude, Span<long> output)
    {
        if (latitude.Length != longitude.Length)
            throw new ArgumentException($"latitude has {latitude.Length} values and longitude {longitude.Length}", nameof(longitude));
        if (output.Length < latitude.Length)
            throw new ArgumentException($"output has room for {output.Length} values, {latitude.Length} needed", nameof(output));
    }
}
