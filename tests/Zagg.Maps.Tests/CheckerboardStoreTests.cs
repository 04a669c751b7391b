using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Xunit;
using Zagg.Grid;
using Zagg.Maps.Output;
using Zagg.Maps.Projections;
using Zagg.Pipeline.Output;
using Zagg.Zarr;
using Zagg.Zarr.Stores;

namespace Zagg.Maps.Tests;

/// <summary>
/// A store written with DggsStore whose cells hold a checkerboard (squares of 4×4 cells on each HEALPix face), read
/// back through Zarr, rasterized: the picture is the checkerboard, with no gaps; its GeoTIFF read by GDAL places it.
/// </summary>
public sealed class CheckerboardStoreTests : IAsyncLifetime
{
    private const int ParentOrder = 2, ChildOrder = 6;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "zagg-maps-" + Guid.NewGuid().ToString("N"));

    /// <summary>The checkerboard: 1 where the cell's 4×4 square on its face is "black", else 0.</summary>
    public static float Checker(long nested, int order)
    {
        HealpixNested.Decompose(order, nested, out long ix, out long iy, out _);
        return ((ix >> 2) + (iy >> 2)) % 2;
    }

    public async Task InitializeAsync()
    {
        // The four southern base cells (8–11), full layout: every parent cell of order 2 on them.
        var store = await DggsStore.CreateAsync(new LocalStore(_dir), new DggsTemplate
        {
            ParentOrder = ParentOrder,
            ChildOrder = ChildOrder,
            Layout = DggsLayout.Full,
            Variables = [new DggsVariable("h_mean", ZarrDataType.Float32)],
        });
        int n = 1 << (2 * (ChildOrder - ParentOrder));
        for (long parent = 8 * 16; parent < 12 * 16; parent++)
        {
            var bytes = new byte[n * 4];
            long first = parent << (2 * (ChildOrder - ParentOrder));
            for (int i = 0; i < n; i++) BitConverter.TryWriteBytes(bytes.AsSpan(i * 4), Checker(first + i, ChildOrder));
            await store.WriteCellAsync(parent, 0, new Dictionary<string, byte[]> { ["h_mean"] = bytes });
        }
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    private async Task<(MapGrid Grid, float[] Raster, CellValues Values)> RenderAsync(MapProjection projection, MapBox box, double pixel)
    {
        var store = await DggsStore.OpenAsync(new LocalStore(_dir));
        var data = await DggsCellValues.ReadAsync(store, "h_mean");
        Assert.Equal(64, data.ChunksWritten);
        Assert.Equal(ChildOrder, data.Order);
        var values = new CellValues(data.Order, data.Cells, data.Values);
        var grid = MapGrid.Create(projection, box, pixel);
        return (grid, Rasterizer.Rasterize(grid, values, store.Template.Latitude), values);
    }

    [Fact]
    public async Task The_picture_is_the_checkerboard_without_gaps()
    {
        var (grid, raster, values) = await RenderAsync(MapProjection.South, new MapBox(-5e6, -5e6, 5e6, 5e6), 20_000);
        Assert.Equal(4 * 16 * 256, values.Count);
        int zeros = 0, ones = 0;
        for (int r = 0; r < grid.Height; r++)
            for (int c = 0; c < grid.Width; c++)
            {
                MapProjection.South.Inverse(grid.X(c), grid.Y(r), out double lat, out double lon);
                float v = raster[r * grid.Width + c];
                if (lat < -42) Assert.False(float.IsNaN(v), $"pixel ({c}, {r}) at ({lat:F2}, {lon:F2}) is a gap");
                // The southern base cells are diamonds from the pole to z = −2/3 (their side corners) and the equator (their tips).
                if (lat > 0) Assert.True(float.IsNaN(v), $"pixel ({c}, {r}) at ({lat:F2}, {lon:F2}) is north of the southern faces");
                if (float.IsNaN(v)) continue;
                Assert.Equal(Checker(GeoGrid.Locate(lat, lon, ChildOrder), ChildOrder), v);
                if (v == 0) zeros++; else ones++;
            }
        // Both colours, in about equal parts.
        Assert.InRange(zeros / (double)(zeros + ones), 0.4, 0.6);
    }

    [Fact]
    public async Task The_picture_in_plate_carree_too()
    {
        var (grid, raster, _) = await RenderAsync(MapProjection.Equirect, new MapBox(-180, -90, 180, -30), 0.25);
        for (int r = 0; r < grid.Height; r++)
            for (int c = 0; c < grid.Width; c++)
            {
                float v = raster[r * grid.Width + c];
                double lat = grid.Y(r), lon = grid.X(c);
                if (lat < -42) Assert.Equal(Checker(GeoGrid.Locate(lat, lon, ChildOrder), ChildOrder), v);
            }
    }

    [Fact]
    public async Task The_PNG_draws_the_cells_in_the_colormap_and_the_rest_transparent()
    {
        var (grid, raster, _) = await RenderAsync(MapProjection.South, new MapBox(-9e6, -9e6, 9e6, 9e6), 30_000);
        Assert.True(Colormap.TryGet("viridis", out var viridis));
        using var ms = new MemoryStream();
        MapImage.WritePng(ms, grid, raster, new MapStyle(viridis, 0, 1, "h_mean", "m", Graticule: false));
        ms.Position = 0;
        using var image = SixLabors.ImageSharp.Image.Load<SixLabors.ImageSharp.PixelFormats.Rgba32>(ms);
        Assert.True(image.Width > grid.Width, "a colour-bar panel on the right");
        int checkedPixels = 0;
        for (int r = 0; r < grid.Height; r += 7)
            for (int c = 0; c < grid.Width; c += 7)
            {
                var px = image[c, r];
                float v = raster[r * grid.Width + c];
                if (float.IsNaN(v)) { if (px.A == 0) checkedPixels++; continue; }
                var (red, green, blue) = viridis[v == 0 ? 0 : 255];
                Assert.Equal((red, green, blue), (px.R, px.G, px.B));
                checkedPixels++;
            }
        Assert.True(checkedPixels > grid.Width * grid.Height / 49 / 2);
    }

    public static bool HaveGdal => File.Exists("/usr/bin/gdalinfo") && File.Exists("/usr/bin/gdallocationinfo");

    [Theory]
    [InlineData(3031)]
    [InlineData(4326)]
    public async Task GDAL_reads_the_GeoTIFF_at_the_right_coordinates_with_the_right_values(int epsg)
    {
        if (!HaveGdal)
        {
            Assert.True(Environment.GetEnvironmentVariable("CI") != "true", "gdal-bin is missing under CI (.ci/run installs it)");
            return; // skipped: gdal-bin (gdalinfo, gdallocationinfo) is not installed
        }
        var projection = epsg == 3031 ? (MapProjection)MapProjection.South : MapProjection.Equirect;
        var (grid, raster, _) = epsg == 3031
            ? await RenderAsync(projection, new MapBox(-3e6, -2.5e6, 3.2e6, 3e6), 50_000)
            : await RenderAsync(projection, new MapBox(-180, -90, 180, -40), 0.5);
        string file = Path.Combine(_dir, $"map{epsg}.tif");
        using (var f = File.Create(file)) GeoTiffWriter.Write(f, grid, raster);

        var info = JsonNode.Parse(Run("gdalinfo", "-json", file))!;
        Assert.Equal(grid.Width, info["size"]![0]!.GetValue<int>());
        Assert.Equal(grid.Height, info["size"]![1]!.GetValue<int>());
        var gt = info["geoTransform"]!.AsArray().Select(n => n!.GetValue<double>()).ToArray();
        Assert.Equal([grid.Left, grid.PixelSize, 0, grid.Top, 0, -grid.PixelSize], gt);
        string wkt = info["coordinateSystem"]!["wkt"]!.GetValue<string>();
        Assert.Contains($"ID[\"EPSG\",{epsg}]]", wkt.Replace("\n", "").Replace(" ", ""));
        var band = info["bands"]![0]!;
        Assert.Equal("Float32", band["type"]!.GetValue<string>());
        Assert.Equal("NaN", band["noDataValue"]!.ToString());

        // Values at map coordinates (pixel centres and points inside pixels), as GDAL locates them.
        var rng = new Random(3);
        for (int i = 0; i < 12; i++)
        {
            int c = rng.Next(grid.Width), r = rng.Next(grid.Height);
            double x = grid.X(c) + (rng.NextDouble() - 0.5) * 0.9 * grid.PixelSize, y = grid.Y(r) + (rng.NextDouble() - 0.5) * 0.9 * grid.PixelSize;
            string text = Run("gdallocationinfo", "-valonly", "-geoloc", file, x.ToString("R", CultureInfo.InvariantCulture), y.ToString("R", CultureInfo.InvariantCulture)).Trim();
            float expected = raster[r * grid.Width + c];
            if (float.IsNaN(expected)) Assert.Equal("nan", text.ToLowerInvariant());
            else Assert.Equal(expected, float.Parse(text, CultureInfo.InvariantCulture));
        }
    }

    private static string Run(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo("/usr/bin/" + tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd();
        string error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{tool} {string.Join(' ', args)}: exit {p.ExitCode}: {error}");
        return output;
    }
}
