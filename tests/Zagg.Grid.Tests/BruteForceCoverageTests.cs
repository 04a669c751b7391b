using Xunit;
using Zagg.Grid.Geometry;

namespace Zagg.Grid.Tests;

/// <summary>
/// Footprint coverage against brute force: every cell of an order is sampled densely inside, and
/// every shape's boundary densely along it. A cell with a sample inside the shape, or holding a
/// boundary sample, must be reported (no cell the shape meets is missed); a reported cell with
/// neither must lie within a small fraction of a cell of the shape's boundary (no cell far from
/// it is reported).
/// </summary>
public class BruteForceCoverageTests
{
    private const int InsideSamples = 12;      // per cell side
    private const int OutlineSamples = 24;     // per cell side, for the distance check
    private const double Tolerance = 0.05;     // of a cell's size: how far a reported cell may sit from the shape

    /// <summary>What the brute force knows about a shape: inside, and points along its boundary.</summary>
    private sealed record Truth(Func<Vec3, bool> Inside, List<Vec3> Boundary);

    private static Truth Of(GeoFootprint fp, LatitudeConvention convention, double spacing)
    {
        var regions = fp.Polygons.Select(p => SphericalRegion.FromGeo(p, convention)).ToList();
        var boundary = new List<Vec3>();
        foreach (var polygon in fp.Polygons)
            foreach (var part in polygon.Parts)
                foreach (var ring in part)
                    for (int i = 0; i < ring.Count; i++)
                        AddArc(boundary, GeoGrid.ToSphere(ring[i], convention), GeoGrid.ToSphere(ring[(i + 1) % ring.Count], convention), spacing);
        foreach (var line in fp.Lines)
            for (int i = 0; i + 1 < line.Count; i++)
                AddArc(boundary, GeoGrid.ToSphere(line[i], convention), GeoGrid.ToSphere(line[i + 1], convention), spacing);
        foreach (var p in fp.Points) boundary.Add(GeoGrid.ToSphere(p, convention));
        foreach (var box in fp.Boxes) AddBox(boundary, box, convention, spacing);
        bool Inside(Vec3 v)
        {
            foreach (var r in regions) if (r.Contains(v)) return true;
            if (fp.Boxes.Count == 0) return false;
            var g = GeoGrid.FromSphere(v, convention);
            foreach (var b in fp.Boxes) if (InBox(b, g)) return true;
            return false;
        }
        return new Truth(Inside, boundary);
    }

    private static bool InBox(GeoBox b, GeoPoint g)
    {
        if (g.Latitude < b.South || g.Latitude > b.North) return false;
        if (Math.Abs(g.Latitude) >= 90 - 1e-12) return true;
        double span = b.East - b.West >= 360 ? 360 : Mod360(b.East - b.West);
        return Mod360(g.Longitude - b.West) <= span;
    }

    private static double Mod360(double a) { a %= 360; return a < 0 ? a + 360 : a; }

    private static void AddArc(List<Vec3> output, Vec3 a, Vec3 b, double spacing)
    {
        double angle = a.AngleTo(b);
        int n = Math.Max(1, (int)Math.Ceiling(angle / spacing));
        for (int k = 0; k <= n; k++)
        {
            double t = (double)k / n;
            // Spherical interpolation.
            double s = Math.Sin(angle);
            Vec3 v = s < 1e-15 ? a : (Math.Sin((1 - t) * angle) / s) * a + (Math.Sin(t * angle) / s) * b;
            output.Add(v.Normalized());
        }
    }

    private static void AddBox(List<Vec3> output, GeoBox box, LatitudeConvention convention, double spacing)
    {
        double span = box.East - box.West >= 360 ? 360 : Mod360(box.East - box.West);
        double step = spacing * 180 / Math.PI;
        int nLon = Math.Max(1, (int)Math.Ceiling(span / step));
        int nLat = Math.Max(1, (int)Math.Ceiling((box.North - box.South) / step));
        for (int i = 0; i <= nLon; i++)
        {
            double lon = box.West + span * i / nLon;
            output.Add(GeoGrid.ToSphere(new GeoPoint(box.South, lon), convention));
            output.Add(GeoGrid.ToSphere(new GeoPoint(box.North, lon), convention));
        }
        if (span < 360)
            for (int j = 0; j <= nLat; j++)
            {
                double lat = box.South + (box.North - box.South) * j / nLat;
                output.Add(GeoGrid.ToSphere(new GeoPoint(lat, box.West), convention));
                output.Add(GeoGrid.ToSphere(new GeoPoint(lat, box.West + span), convention));
            }
    }

    private static long CellOf(Vec3 v, int order)
    {
        v.ToZPhi(out double z, out double phi, out double st);
        return HealpixNested.FromZPhi(order, z, phi, st, true);
    }

    /// <summary>Checks the cover of a footprint at an order against brute force; returns the cover.</summary>
    private static CellRanges Check(GeoFootprint fp, int order, LatitudeConvention convention = LatitudeConvention.Authalic)
    {
        var cover = FootprintCoverage.Cover(fp, order, convention);
        CheckCover(fp, cover, order, convention);
        return cover;
    }

    internal static void CheckCover(GeoFootprint fp, CellRanges cover, int order, LatitudeConvention convention)
    {
        double cellSize = Math.Sqrt(4 * Math.PI / HealpixNested.CellCount(order));
        var truth = Of(fp, convention, cellSize / 64);
        long nside = HealpixNested.Nside(order);

        var touched = new HashSet<long>();
        foreach (var v in truth.Boundary) touched.Add(CellOf(v, order));
        foreach (long c in touched) Assert.True(cover.Contains(c), $"order {order}: cell {c} holds a point of the boundary but is not reported");

        for (long cell = 0; cell < HealpixNested.CellCount(order); cell++)
        {
            HealpixNested.Decompose(order, cell, out long ix, out long iy, out int face);
            bool inside = false;
            for (int a = 0; a < InsideSamples && !inside; a++)
                for (int b = 0; b < InsideSamples && !inside; b++)
                    inside = truth.Inside(HealpixNested.FacePoint((ix + (a + 0.5) / InsideSamples) / nside, (iy + (b + 0.5) / InsideSamples) / nside, face));
            bool reported = cover.Contains(cell);
            if (inside) Assert.True(reported, $"order {order}: cell {cell} has a sample inside the footprint but is not reported");
            if (reported && !inside && !touched.Contains(cell))
            {
                var outline = new Vec3[4 * OutlineSamples];
                HealpixNested.Boundary(order, cell, OutlineSamples, outline);
                double nearest = double.MaxValue;
                foreach (var p in truth.Boundary)
                    foreach (var q in outline)
                        nearest = Math.Min(nearest, p.AngleTo(q));
                Assert.True(nearest <= Tolerance * cellSize, $"order {order}: cell {cell} is reported but lies {nearest / cellSize:F3} cells from the footprint");
            }
        }
    }

    [Fact]
    public void The_check_catches_a_missing_and_a_far_cell()
    {
        var fp = new GeoFootprint(polygons: [GeoPolygon.FromRing([new(-70, 0), new(-70, 30), new(-60, 30), new(-60, 0)])]);
        var cover = FootprintCoverage.Cover(fp, 4);
        long[] cells = cover.ToArray();
        var missing = CellRanges.FromCells(4, cells.AsSpan(1));
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => CheckCover(fp, missing, 4, LatitudeConvention.Authalic));
        var far = CellRanges.FromCells(4, [.. cells, GeoGrid.Locate(40, 100, 4)]);
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => CheckCover(fp, far, 4, LatitudeConvention.Authalic));
        // A cell about a cell north of the polygon's northern side.
        long outside = GeoGrid.Locate(-53, 15, 4);
        Assert.False(cover.Contains(outside));
        var near = CellRanges.FromCells(4, [.. cells, outside]);
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => CheckCover(fp, near, 4, LatitudeConvention.Authalic));
    }

    private static GeoPoint Destination(GeoPoint from, double bearingDeg, double distanceRad)
    {
        double lat = from.Latitude * Math.PI / 180, lon = from.Longitude * Math.PI / 180, brg = bearingDeg * Math.PI / 180;
        double lat2 = Math.Asin(Math.Sin(lat) * Math.Cos(distanceRad) + Math.Cos(lat) * Math.Sin(distanceRad) * Math.Cos(brg));
        double lon2 = lon + Math.Atan2(Math.Sin(brg) * Math.Sin(distanceRad) * Math.Cos(lat), Math.Cos(distanceRad) - Math.Sin(lat) * Math.Sin(lat2));
        return new GeoPoint(lat2 * 180 / Math.PI, GeoGrid.NormalizeLongitude(lon2 * 180 / Math.PI));
    }

    /// <summary>A star-shaped ring around a centre: sorted bearings, random radii (never self-intersecting).</summary>
    private static GeoPoint[] StarRing(Random rng, GeoPoint centre, double radiusRad, int n)
    {
        var bearings = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 360).Order().ToArray();
        return bearings.Select(b => Destination(centre, b, radiusRad * (0.3 + 0.7 * rng.NextDouble()))).ToArray();
    }

    private static GeoPoint RandomPoint(Random rng)
        => new(Math.Asin(2 * rng.NextDouble() - 1) * 180 / Math.PI, rng.NextDouble() * 360 - 180);

    /// <summary>An ICESat-2-like granule: a band ±halfWidth around a great-circle track of a given length.</summary>
    internal static GeoPoint[] Track(GeoPoint start, double bearing, double lengthKm, double halfWidthKm, int stations)
    {
        const double earth = 6371.0;
        var centre = new GeoPoint[stations];
        for (int i = 0; i < stations; i++) centre[i] = Destination(start, bearing, lengthKm * i / (stations - 1) / earth);
        var left = new GeoPoint[stations];
        var right = new GeoPoint[stations];
        for (int i = 0; i < stations; i++)
        {
            double heading = i + 1 < stations ? InitialBearing(centre[i], centre[i + 1]) : InitialBearing(centre[i - 1], centre[i]) + 0;
            if (i + 1 == stations) heading = Mod360(InitialBearing(centre[i], centre[i - 1]) + 180);
            left[i] = Destination(centre[i], heading - 90, halfWidthKm / earth);
            right[stations - 1 - i] = Destination(centre[i], heading + 90, halfWidthKm / earth);
        }
        return [.. left, .. right];
    }

    private static double InitialBearing(GeoPoint a, GeoPoint b)
    {
        double la = a.Latitude * Math.PI / 180, lb = b.Latitude * Math.PI / 180, dl = (b.Longitude - a.Longitude) * Math.PI / 180;
        return Math.Atan2(Math.Sin(dl) * Math.Cos(lb), Math.Cos(la) * Math.Sin(lb) - Math.Sin(la) * Math.Cos(lb) * Math.Cos(dl)) * 180 / Math.PI;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Random_polygons_with_holes(int seed)
    {
        var rng = new Random(seed);
        var centre = RandomPoint(rng);
        var outer = StarRing(rng, centre, 0.05 + 0.3 * rng.NextDouble(), 5 + rng.Next(20));
        var hole = StarRing(rng, centre, 0.02, 6);
        Check(new GeoFootprint(polygons: [new GeoPolygon([[outer, hole]])]), 4);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void Random_lines(int seed)
    {
        var rng = new Random(seed);
        var start = RandomPoint(rng);
        var line = new List<GeoPoint> { start };
        for (int i = 0; i < 6; i++) line.Add(Destination(line[^1], rng.NextDouble() * 360, 0.05 + 0.3 * rng.NextDouble()));
        Check(new GeoFootprint(lines: [line]), 4);
    }

    [Theory]
    [InlineData(170, -20, -170, 10)]     // across the antimeridian
    [InlineData(-30, 60, 40, 90)]        // up to the north pole
    [InlineData(-180, -90, 180, -60)]    // the Antarctic cap
    [InlineData(10.5, -5.2, 11.1, 44.7)] // thin and tall
    [InlineData(0, 0, 0, 10)]            // a meridian segment
    public void Boxes(double west, double south, double east, double north)
        => Check(new GeoFootprint(boxes: [new GeoBox(west, south, east, north)]), 4);

    [Fact]
    public void A_polygon_enclosing_the_south_pole_across_the_antimeridian()
    {
        GeoPoint[] ring = [new(-70, 170), new(-75, -100), new(-72, -10), new(-80, 60)];
        var cover = Check(new GeoFootprint(polygons: [GeoPolygon.FromRing(ring)]), 5);
        Assert.True(cover.Contains(GeoGrid.Locate(-90, 0, 5)));
    }

    [Theory]
    [InlineData(-60, 20, 180)]   // southward from the Antarctic coast
    [InlineData(-86, -170, 10)]  // past the pole's neighbourhood and over the antimeridian
    [InlineData(30, 175, 350)]   // across the antimeridian
    public void A_thin_3000_km_track(double lat, double lon, double bearing)
    {
        var ring = Track(new GeoPoint(lat, lon), bearing, 3000, 3.5, 31);
        var cover = Check(new GeoFootprint(polygons: [GeoPolygon.FromRing(ring)]), 5);
        Assert.InRange(cover.Count, 15, 80);
    }

    [Fact]
    public void A_near_degenerate_sliver()
    {
        GeoPoint[] ring = [new(-10, -20), new(12, 25), new(12.000001, 25.0000005)];
        Check(new GeoFootprint(polygons: [GeoPolygon.FromRing(ring)]), 5);
    }

    [Fact]
    public void Several_shapes_in_one_footprint()
    {
        var fp = new GeoFootprint(
            polygons: [GeoPolygon.FromRing([new(-70, 0), new(-70, 10), new(-65, 10), new(-65, 0)])],
            lines: [[new(0, 179), new(2, -179), new(10, -175)]],
            points: [new(45, 45), new(-89.9, 0)],
            boxes: [new GeoBox(100, 20, 110, 25)]);
        Check(fp, 4);
        Check(fp, 3, LatitudeConvention.GeodeticSpherical);
    }
}
