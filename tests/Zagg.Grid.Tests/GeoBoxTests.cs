using Xunit;
using Zagg.Grid.Geometry;

namespace Zagg.Grid.Tests;

public class GeoBoxTests
{
    /// <summary>Whether a position lies in a box, by the box's definition (longitudes east from West, the pole one point).</summary>
    private static bool Holds(GeoBox b, int lat, int lon)
    {
        if (lat < b.South || lat > b.North) return false;
        if (Math.Abs(lat) == 90) return true;
        double span = b.West <= b.East ? b.East - b.West : b.East - b.West + 360;
        double east = ((lon - b.West) % 360 + 360) % 360;
        return span >= 360 || east <= span;
    }

    /// <summary>A box from "west,south,east,north".</summary>
    private static GeoBox Box(string s)
    {
        var v = s.Split(',').Select(x => double.Parse(x, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        return new GeoBox(v[0], v[1], v[2], v[3]);
    }

    private static GeoBox Random(Random rng)
    {
        int s = rng.Next(-90, 91), n = rng.Next(s, 91);
        int w = rng.Next(-180, 360), width = rng.Next(0, 40) == 0 ? 360 : rng.Next(0, 120);
        int e = w + width;
        if (e > 360) e -= 360;
        return new GeoBox(w, s, e, n);
    }

    [Fact]
    public void Intersects_is_what_one_degree_sampling_of_both_boxes_finds()
    {
        var rng = new Random(12);
        int meeting = 0;
        for (int t = 0; t < 3000; t++)
        {
            var a = Random(rng);
            var b = Random(rng);
            bool shared = false;
            for (int lat = -90; lat <= 90 && !shared; lat++)
                for (int lon = -180; lon < 180 && !shared; lon++)
                    shared = Holds(a, lat, lon) && Holds(b, lat, lon);
            Assert.True(shared == a.Intersects(b), $"{a} and {b}: sampling says {shared}");
            Assert.Equal(a.Intersects(b), b.Intersects(a));
            if (shared) meeting++;
        }
        Assert.InRange(meeting, 300, 2700); // both outcomes well represented
    }

    [Theory]
    [InlineData("170,-70,-170,-60", "-175,-65,-174,-64", true)]   // across the antimeridian
    [InlineData("170,-70,-170,-60", "-169,-65,-160,-64", false)]
    [InlineData("-180,-62,180,-61", "10,-64,20,-61.5", true)]      // every longitude
    [InlineData("0,89,10,90", "100,80,110,90", true)]             // both reach the north pole
    [InlineData("0,-70,10,-60", "10,-60,20,-50", true)]           // a shared corner
    [InlineData("0,-70,10,-60", "0,70,10,80", false)]
    [InlineData("350,0,360,10", "-10,5,-9,6", true)]              // longitudes past 180
    public void Cases(string a, string b, bool expected)
    {
        Assert.Equal(expected, Box(a).Intersects(Box(b)));
        Assert.Equal(expected, Box(b).Intersects(Box(a)));
    }
    [Theory]
    [InlineData("0,-80,200,-70", "0,-80,-160,-70")]
    [InlineData("170,-80,190,-70", "170,-80,-170,-70")]
    [InlineData("-180,-90,180,-60", "-180,-90,180,-60")]
    [InlineData("0,-90,360,-60", "-180,-90,180,-60")]
    [InlineData("190,0,200,10", "-170,0,-160,10")]
    [InlineData("180,0,190,10", "-180,0,-170,10")]
    [InlineData("170,-80,-170,-70", "170,-80,-170,-70")]
    public void Longitudes_in_180_keep_the_box(string box, string expected)
    {
        var b = Box(box).WithLongitudesIn180();
        Assert.Equal(Box(expected), b);
        // The same positions: every sampled point is in both or in neither.
        for (int lat = -90; lat <= 90; lat += 5)
            for (int lon = -180; lon < 180; lon += 5)
                Assert.Equal(Holds(Box(box), lat, lon), Holds(b, lat, lon));
    }

    [Theory]
    [InlineData(-180, -90, 180, -60)]
    [InlineData(0, -90, 360, -60)]     // longitudes east of Greenwich, the 0–360 convention
    [InlineData(350, -80, 10, -60)]    // across Greenwich in 0–360, lon_min > lon_max
    [InlineData(170, -80, -170, -60)]  // across the antimeridian
    [InlineData(-10, 89.5, 10, 90)]    // up to the pole
    [InlineData(180, -80, 360, -60)]   // the eastern hemisphere in 0–360
    [InlineData(-180, -80, 0, -60)]    // the western hemisphere
    public void A_box_users_may_write_has_no_problem(double lonMin, double latMin, double lonMax, double latMax)
    {
        Assert.Null(GeoBox.ProblemOf(lonMin, latMin, lonMax, latMax));
        _ = new GeoBox(lonMin, latMin, lonMax, latMax); // and the type takes it
    }

    [Theory]
    [InlineData(double.NaN, 0, 1, 1, "lon_min NaN is not a finite number")]
    [InlineData(0, 0, double.PositiveInfinity, 1, "lon_max Infinity is not a finite number")]
    [InlineData(0, -90.5, 1, 1, "lat_min -90.5 is outside [-90, 90]")]
    [InlineData(0, 0, 1, 91, "lat_max 91 is outside [-90, 90]")]
    [InlineData(-180.5, 0, 1, 1, "lon_min -180.5 is outside [-180, 360]")]
    [InlineData(0, 0, 360.5, 1, "lon_max 360.5 is outside [-180, 360]")]
    [InlineData(0, 10, 1, -10, "lat_min 10 is north of lat_max -10")]
    [InlineData(0, -70, 1, -70, "lat_min and lat_max are both -70: the box has no area")]
    [InlineData(5, -80, 5, -60, "lon_min and lon_max are both 5: the box has no area")]
    [InlineData(180, -80, -180, -60, "lon_min 180 and lon_max -180 are the same meridian: the box has no area")]
    [InlineData(200, -80, -160, -60, "lon_min 200 and lon_max -160 are the same meridian: the box has no area")]
    [InlineData(350, -80, -10, -60, "lon_min 350 and lon_max -10 are the same meridian: the box has no area")]
    public void A_box_that_is_not_one_is_named_by_its_first_broken_rule(double lonMin, double latMin, double lonMax, double latMax, string problem)
        => Assert.Equal(problem, GeoBox.ProblemOf(lonMin, latMin, lonMax, latMax));
}
