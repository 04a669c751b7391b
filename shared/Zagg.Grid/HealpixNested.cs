using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Zagg.Grid;

/// <summary>
/// HEALPix in the NESTED scheme, orders 0–29, on the unit sphere. Positions are given as
/// (z = cos θ, φ) with θ the colatitude and φ the longitude in radians, optionally with sin θ
/// for points near the poles where z alone loses precision; this is the arithmetic of the
/// HEALPix reference (Górski et al. 2005), reproduced operation for operation so that cell ids
/// agree bit for bit with it.
/// </summary>
/// <remarks>
/// Geographic coordinates (degrees, latitude conventions) are handled by <see cref="GeoGrid"/>;
/// this class knows only the sphere.
/// </remarks>
public static class HealpixNested
{
    /// <summary>The finest order whose cell ids fit in an int64.</summary>
    public const int MaxOrder = 29;

    /// <summary>Number of base cells (faces).</summary>
    public const int BaseCellCount = 12;

    internal const double TwoThirds = 2.0 / 3.0;
    internal const double HalfPi = Math.PI / 2.0;
    internal const double InverseHalfPi = 0.6366197723675813430755350534900574;

    // Per face: the ring index (in units of nside) of the face's southernmost corner + 1, and
    // the longitude index of its centre (in units of π/4).
    private static ReadOnlySpan<byte> FaceRow => [2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4];
    private static ReadOnlySpan<byte> FaceColumn => [1, 3, 5, 7, 0, 2, 4, 6, 1, 3, 5, 7];

    /// <summary>Number of cells at an order: 12·4^order.</summary>
    public static long CellCount(int order)
    {
        CheckOrder(order);
        return 12L << (2 * order);
    }

    /// <summary>Nside = 2^order.</summary>
    public static long Nside(int order)
    {
        CheckOrder(order);
        return 1L << order;
    }

    /// <summary>
    /// The cell containing the point (z, φ). <paramref name="sinTheta"/> is used only when
    /// <paramref name="haveSinTheta"/> is true and |z| ≥ 0.99 (near the poles).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long FromZPhi(int order, double z, double phi, double sinTheta, bool haveSinTheta)
    {
        long nside = 1L << order;
        double za = Math.Abs(z);
        double tt = PositiveModulo(phi * InverseHalfPi, 4.0); // in [0,4)

        if (za <= TwoThirds)
        {
            // Equatorial zone: the two families of edge lines.
            double temp1 = nside * (0.5 + tt);
            double temp2 = nside * (z * 0.75);
            long jp = (long)(temp1 - temp2); // ascending edge line
            long jm = (long)(temp1 + temp2); // descending edge line
            return FromEquatorialLines(order, jp, jm);
        }
        else
        {
            // Polar caps.
            int ntt = Math.Min(3, (int)tt);
            double tp = tt - ntt;
            double tmp = (za < 0.99 || !haveSinTheta)
                ? nside * Math.Sqrt(3 * (1 - za))
                : nside * sinTheta / Math.Sqrt((1.0 + za) / 3.0);
            long jp = (long)(tp * tmp);
            long jm = (long)((1.0 - tp) * tmp);
            jp = Math.Min(jp, nside - 1); // points on the boundary
            jm = Math.Min(jm, nside - 1);
            return FromPolarLines(order, jp, jm, ntt, north: z >= 0);
        }
    }

    /// <summary>
    /// The equatorial zone's cell (|z| ≤ 2/3) from its ascending and descending edge-line indices
    /// (<paramref name="jp"/> = ⌊nside·(1/2 + t − 3z/4)⌋, <paramref name="jm"/> = ⌊nside·(1/2 + t + 3z/4)⌋, t = φ·2/π mod 4):
    /// the face where the two lines meet, and the position within it (Górski et al. 2005, §4; healpix_base's loc2pix).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static long FromEquatorialLines(int order, long jp, long jm)
    {
        long nside = 1L << order;
        long ifp = jp >> order; // in {0,4}
        long ifm = jm >> order;
        int face = ifp == ifm ? (int)(ifp | 4) : (ifp < ifm ? (int)ifp : (int)(ifm + 8));
        long ix = jm & (nside - 1);
        long iy = nside - (jp & (nside - 1)) - 1;
        return Compose(order, ix, iy, face);
    }

    /// <summary>
    /// A polar cap's cell (|z| &gt; 2/3) from its edge-line indices within the quadrant <paramref name="ntt"/> (0–3), each
    /// already at most nside − 1, in the northern cap when <paramref name="north"/> (Górski et al. 2005, §4; healpix_base's loc2pix).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static long FromPolarLines(int order, long jp, long jm, int ntt, bool north)
    {
        long nside = 1L << order;
        // Selects rather than branches: the hemisphere is as random as the data.
        long ix = north ? nside - jm - 1 : jp;
        long iy = north ? nside - jp - 1 : jm;
        int face = north ? ntt : ntt + 8;
        return Compose(order, ix, iy, face);
    }

    /// <summary>The cell containing the point at colatitude θ and longitude φ (radians).</summary>
    public static long FromColatitudeLongitude(int order, double theta, double phi)
    {
        CheckOrder(order);
        if (!(theta >= 0 && theta <= Math.PI))
            throw new ArgumentOutOfRangeException(nameof(theta), theta, "colatitude must be in [0, π]");
        if (!double.IsFinite(phi))
            throw new ArgumentOutOfRangeException(nameof(phi), phi, "longitude must be finite");
        bool nearPole = theta < 0.01 || theta > 3.14159 - 0.01;
        return FromZPhi(order, Math.Cos(theta), phi, nearPole ? Math.Sin(theta) : 0.0, nearPole);
    }

    /// <summary>The centre of a cell as (z, φ), with sin θ when the centre is near a pole.</summary>
    public static void CentreZPhi(int order, long cell, out double z, out double phi, out double sinTheta, out bool haveSinTheta)
    {
        CheckCell(order, cell);
        Decompose(order, cell, out long ix, out long iy, out int face);
        long nside = 1L << order;
        double fact2 = 4.0 / CellCount(order);
        double fact1 = (nside << 1) * fact2;
        long jr = ((long)FaceRow[face] << order) - ix - iy - 1;
        long nr;
        haveSinTheta = false;
        sinTheta = 0;
        if (jr < nside)
        {
            nr = jr;
            double tmp = (nr * nr) * fact2;
            z = 1 - tmp;
            if (z > 0.99) { sinTheta = Math.Sqrt(tmp * (2.0 - tmp)); haveSinTheta = true; }
        }
        else if (jr > 3 * nside)
        {
            nr = nside * 4 - jr;
            double tmp = (nr * nr) * fact2;
            z = tmp - 1;
            if (z < -0.99) { sinTheta = Math.Sqrt(tmp * (2.0 - tmp)); haveSinTheta = true; }
        }
        else
        {
            nr = nside;
            z = (2 * nside - jr) * fact1;
        }

        long t = FaceColumn[face] * nr + ix - iy;
        if (t < 0) t += 8 * nr;
        phi = nr == nside ? 0.75 * HalfPi * t * fact1 : (0.5 * HalfPi * t) / nr;
    }

    /// <summary>
    /// Points on the boundary of a cell, as unit vectors: <paramref name="step"/> points per
    /// edge, 4·step in all, starting at the northern corner and going north → west → south →
    /// east (counter-clockwise seen from outside the sphere).
    /// </summary>
    public static void Boundary(int order, long cell, int step, Span<Vec3> output)
    {
        CheckCell(order, cell);
        if (step < 1) throw new ArgumentOutOfRangeException(nameof(step), step, "step must be at least 1");
        if (output.Length < 4 * step) throw new ArgumentException($"output needs room for {4 * step} points", nameof(output));
        Decompose(order, cell, out long ix, out long iy, out int face);
        double nside = 1L << order;
        double dc = 0.5 / nside;
        double xc = (ix + 0.5) / nside, yc = (iy + 0.5) / nside;
        double d = 1.0 / (step * nside);
        for (int i = 0; i < step; i++)
        {
            output[i] = FacePoint(xc + dc - i * d, yc + dc, face);
            output[i + step] = FacePoint(xc - dc, yc + dc - i * d, face);
            output[i + 2 * step] = FacePoint(xc - dc + i * d, yc - dc, face);
            output[i + 3 * step] = FacePoint(xc + dc, yc - dc + i * d, face);
        }
    }

    /// <summary>
    /// The unit vector of a point given by continuous face coordinates x, y ∈ [0,1] on a face
    /// (x towards the north-east, y towards the north-west).
    /// </summary>
    public static Vec3 FacePoint(double x, double y, int face)
    {
        FacePointZPhi(x, y, face, out double z, out double phi, out double sinTheta, out bool haveSinTheta);
        return Vec3.FromZPhi(z, phi, sinTheta, haveSinTheta);
    }

    internal static void FacePointZPhi(double x, double y, int face, out double z, out double phi, out double sinTheta, out bool haveSinTheta)
    {
        haveSinTheta = false;
        sinTheta = 0;
        double jr = FaceRow[face] - x - y;
        double nr;
        if (jr < 1)
        {
            nr = jr;
            double tmp = nr * nr / 3.0;
            z = 1 - tmp;
            if (z > 0.8) { sinTheta = Math.Sqrt(tmp * (2.0 - tmp)); haveSinTheta = true; }
        }
        else if (jr > 3)
        {
            nr = 4 - jr;
            double tmp = nr * nr / 3.0;
            z = tmp - 1;
            if (z < -0.8) { sinTheta = Math.Sqrt(tmp * (2.0 - tmp)); haveSinTheta = true; }
        }
        else
        {
            nr = 1;
            z = (2 - jr) * 2.0 / 3.0;
        }

        double t = FaceColumn[face] * nr + x - y;
        if (t < 0) t += 8;
        if (t >= 8) t -= 8;
        phi = nr < 1e-15 ? 0 : (0.5 * HalfPi * t) / nr;
    }

    // Neighbour directions in the order SW, W, NW, N, NE, E, SE, S (x grows to the NE, y to the NW).
    private static ReadOnlySpan<sbyte> NeighbourDx => [-1, -1, 0, 1, 1, 1, 0, -1];
    private static ReadOnlySpan<sbyte> NeighbourDy => [0, 1, 1, 1, 0, -1, -1, -1];

    // For a step that leaves the face: the face reached, indexed by [(dy+1)*3 + (dx+1)][face];
    // -1 where three faces meet at a corner and there is no diagonal neighbour.
    private static ReadOnlySpan<sbyte> FaceAcross =>
    [
        8, 9, 10, 11, -1, -1, -1, -1, 10, 11, 8, 9,   // (-1,-1) S
        5, 6, 7, 4, 8, 9, 10, 11, 9, 10, 11, 8,       // ( 0,-1) SE
        -1, -1, -1, -1, 5, 6, 7, 4, -1, -1, -1, -1,   // (+1,-1) E
        4, 5, 6, 7, 11, 8, 9, 10, 11, 8, 9, 10,       // (-1, 0) SW
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,         // ( 0, 0) same face
        1, 2, 3, 0, 0, 1, 2, 3, 5, 6, 7, 4,           // (+1, 0) NE
        -1, -1, -1, -1, 7, 4, 5, 6, -1, -1, -1, -1,   // (-1,+1) W
        3, 0, 1, 2, 3, 0, 1, 2, 4, 5, 6, 7,           // ( 0,+1) NW
        2, 3, 0, 1, -1, -1, -1, -1, 0, 1, 2, 3,       // (+1,+1) N
    ];

    // How the face coordinates turn when crossing, indexed by [direction][face row: north, equator, south]:
    // bit 1 mirrors x, bit 2 mirrors y, bit 4 swaps x and y.
    private static ReadOnlySpan<byte> FaceTurn =>
    [
        0, 0, 3,  // S
        0, 0, 6,  // SE
        0, 0, 0,  // E
        0, 0, 5,  // SW
        0, 0, 0,  // same face
        5, 0, 0,  // NE
        0, 0, 0,  // W
        6, 0, 0,  // NW
        3, 0, 0,  // N
    ];

    /// <summary>
    /// The eight neighbours of a cell in the order SW, W, NW, N, NE, E, SE, S; -1 where a
    /// corner of the cell is shared by only three cells (eight base-cell corners have this).
    /// </summary>
    public static void Neighbours(int order, long cell, Span<long> result)
    {
        CheckCell(order, cell);
        if (result.Length < 8) throw new ArgumentException("result needs room for 8 cells", nameof(result));
        Decompose(order, cell, out long ix, out long iy, out int face);
        long nside = 1L << order;
        long nsm1 = nside - 1;
        if (ix > 0 && ix < nsm1 && iy > 0 && iy < nsm1)
        {
            for (int m = 0; m < 8; m++)
                result[m] = Compose(order, ix + NeighbourDx[m], iy + NeighbourDy[m], face);
            return;
        }

        for (int m = 0; m < 8; m++)
        {
            long x = ix + NeighbourDx[m], y = iy + NeighbourDy[m];
            int direction = 4;
            if (x < 0) { x += nside; direction -= 1; }
            else if (x >= nside) { x -= nside; direction += 1; }
            if (y < 0) { y += nside; direction -= 3; }
            else if (y >= nside) { y -= nside; direction += 3; }

            int f = FaceAcross[direction * 12 + face];
            if (f < 0) { result[m] = -1; continue; }
            int turn = FaceTurn[direction * 3 + (face >> 2)];
            if ((turn & 1) != 0) x = nside - x - 1;
            if ((turn & 2) != 0) y = nside - y - 1;
            if ((turn & 4) != 0) (x, y) = (y, x);
            result[m] = Compose(order, x, y, f);
        }
    }

    /// <summary>The parent of a cell at a coarser order.</summary>
    public static long Parent(long cell, int order, int parentOrder)
    {
        CheckCell(order, cell);
        if (parentOrder < 0 || parentOrder > order)
            throw new ArgumentOutOfRangeException(nameof(parentOrder), parentOrder, $"parent order must be in [0, {order}]");
        return cell >> (2 * (order - parentOrder));
    }

    /// <summary>
    /// The first child of a cell at a finer order; its 4^(childOrder − order) children are the
    /// consecutive ids from there.
    /// </summary>
    public static long FirstChild(long cell, int order, int childOrder)
    {
        CheckCell(order, cell);
        if (childOrder < order || childOrder > MaxOrder)
            throw new ArgumentOutOfRangeException(nameof(childOrder), childOrder, $"child order must be in [{order}, {MaxOrder}]");
        return cell << (2 * (childOrder - order));
    }

    /// <summary>Number of descendants a cell has at <paramref name="childOrder"/>.</summary>
    public static long ChildCount(int order, int childOrder)
    {
        CheckOrder(order);
        CheckOrder(childOrder);
        if (childOrder < order) throw new ArgumentOutOfRangeException(nameof(childOrder), childOrder, "child order must not be coarser than the order");
        return 1L << (2 * (childOrder - order));
    }

    /// <summary>Splits a cell id into its base cell (face) and in-face coordinates.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Decompose(int order, long cell, out long ix, out long iy, out int face)
    {
        face = (int)(cell >> (2 * order));
        long bits = cell & ((1L << (2 * order)) - 1);
        ix = CompactBits(bits);
        iy = CompactBits(bits >> 1);
    }

    /// <summary>The cell id of in-face coordinates (ix, iy) on a face.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Compose(int order, long ix, long iy, int face)
        => ((long)face << (2 * order)) + SpreadBits(ix) + (SpreadBits(iy) << 1);

    /// <summary>Interleaves zeros into the low 32 bits: b31..b0 → 0 b31 0 b30 … 0 b0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long SpreadBits(long v)
    {
        if (Bmi2.X64.IsSupported)
            return (long)Bmi2.X64.ParallelBitDeposit((ulong)v, 0x5555555555555555UL);
        ulong x = (ulong)v & 0xFFFFFFFFUL;
        x = (x | (x << 16)) & 0x0000FFFF0000FFFFUL;
        x = (x | (x << 8)) & 0x00FF00FF00FF00FFUL;
        x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0FUL;
        x = (x | (x << 2)) & 0x3333333333333333UL;
        x = (x | (x << 1)) & 0x5555555555555555UL;
        return (long)x;
    }

    /// <summary>The inverse of <see cref="SpreadBits"/>: gathers the even bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long CompactBits(long v)
    {
        if (Bmi2.X64.IsSupported)
            return (long)Bmi2.X64.ParallelBitExtract((ulong)v, 0x5555555555555555UL);
        ulong x = (ulong)v & 0x5555555555555555UL;
        x = (x | (x >> 1)) & 0x3333333333333333UL;
        x = (x | (x >> 2)) & 0x0F0F0F0F0F0F0F0FUL;
        x = (x | (x >> 4)) & 0x00FF00FF00FF00FFUL;
        x = (x | (x >> 8)) & 0x0000FFFF0000FFFFUL;
        x = (x | (x >> 16)) & 0x00000000FFFFFFFFUL;
        return (long)x;
    }

    /// <summary>v mod m in [0, m) as the reference computes it (C#'s % on doubles is C's fmod).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double PositiveModulo(double v, double m)
    {
        if (v >= -m && v < m)
        {
            // For |v| < m, fmod(v, m) is v itself: the reference gives v for v ≥ 0 and v + m
            // (0 if that rounds to m) for v < 0. The sign bit picks without a branch, which
            // matters because longitudes' signs are random.
            double r = v + m * (double)(long)((ulong)BitConverter.DoubleToInt64Bits(v) >> 63);
            return r == m ? 0.0 : r;
        }
        if (v >= 0) return v % m;
        double tmp = v % m + m;
        return tmp == m ? 0.0 : tmp;
    }

    public static void CheckOrder(int order)
    {
        if ((uint)order > MaxOrder)
            throw new ArgumentOutOfRangeException(nameof(order), order, $"HEALPix order must be in [0, {MaxOrder}]");
    }

    public static void CheckCell(int order, long cell)
    {
        CheckOrder(order);
        if (cell < 0 || cell >= (12L << (2 * order)))
            throw new ArgumentOutOfRangeException(nameof(cell), cell, $"a NESTED cell id at order {order} must be in [0, {(12L << (2 * order)) - 1}]");
    }
}
