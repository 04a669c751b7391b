using System.Buffers;
using Zagg.Grid;

namespace Zagg.Maps;

/// <summary>
/// Cells onto a raster: each pixel's centre → inverse projection → latitude/longitude → the HEALPix NESTED cell
/// at the values' order under the store's latitude convention → that cell's value (<see cref="CellValues.IndexOf"/>). Every pixel takes exactly one
/// cell (the one holding its centre), so the map has no gaps and counts no cell twice within a pixel; a pixel
/// whose cell is absent, or off the projection's domain, is NaN (drawn transparent, GDAL's nodata).
/// </summary>
public static class Rasterizer
{
    /// <summary>Rasterizes into a new float32 raster, row-major, row 0 at the top.</summary>
    /// <param name="grid">The raster.</param>
    /// <param name="values">The cells and their values.</param>
    /// <param name="convention">How the cells' sphere relates to geodetic latitude (the store's convention).</param>
    /// <returns>Width × Height values; NaN where no cell value falls.</returns>
    public static float[] Rasterize(MapGrid grid, CellValues values, LatitudeConvention convention)
    {
        var raster = new float[checked(grid.Width * grid.Height)];
        Rasterize(grid, values, convention, raster);
        return raster;
    }

    /// <summary>Rasterizes into <paramref name="raster"/> (Width × Height values, row-major), rows in parallel.</summary>
    /// <exception cref="ArgumentException"><paramref name="raster"/> is not Width × Height long.</exception>
    public static void Rasterize(MapGrid grid, CellValues values, LatitudeConvention convention, float[] raster)
    {
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(values);
        if (raster.Length != (long)grid.Width * grid.Height) throw new ArgumentException($"the raster holds {raster.Length} values, the grid {grid.Width}×{grid.Height}", nameof(raster));
        Parallel.For(0, grid.Height,
            () => new RowBuffers(grid.Width),
            (row, _, buffers) =>
            {
                RasterizeRow(grid, values, convention, row, raster.AsSpan(row * grid.Width, grid.Width), buffers);
                return buffers;
            },
            buffers => buffers.Dispose());
    }

    private static void RasterizeRow(MapGrid grid, CellValues values, LatitudeConvention convention, int row, Span<float> output, RowBuffers b)
    {
        int w = grid.Width;
        Span<double> lat = b.Latitude.AsSpan(0, w), lon = b.Longitude.AsSpan(0, w);
        Span<long> cells = b.Cells.AsSpan(0, w);
        grid.Projection.InverseRow(grid.X(0), grid.PixelSize, grid.Y(row), lat, lon);
        GeoGrid.Locate(lat, lon, values.Order, convention, cells);
        ReadOnlySpan<float> v = values.Values;
        // Neighbouring pixels mostly fall in the same cell: remember the last one found.
        long lastCell = long.MinValue;
        float lastValue = float.NaN;
        for (int i = 0; i < w; i++)
        {
            long c = cells[i];
            if (c != lastCell)
            {
                lastCell = c;
                int k = values.IndexOf(c);
                lastValue = k >= 0 ? v[k] : float.NaN;
            }
            output[i] = lastValue;
        }
    }

    private sealed class RowBuffers(int width) : IDisposable
    {
        public readonly double[] Latitude = ArrayPool<double>.Shared.Rent(width);
        public readonly double[] Longitude = ArrayPool<double>.Shared.Rent(width);
        public readonly long[] Cells = ArrayPool<long>.Shared.Rent(width);

        public void Dispose()
        {
            ArrayPool<double>.Shared.Return(Latitude);
            ArrayPool<double>.Shared.Return(Longitude);
            ArrayPool<long>.Shared.Return(Cells);
        }
    }
}
