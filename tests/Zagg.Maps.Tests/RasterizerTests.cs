using Xunit;
using Zagg.Grid;
using Zagg.Maps.Projections;

namespace Zagg.Maps.Tests;

/// <summary>Cells land at the pixels their positions project to; every pixel takes exactly the cell holding its centre.</summary>
public class RasterizerTests
{
    [Theory]
    [InlineData(LatitudeConvention.Authalic)]
    [InlineData(LatitudeConvention.GeodeticSpherical)]
    public void Known_cells_are_at_the_pixels_their_centres_project_to(LatitudeConvention convention)
    {
        const int order = 8; // cells ~25 km across, pixels 2 km: a cell centre's pixel lies inside the cell
        var positions = new (double Lat, double Lon)[] { (-75, 0), (-80, 45), (-70.5, -120), (-85, 170), (-65, 90), (-89, -10) };
        var cells = new long[positions.Length];
        var values = new float[positions.Length];
        for (int i = 0; i < positions.Length; i++)
        {
            cells[i] = GeoGrid.Locate(positions[i].Lat, positions[i].Lon, order, convention);
            values[i] = 100 + i;
        }
        var cv = new CellValues(order, cells, values);
        var grid = MapGrid.Create(MapProjection.South, new MapBox(-2_800_000, -2_800_000, 2_800_000, 2_800_000), 2000);
        float[] raster = Rasterizer.Rasterize(grid, cv, convention);
        for (int i = 0; i < positions.Length; i++)
        {
            var centre = GeoGrid.Centre(cells[i], order, convention);
            MapProjection.South.Forward(centre.Latitude, centre.Longitude, out double x, out double y);
            Assert.True(grid.TryPixel(x, y, out int c, out int r));
            Assert.Equal(cv.ValueOf(cells[i]), raster[r * grid.Width + c]);
        }
        // The pixel at the projection of (−75°, 0°): x = 0, y = ρ(75°S) = 1 638 783.24 m (PROJ), row (2.8e6 − y)/2000.
        Assert.True(grid.TryPixel(0, 1_638_783.24, out int c0, out int r0));
        Assert.Equal((1400, 580), (c0, r0));
        Assert.Equal(100f, raster[r0 * grid.Width + c0]);
    }

    [Theory]
    [InlineData(3031)]
    [InlineData(3413)]
    [InlineData(4326)]
    public void Each_pixel_takes_the_cell_under_its_centre_computed_one_point_at_a_time(int epsg)
    {
        const int order = 5;
        var projection = epsg == 3031 ? MapProjection.South : epsg == 3413 ? MapProjection.North : (MapProjection)MapProjection.Equirect;
        // Every third cell of the sphere has a value (its id), the others are absent.
        var ids = new List<long>();
        for (long c = 0; c < HealpixNested.CellCount(order); c += 3) ids.Add(c);
        var cv = new CellValues(order, [.. ids], ids.Select(c => (float)c).ToArray());
        var box = epsg == 4326 ? new MapBox(-180, -90, 180, 90) : new MapBox(-4_000_000, -4_000_000, 4_000_000, 4_000_000);
        var grid = MapGrid.Create(projection, box, epsg == 4326 ? 0.5 : 25_000);
        float[] raster = Rasterizer.Rasterize(grid, cv, LatitudeConvention.Authalic);
        int withValue = 0;
        for (int r = 0; r < grid.Height; r++)
            for (int c = 0; c < grid.Width; c++)
            {
                projection.Inverse(grid.X(c), grid.Y(r), out double lat, out double lon);
                long cell = GeoGrid.Locate(lat, lon, order);
                float expected = cell % 3 == 0 ? cell : float.NaN;
                Assert.Equal(expected, raster[r * grid.Width + c]);
                if (!float.IsNaN(expected)) withValue++;
            }
        Assert.InRange(withValue, grid.Width * grid.Height / 4, grid.Width * grid.Height / 2);
    }

    [Fact]
    public void A_raster_off_the_cells_is_all_nodata()
    {
        var cv = new CellValues(4, [0, 1, 2], [1, 2, 3]); // base cell 0: the northern hemisphere
        var grid = MapGrid.Create(MapProjection.South, new MapBox(-1e6, -1e6, 1e6, 1e6), 10_000);
        Assert.All(Rasterizer.Rasterize(grid, cv, LatitudeConvention.Authalic), v => Assert.True(float.IsNaN(v)));
    }

    [Fact]
    public void Cells_given_twice_or_out_of_range_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new CellValues(2, [5, 5], [1, 2]));
        Assert.Throws<ArgumentException>(() => new CellValues(2, [12 * 16], [1]));
        Assert.Throws<ArgumentException>(() => new CellValues(2, [1], [1, 2]));
    }

    [Fact]
    public void A_grid_is_refused_when_empty_or_too_large()
    {
        Assert.Throws<ArgumentException>(() => MapGrid.Create(MapProjection.South, new MapBox(0, 0, 0, 1), 1));
        Assert.Throws<ArgumentException>(() => MapGrid.Create(MapProjection.South, new MapBox(-4e6, -4e6, 4e6, 4e6), 1));
        Assert.Throws<ArgumentException>(() => MapGrid.Create(MapProjection.South, new MapBox(0, 0, 1, 1), -1));
    }
}

public class CellValuesTests
{
    [Theory]
    [InlineData(3, 0)]
    [InlineData(3, 1)]
    [InlineData(7, 5000)]
    [InlineData(12, 200_000)]
    public void Lookup_finds_every_cell_and_only_those(int order, int count)
    {
        var rng = new Random(order * 31 + count);
        long n = Zagg.Grid.HealpixNested.CellCount(order);
        var set = new HashSet<long>();
        while (set.Count < Math.Min(count, n)) set.Add(rng.NextInt64(n));
        long[] ids = [.. set];
        var cv = new CellValues(order, (long[])ids.Clone(), ids.Select(i => (float)(i % 977)).ToArray());
        foreach (long id in ids) Assert.Equal(id % 977, cv.ValueOf(id));
        for (int i = 0; i < 2000; i++)
        {
            long probe = rng.NextInt64(n);
            Assert.Equal(set.Contains(probe), cv.IndexOf(probe) >= 0);
        }
        Assert.Equal(-1, cv.IndexOf(-1));
        Assert.Equal(-1, cv.IndexOf(n));
        Assert.Equal(-1, cv.IndexOf(long.MaxValue));
    }
}
