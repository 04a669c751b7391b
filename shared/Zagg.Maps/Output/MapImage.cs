using System.Globalization;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Zagg.Maps.Projections;

namespace Zagg.Maps.Output;

/// <summary>
/// A raster as a picture: the cells in colour (no value: transparent), the graticule over them, a scale bar
/// at the bottom left, and a colour bar with the variable's name and units in a panel on the right. PNG through
/// SixLabors.ImageSharp; the drawing (lines, text in <see cref="PixelFont"/>) is ours.
/// </summary>
public static class MapImage
{
    private static readonly Rgba32 Panel = new(255, 255, 255, 255);
    private static readonly Rgba32 Ink = new(20, 20, 20, 255);
    private static readonly Rgba32 GridInk = new(90, 90, 90, 150);

    /// <summary>Draws the map into a new image (the caller disposes it).</summary>
    /// <exception cref="ArgumentException">The raster's length is not Width × Height.</exception>
    public static Image<Rgba32> Compose(MapGrid grid, ReadOnlySpan<float> raster, MapStyle style)
    {
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(style);
        int w = grid.Width, h = grid.Height;
        if (raster.Length != (long)w * h) throw new ArgumentException($"the raster holds {raster.Length} values, the grid {w}×{h}", nameof(raster));
        int s = Math.Max(w, h) >= 900 ? 2 : 1;
        string title = style.Units is { Length: > 0 } u ? $"{style.Title} ({u})" : style.Title;
        string[] ticks = Ticks(style.Hi, (style.Lo + style.Hi) / 2, style.Lo);
        int barWidth = 16 * s, pad = 8 * s;
        int tickWidth = 0;
        foreach (string t in ticks) tickWidth = Math.Max(tickWidth, PixelFont.Measure(t, s));
        int panel = Math.Max(Math.Max(PixelFont.Measure(title, s), barWidth + 4 * s + tickWidth), 120 * s) + 2 * pad;
        int barHeight = Math.Clamp(h - 2 * pad - PixelFont.LineHeight * s - pad, 64 * s, 256 * s);
        int scaleHeight = 2 * PixelFont.LineHeight * s + 6 * s + pad;
        int cw = w + panel, ch = Math.Max(h, barHeight + PixelFont.LineHeight * s + 4 * pad + scaleHeight);
        var canvas = new Canvas(cw, ch);

        var cmap = style.Colormap;
        for (int r = 0; r < h; r++)
        {
            var src = raster.Slice(r * w, w);
            var dst = canvas.Pixels.AsSpan(r * cw, w);
            for (int c = 0; c < w; c++)
            {
                float v = src[c];
                if (float.IsNaN(v)) continue;
                var (red, green, blue) = cmap[Colormap.Index(v, style.Lo, style.Hi)];
                dst[c] = new Rgba32(red, green, blue, 255);
            }
        }
        if (style.Graticule) DrawGraticule(canvas, grid);

        // The panel: title, colour bar, ticks at its top, middle and bottom.
        canvas.Fill(w, 0, panel, ch, Panel);
        int x0 = w + pad, y0 = pad;
        canvas.Text(title, x0, y0, s, Ink);
        int barTop = y0 + PixelFont.LineHeight * s + pad / 2;
        for (int y = 0; y < barHeight; y++)
        {
            var (red, green, blue) = cmap[255 - y * 256 / barHeight];
            canvas.Fill(x0, barTop + y, barWidth, 1, new Rgba32(red, green, blue, 255));
        }
        canvas.Rectangle(x0 - 1, barTop - 1, barWidth + 2, barHeight + 2, Ink);
        int[] tickY = [barTop, barTop + barHeight / 2, barTop + barHeight - 1];
        for (int i = 0; i < 3; i++)
        {
            canvas.Fill(x0 + barWidth, tickY[i], 3 * s, s, Ink);
            canvas.Text(ticks[i], x0 + barWidth + 4 * s, Math.Clamp(tickY[i] - PixelFont.GlyphHeight * s / 2, 0, ch - PixelFont.LineHeight * s), s, Ink);
        }
        DrawScaleBar(canvas, grid, x0, ch - scaleHeight, panel - 2 * pad, s);
        return Image.LoadPixelData<Rgba32>(canvas.Pixels, cw, ch);
    }

    /// <summary>Writes the map as PNG to a stream.</summary>
    public static void WritePng(Stream output, MapGrid grid, ReadOnlySpan<float> raster, MapStyle style)
    {
        using var image = Compose(grid, raster, style);
        image.Save(output, new SixLabors.ImageSharp.Formats.Png.PngEncoder());
    }

    /// <summary>Only the cells: each pixel in its colour, no value transparent; no graticule or legend (a viewer's layer).</summary>
    /// <exception cref="ArgumentException">The raster's length is not Width × Height.</exception>
    public static void WriteCellsPng(Stream output, MapGrid grid, ReadOnlySpan<float> raster, Colormap colormap, float lo, float hi)
    {
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(colormap);
        int w = grid.Width, h = grid.Height;
        if (raster.Length != (long)w * h) throw new ArgumentException($"the raster holds {raster.Length} values, the grid {w}×{h}", nameof(raster));
        var pixels = new Rgba32[raster.Length];
        for (int i = 0; i < raster.Length; i++)
        {
            float v = raster[i];
            if (float.IsNaN(v)) continue;
            var (red, green, blue) = colormap[Colormap.Index(v, lo, hi)];
            pixels[i] = new Rgba32(red, green, blue, 255);
        }
        using var image = Image.LoadPixelData<Rgba32>(pixels, w, h);
        image.Save(output, new SixLabors.ImageSharp.Formats.Png.PngEncoder());
    }

    /// <summary>A value for a tick label: four significant digits, invariant culture.</summary>
    public static string Format(float v) => v.ToString("G4", CultureInfo.InvariantCulture);

    /// <summary>
    /// The colour bar's three labels (top, middle, bottom): four significant digits, or as many more (up to float32's
    /// nine) as it takes for different values to read differently — a range of 1,861.8 to 1,863.1 is not
    /// "1862 / 1862 / 1863".
    /// </summary>
    public static string[] Ticks(float hi, float mid, float lo)
    {
        int values = new HashSet<float> { hi, mid, lo }.Count;
        for (int digits = 4; ; digits++)
        {
            string format = "G" + digits.ToString(CultureInfo.InvariantCulture);
            string[] t = [hi.ToString(format, CultureInfo.InvariantCulture), mid.ToString(format, CultureInfo.InvariantCulture), lo.ToString(format, CultureInfo.InvariantCulture)];
            // As many different labels as different values: no two values read alike.
            if (new HashSet<string>(t).Count == values || digits == 9) return t;
        }
    }

    private static void DrawGraticule(Canvas canvas, MapGrid grid)
    {
        var p = grid.Projection;
        double extent = Math.Max(grid.Width, grid.Height) * grid.PixelSize;
        if (p is PolarStereographic polar)
        {
            double sign = polar.IsSouth ? -1 : 1;
            double latStep = extent > 4_000_000 ? 10 : extent > 1_000_000 ? 5 : 1;
            double lonStep = extent > 1_000_000 ? 30 : 10;
            for (double a = latStep; a < 90; a += latStep) DrawParallel(canvas, grid, sign * (90 - a));
            for (double lon = -180; lon < 180; lon += lonStep) Meridian(canvas, grid, lon, polar.IsSouth ? -90 : 0, polar.IsSouth ? 0 : 90);
        }
        else
        {
            double step = NiceStep(extent / 6, [1, 2, 5, 10, 15, 30, 45, 90]);
            for (double lat = -90 + step; lat < 90; lat += step) DrawParallel(canvas, grid, lat);
            for (double lon = -180; lon <= 180; lon += step) Meridian(canvas, grid, lon, -90, 90);
        }
    }

    private static void DrawParallel(Canvas canvas, MapGrid grid, double lat)
    {
        var p = grid.Projection;
        int n;
        if (p is PolarStereographic)
        {
            // A circle about the pole: skip it when it misses the raster, else sample it under half a pixel apart.
            p.Forward(lat, 0, out double x, out double y);
            double rho = Math.Sqrt(x * x + y * y);
            double dx = Math.Max(0, Math.Max(grid.Left, -grid.Right)), dy = Math.Max(0, Math.Max(grid.Bottom, -grid.Top));
            double near = grid.Left <= 0 && grid.Right >= 0 && grid.Bottom <= 0 && grid.Top >= 0 ? 0 : Math.Sqrt(dx * dx + dy * dy);
            double fx = Math.Max(Math.Abs(grid.Left), Math.Abs(grid.Right)), fy = Math.Max(Math.Abs(grid.Top), Math.Abs(grid.Bottom));
            if (rho < near || rho > Math.Sqrt(fx * fx + fy * fy)) return;
            n = (int)Math.Clamp(2 * Math.PI * rho / grid.PixelSize * 2, 64, 2_000_000);
        }
        else
        {
            if (lat < grid.Bottom || lat > grid.Top) return;
            n = (int)Math.Clamp(360 / grid.PixelSize * 2, 64, 2_000_000);
        }
        for (int i = 0; i <= n; i++) Plot(canvas, grid, lat, -180 + 360.0 * i / n);
    }

    private static void Meridian(Canvas canvas, MapGrid grid, double lon, double latFrom, double latTo)
    {
        grid.Projection.Forward(latFrom, lon, out double x0, out double y0);
        grid.Projection.Forward(latTo, lon, out double x1, out double y1);
        if (grid.Projection is PlateCarree && (lon < grid.Left || lon > grid.Right)) return;
        double length = (Math.Abs(x1 - x0) + Math.Abs(y1 - y0)) / grid.PixelSize;
        int n = (int)Math.Clamp(double.IsFinite(length) ? length * 2 : 4096, 64, 2_000_000);
        for (int i = 0; i <= n; i++) Plot(canvas, grid, latFrom + (latTo - latFrom) * i / n, lon);
    }

    private static void Plot(Canvas canvas, MapGrid grid, double lat, double lon)
    {
        grid.Projection.Forward(lat, lon, out double x, out double y);
        if (grid.TryPixel(x, y, out int c, out int r)) canvas.Blend(c, r, GridInk);
    }

    /// <summary>A scale bar at most <paramref name="room"/> pixels long with its length above it, top-left at (x, y).</summary>
    private static void DrawScaleBar(Canvas canvas, MapGrid grid, int x, int y, int room, int s)
    {
        bool metres = grid.Projection.Units == MapUnits.Metres;
        double length = NiceStep(room * grid.PixelSize, [1, 2, 5]);
        int px = (int)Math.Round(length / grid.PixelSize);
        if (px < 2) return;
        string label = metres
            ? length >= 1000 ? $"{(length / 1000).ToString("0.###", CultureInfo.InvariantCulture)} km" : $"{length.ToString("0.###", CultureInfo.InvariantCulture)} m"
            : $"{length.ToString("0.###", CultureInfo.InvariantCulture)}°";
        canvas.Text(label, x, y, s, Ink);
        int barY = y + PixelFont.LineHeight * s + 2 * s;
        canvas.Fill(x, barY, px, 2 * s, Ink);
        canvas.Fill(x, barY - 2 * s, s, 4 * s, Ink);
        canvas.Fill(x + px - s, barY - 2 * s, s, 4 * s, Ink);
        if (grid.Projection is PolarStereographic ps)
            canvas.Text($"true at {Math.Abs(ps.StandardParallel)}°{(ps.IsSouth ? "S" : "N")}", x, barY + 4 * s, s, Ink);
    }

    /// <summary>The largest m·10^k (m from <paramref name="mantissas"/>, or the largest of them when they are not powers-of-ten based) not above the target.</summary>
    private static double NiceStep(double target, double[] mantissas)
    {
        if (mantissas[^1] > 10)
        {
            double best = mantissas[0];
            foreach (double m in mantissas) if (m <= target) best = m;
            return best;
        }
        double p = Math.Pow(10, Math.Floor(Math.Log10(target)));
        double result = p;
        foreach (double m in mantissas) if (m * p <= target) result = m * p;
        return result;
    }

    /// <summary>An RGBA pixel buffer with the few drawing operations a map needs.</summary>
    private sealed class Canvas(int width, int height)
    {
        public readonly Rgba32[] Pixels = new Rgba32[checked(width * height)];

        public void Fill(int x, int y, int w, int h, Rgba32 colour)
        {
            int x1 = Math.Min(x + w, width), y1 = Math.Min(y + h, height);
            for (int r = Math.Max(y, 0); r < y1; r++)
                for (int c = Math.Max(x, 0); c < x1; c++)
                    if (colour.A == 255) Pixels[r * width + c] = colour;
                    else Blend(c, r, colour);
        }

        public void Rectangle(int x, int y, int w, int h, Rgba32 colour)
        {
            Fill(x, y, w, 1, colour);
            Fill(x, y + h - 1, w, 1, colour);
            Fill(x, y, 1, h, colour);
            Fill(x + w - 1, y, 1, h, colour);
        }

        public void Text(string text, int x, int y, int scale, Rgba32 colour)
            => PixelFont.Draw(text, x, y, scale, (px, py) =>
            {
                if ((uint)px < (uint)width && (uint)py < (uint)height) Pixels[py * width + px] = colour;
            });

        /// <summary>"Over" compositing of a translucent colour onto the pixel.</summary>
        public void Blend(int x, int y, Rgba32 src)
        {
            ref var dst = ref Pixels[y * width + x];
            float a = src.A / 255f, b = dst.A / 255f;
            float outA = a + b * (1 - a);
            if (outA <= 0) return;
            dst = new Rgba32(
                (byte)Math.Round((src.R * a + dst.R * b * (1 - a)) / outA),
                (byte)Math.Round((src.G * a + dst.G * b * (1 - a)) / outA),
                (byte)Math.Round((src.B * a + dst.B * b * (1 - a)) / outA),
                (byte)Math.Round(outA * 255));
        }
    }
}
