namespace Zagg.Grid.Geometry;

/// <summary>
/// The cells of an order that meet a longitude-latitude box (sides along parallels and
/// meridians), found in (z = sin latitude, φ) where the box is a rectangle.
/// </summary>
/// <remarks>
/// A descent from the 12 base cells: a cell whose (z, φ) bounds (from its outline sampled at
/// four points per side, widened by a tenth of the sample spacing) fall inside the rectangle is
/// taken whole, one whose bounds miss it is dropped, and the rest are split. At the target order
/// a cell is kept when its centre or an outline sample lies in the box, when a corner of the box
/// lies in the cell, or when a side of the box crosses the outline (eight samples per side).
/// </remarks>
internal sealed class BoxCoverage
{
    private const double TwoPi = 2 * Math.PI;
    private readonly double _zSouth, _zNorth, _west, _span;
    private readonly bool _allLongitudes;
    private readonly int _order;
    private readonly CellRanges _result;
    private readonly HashSet<long> _cornerCells = [];

    private BoxCoverage(GeoBox box, int order, LatitudeConvention convention)
    {
        _order = order;
        _result = new CellRanges(order);
        _zSouth = GeoGrid.ToSphere(new GeoPoint(box.South, 0), convention).Z;
        _zNorth = GeoGrid.ToSphere(new GeoPoint(box.North, 0), convention).Z;
        if (box.South <= -90) _zSouth = -1;
        if (box.North >= 90) _zNorth = 1;
        double d = box.East - box.West;
        _allLongitudes = d >= 360;
        _west = Mod2Pi(box.West * (Math.PI / 180));
        _span = _allLongitudes ? TwoPi : Mod2Pi(d * (Math.PI / 180));
        foreach (double lat in (ReadOnlySpan<double>)[box.South, box.North])
            foreach (double lon in (ReadOnlySpan<double>)[box.West, box.East])
                _cornerCells.Add(GeoGrid.Locate(lat, lon, order, convention));
    }

    /// <summary>Every cell of <paramref name="order"/> meeting the box.</summary>
    public static CellRanges Cover(GeoBox box, int order, LatitudeConvention convention)
    {
        HealpixNested.CheckOrder(order);
        var walk = new BoxCoverage(box, order, convention);
        for (int face = 0; face < HealpixNested.BaseCellCount; face++) walk.Visit(face, 0);
        return walk._result;
    }

    private static double Mod2Pi(double a)
    {
        a %= TwoPi;
        return a < 0 ? a + TwoPi : a;
    }

    private static double WrapPi(double a)
    {
        a = Mod2Pi(a);
        return a > Math.PI ? a - TwoPi : a;
    }

    private bool InLongitude(double phi) => _allLongitudes || Mod2Pi(phi - _west) <= _span;

    private bool InBox(Vec3 v)
    {
        double z = v.Z;
        if (z < _zSouth || z > _zNorth) return false;
        if (v.X == 0 && v.Y == 0) return true; // a pole inside the latitude band belongs to every meridian
        return InLongitude(Math.Atan2(v.Y, v.X));
    }

    private void Visit(long cell, int level)
    {
        Span<Vec3> outline = stackalloc Vec3[16];
        HealpixNested.Boundary(level, cell, 4, outline);
        Vec3 centre = PolygonCoverage.Centre(level, cell);
        double zMin = 1, zMax = -1;
        foreach (var v in outline) { zMin = Math.Min(zMin, v.Z); zMax = Math.Max(zMax, v.Z); }
        double zPad = (zMax - zMin) * 0.1 + 1e-12;
        zMin -= zPad; zMax += zPad;

        // φ extent relative to the centre's meridian; a cell holding a pole spans every longitude.
        double phiC = centre.Longitude;
        double lo = 0, hi = 0;
        bool polar = false;
        foreach (var v in outline)
        {
            if (Math.Abs(v.X) < 1e-15 && Math.Abs(v.Y) < 1e-15) { polar = true; continue; }
            double u = WrapPi(Math.Atan2(v.Y, v.X) - phiC);
            lo = Math.Min(lo, u); hi = Math.Max(hi, u);
        }
        double pad = (hi - lo) * 0.1 + 1e-12;
        lo -= pad; hi += pad;
        bool allPhi = polar || hi - lo >= Math.PI;

        bool zInside = zMin >= _zSouth && zMax <= _zNorth;
        bool zOutside = zMax < _zSouth || zMin > _zNorth;
        if (zOutside) return;
        bool phiInside, phiOutside;
        if (_allLongitudes) { phiInside = true; phiOutside = false; }
        else if (allPhi) { phiInside = false; phiOutside = false; }
        else
        {
            double start = Mod2Pi(phiC + lo - _west);
            double width = hi - lo;
            phiInside = start + width <= _span;
            phiOutside = start > _span && Mod2Pi(_west - (phiC + lo)) > width;
        }
        if (phiOutside) return;
        if (zInside && phiInside)
        {
            int shift = 2 * (_order - level);
            _result.Append(cell << shift, 1L << shift);
            return;
        }
        if (level < _order)
        {
            for (long child = cell << 2; child < (cell << 2) + 4; child++) Visit(child, level + 1);
            return;
        }
        if (Meets(cell, centre)) _result.Append(cell, 1);
    }

    private bool Meets(long cell, Vec3 centre)
    {
        if (InBox(centre) || _cornerCells.Contains(cell)) return true;
        const int step = 8;
        Span<Vec3> outline = stackalloc Vec3[4 * step];
        HealpixNested.Boundary(_order, cell, step, outline);
        foreach (var v in outline) if (InBox(v)) return true;
        if (_allLongitudes)
        {
            // Only the parallels bound the box: an outline crossing one has samples on both sides.
            bool south = false, north = false, between = false;
            foreach (var v in outline)
            {
                if (v.Z < _zSouth) south = true;
                else if (v.Z > _zNorth) north = true;
                else between = true;
            }
            return between || (south && north);
        }
        // Sides of the box against the outline, in (u = φ − west, z) with u unwrapped along the outline.
        double u0 = Mod2Pi(outline[0].Longitude - _west);
        double u = u0;
        for (int k = 0; k < outline.Length; k++)
        {
            Vec3 p = outline[k], q = outline[(k + 1) % outline.Length];
            bool pPole = p.X == 0 && p.Y == 0, qPole = q.X == 0 && q.Y == 0;
            double du = pPole || qPole ? 0 : WrapPi(q.Longitude - p.Longitude);
            double ua = u, ub = u + du;
            if (SegmentMeetsBoxSides(ua, p.Z, ub, q.Z)) return true;
            u = ub;
        }
        return false;
    }

    private bool SegmentMeetsBoxSides(double ua, double za, double ub, double zb)
    {
        // Meridian sides at u = 0 (mod 2π) and u = span, for z in [zSouth, zNorth].
        for (int k = -1; k <= 1; k++)
        {
            foreach (double side in (ReadOnlySpan<double>)[k * TwoPi, k * TwoPi + _span])
            {
                if ((ua - side) * (ub - side) <= 0 && ua != ub)
                {
                    double z = za + (zb - za) * (side - ua) / (ub - ua);
                    if (z >= _zSouth && z <= _zNorth) return true;
                }
            }
        }
        // Parallel sides at z = zSouth and zNorth, for u in [0, span] (mod 2π).
        foreach (double zSide in (ReadOnlySpan<double>)[_zSouth, _zNorth])
        {
            if ((za - zSide) * (zb - zSide) <= 0 && za != zb)
            {
                double uu = ua + (ub - ua) * (zSide - za) / (zb - za);
                if (Mod2Pi(uu) <= _span) return true;
            }
        }
        return false;
    }
}
