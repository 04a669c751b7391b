using FsCheck;
using FsCheck.Fluent;
using Xunit;
using Zagg.Grid.Geometry;

namespace Zagg.Grid.Tests;

/// <summary>Properties of the grid checked over generated inputs (FsCheck, fixed seed per run config).</summary>
public class PropertyTests
{
    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(2000);

    private static Gen<LatitudeConvention> Conventions => Gen.Elements(LatitudeConvention.Authalic, LatitudeConvention.GeodeticSpherical);

    private static Gen<double> Unit => Gen.Choose(0, int.MaxValue).Select(x => x / (double)int.MaxValue);

    /// <summary>A uniformly distributed position, plus a share of poles, seams and the antimeridian.</summary>
    private static Gen<GeoPoint> Position =>
        Gen.Frequency(
            (6, Gen.Zip(Unit, Unit, (u, v) => new GeoPoint(Math.Asin(2 * u - 1) * 180 / Math.PI, 360 * v - 180))),
            (1, Gen.Zip(Unit, Gen.Elements(90.0, -90.0, 89.9999, -89.9999, 41.8103148957786, 0.0), (v, lat) => new GeoPoint(lat, 360 * v - 180))),
            (1, Gen.Zip(Unit, Gen.Elements(-180.0, 180.0, 0.0, 45.0, 90.0, 179.999999, -179.999999), (u, lon) => new GeoPoint(180 * u - 90, lon))));

    private static Gen<(int Order, long Cell)> MortonCell =>
        Gen.Choose(Morton.MinOrder, Morton.MaxOrder).SelectMany(order =>
            Gen.Zip(Unit, Unit, (u, v) => (order, Math.Min(HealpixNested.CellCount(order) - 1, (long)((u + v / int.MaxValue) * HealpixNested.CellCount(order))))));

    [Fact]
    public void Nested_to_morton_to_nested_is_the_identity()
        => Prop.ForAll(MortonCell.ToArbitrary(), c =>
        {
            long word = Morton.FromNested(c.Cell, c.Order);
            long back = Morton.ToNested(word, out int order);
            return back == c.Cell && order == c.Order && Morton.OrderOf(word) == c.Order;
        }).Check(Config);

    [Fact]
    public void The_children_of_a_parent_contain_the_cell_and_clip_back_to_it()
        => Prop.ForAll(MortonCell.Where(c => c.Order >= 2).ToArbitrary(), c =>
        {
            long word = Morton.FromNested(c.Cell, c.Order);
            long parent = Morton.Parent(word);
            long[] children = Morton.Children(parent, c.Order);
            long nestedParent = HealpixNested.Parent(c.Cell, c.Order, c.Order - 1);
            return children.Length == 4
                && Array.IndexOf(children, word) >= 0
                && Morton.Clip(word, c.Order - 1) == parent
                && Morton.ToNested(parent, out _) == nestedParent
                && children.All(ch => Morton.Clip(ch, c.Order - 1) == parent)
                && HealpixNested.FirstChild(nestedParent, c.Order - 1, c.Order) <= c.Cell
                && c.Cell < HealpixNested.FirstChild(nestedParent, c.Order - 1, c.Order) + 4;
        }).Check(Config);

    [Fact]
    public void The_cell_of_a_point_is_the_parent_of_its_finer_cells()
        => Prop.ForAll(Gen.Zip(Position, Gen.Choose(1, 18)).ToArbitrary(), t =>
        {
            var (p, order) = t;
            long fine = GeoGrid.LocateMorton(p.Latitude, p.Longitude, 18);
            return Morton.Clip(fine, order) == GeoGrid.LocateMorton(p.Latitude, p.Longitude, order);
        }).Check(Config);

    [Fact]
    public void A_point_lies_inside_its_own_cells_boundary_polygon()
        => Prop.ForAll((from p in Position from o in Gen.Choose(3, 29) from c in Conventions select (p, o, c)).ToArbitrary(), t =>
        {
            var (p, order, convention) = t;
            long cell = GeoGrid.Locate(p.Latitude, p.Longitude, order, convention);
            var outline = new Vec3[4 * 32];
            HealpixNested.Boundary(order, cell, 32, outline);
            var ring = outline.Select(v => GeoGrid.FromSphere(v, convention)).ToArray();
            var region = SphericalRegion.FromGeo(GeoPolygon.FromRing(ring), convention);
            return region.Contains(p, convention) || NearOutline(GeoGrid.ToSphere(p, convention), outline);
        }).Check(Config);

    [Fact]
    public void Coverage_contains_the_cell_of_every_point_inside_random_polygons()
        => Prop.ForAll((from s in RandomStar from o in Gen.Choose(0, 9) from c in Conventions select (s, o, c)).ToArbitrary(), t =>
        {
            var (star, order, convention) = t;
            var region = SphericalRegion.FromGeo(star.Polygon, convention);
            var cover = PolygonCoverage.Cover(region, order);
            // Points inside the inscribed circle are inside by construction, whatever the implementation says.
            foreach (var p in star.InsidePoints)
                if (!cover.Contains(GeoGrid.Locate(p.Latitude, p.Longitude, order, convention))) return false;
            // Every vertex touches the boundary, so its cell is covered.
            foreach (var v in star.Polygon.Parts[0][0])
                if (!cover.Contains(GeoGrid.Locate(v.Latitude, v.Longitude, order, convention))) return false;
            // Points the region calls inside are covered too.
            foreach (var p in star.SamplePoints)
                if (region.Contains(p, convention) && !cover.Contains(GeoGrid.Locate(p.Latitude, p.Longitude, order, convention))) return false;
            return cover.Count > 0;
        }).Check(Config.WithMaxTest(300));

    private static bool NearOutline(Vec3 p, Vec3[] outline)
    {
        // The outline joins samples by great-circle chords; a point within the chord's sagitta of a side may fall outside.
        for (int i = 0; i < outline.Length; i++)
        {
            var e = new Vec3[] { outline[i], outline[(i + 1) % outline.Length] };
            double len = e[0].AngleTo(e[1]);
            if (p.AngleTo(e[0]) + p.AngleTo(e[1]) - len < len * 1e-3) return true;
        }
        return false;
    }

    public sealed record Star(GeoPolygon Polygon, GeoPoint[] InsidePoints, GeoPoint[] SamplePoints)
    {
        public override string ToString()
            => "ring " + string.Join(" ", Polygon.Parts[0][0].Select(p => p.ToString()));
    }

    /// <summary>
    /// A star-shaped ring around a random centre (a pole, the antimeridian or anywhere), with
    /// radii between r/2 and r: every point closer to the centre than r/2·cos(π/n) is inside.
    /// </summary>
    private static Gen<Star> RandomStar =>
        from centre in Gen.Frequency(
            (3, Position),
            (1, Gen.Elements(new GeoPoint(90, 0), new GeoPoint(-90, 0), new GeoPoint(-89.5, 120), new GeoPoint(88, -60))),
            (1, Unit.Select(u => new GeoPoint(120 * u - 60, 180))))
        from n in Gen.Choose(3, 24)
        from rDeg in Gen.Choose(1, 4000).Select(x => x / 100.0)
        from radii in Gen.ArrayOf(Unit, n)
        from seed in Gen.Choose(0, int.MaxValue)
        select MakeStar(centre, n, rDeg, radii, seed);

    private static Star MakeStar(GeoPoint centre, int n, double rDeg, double[] radii, int seed)
    {
        var c = GeoGrid.ToSphere(centre, LatitudeConvention.GeodeticSpherical);
        var ring = new GeoPoint[n];
        double r = rDeg * Math.PI / 180;
        for (int i = 0; i < n; i++)
            ring[i] = Offset(c, r * (0.5 + 0.5 * radii[i]), 2 * Math.PI * i / n);
        var rng = new Random(seed);
        var inside = new GeoPoint[20];
        double inscribed = 0.5 * r * Math.Cos(Math.PI / n) * 0.999;
        for (int i = 0; i < inside.Length; i++)
            inside[i] = Offset(c, inscribed * Math.Sqrt(rng.NextDouble()), 2 * Math.PI * rng.NextDouble());
        var samples = new GeoPoint[40];
        for (int i = 0; i < samples.Length; i++)
            samples[i] = Offset(c, 1.2 * r * Math.Sqrt(rng.NextDouble()), 2 * Math.PI * rng.NextDouble());
        return new Star(GeoPolygon.FromRing(ring), inside, samples);
    }

    /// <summary>The point at a distance (radians) and bearing from a centre, on the geodetic-spherical sphere.</summary>
    private static GeoPoint Offset(Vec3 centre, double distance, double bearing)
    {
        Vec3 north = new(0, 0, 1);
        Vec3 east = north.Cross(centre);
        east = east.Length < 1e-12 ? new Vec3(0, 1, 0) : east.Normalized();
        Vec3 northward = centre.Cross(east);
        Vec3 dir = Math.Cos(bearing) * northward + Math.Sin(bearing) * east;
        Vec3 p = Math.Cos(distance) * centre + Math.Sin(distance) * dir;
        var g = GeoGrid.FromSphere(p, LatitudeConvention.GeodeticSpherical);
        return new GeoPoint(Math.Clamp(g.Latitude, -90, 90), g.Longitude);
    }
}
