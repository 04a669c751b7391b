using Zagg.Maps.Projections;

namespace Zagg.Maps;

/// <summary>
/// A raster on a projection: <see cref="Width"/> × <see cref="Height"/> square pixels of <see cref="PixelSize"/>
/// map units, row 0 at the top (north-up in map coordinates). Pixel (column c, row r) covers
/// [Left + c·size, Left + (c+1)·size] × [Top − (r+1)·size, Top − r·size]; it takes the value at its centre.
/// This is GeoTIFF's PixelIsArea raster space (OGC 19-008r4 §7.1.2).
/// </summary>
public sealed record MapGrid
{
    /// <summary>The largest raster <see cref="Create"/> accepts, in pixels (about a 1 GB float32 raster).</summary>
    public const long MaxPixels = 256L * 1024 * 1024;

    private MapGrid(MapProjection projection, double left, double top, double pixelSize, int width, int height)
    {
        Projection = projection;
        Left = left;
        Top = top;
        PixelSize = pixelSize;
        Width = width;
        Height = height;
    }

    /// <summary>The projection of the map coordinates.</summary>
    public MapProjection Projection { get; }

    /// <summary>Map x of the raster's left edge.</summary>
    public double Left { get; }

    /// <summary>Map y of the raster's top edge.</summary>
    public double Top { get; }

    /// <summary>Side of a pixel, in map units (metres, or degrees for plate carrée).</summary>
    public double PixelSize { get; }

    /// <summary>Columns.</summary>
    public int Width { get; }

    /// <summary>Rows.</summary>
    public int Height { get; }

    /// <summary>Map x of the raster's right edge.</summary>
    public double Right => Left + Width * PixelSize;

    /// <summary>Map y of the raster's bottom edge.</summary>
    public double Bottom => Top - Height * PixelSize;

    /// <summary>Map x of the centre of column <paramref name="column"/>.</summary>
    public double X(int column) => Left + (column + 0.5) * PixelSize;

    /// <summary>Map y of the centre of row <paramref name="row"/>.</summary>
    public double Y(int row) => Top - (row + 0.5) * PixelSize;

    /// <summary>The pixel holding a map point, or false when it is outside the raster.</summary>
    public bool TryPixel(double x, double y, out int column, out int row)
    {
        double c = Math.Floor((x - Left) / PixelSize), r = Math.Floor((Top - y) / PixelSize);
        bool inside = c >= 0 && c < Width && r >= 0 && r < Height;
        column = inside ? (int)c : -1;
        row = inside ? (int)r : -1;
        return inside;
    }

    /// <summary>
    /// The raster covering the box [xmin, xmax] × [ymin, ymax] with pixels of <paramref name="pixelSize"/>: the box's
    /// top-left corner is kept, and the size is rounded up to whole pixels.
    /// </summary>
    /// <exception cref="ArgumentException">An empty or non-finite box, a pixel size that is not positive, or more than <see cref="MaxPixels"/> pixels.</exception>
    public static MapGrid Create(MapProjection projection, MapBox box, double pixelSize)
    {
        ArgumentNullException.ThrowIfNull(projection);
        if (!(pixelSize > 0) || !double.IsFinite(pixelSize)) throw new ArgumentException($"pixel size {pixelSize} is not a positive number", nameof(pixelSize));
        if (!box.IsValid) throw new ArgumentException($"box {box} is empty or not finite", nameof(box));
        double w = Math.Ceiling(box.Width / pixelSize - 1e-9), h = Math.Ceiling(box.Height / pixelSize - 1e-9);
        w = Math.Max(w, 1);
        h = Math.Max(h, 1);
        if (w * h > MaxPixels || w > int.MaxValue || h > int.MaxValue)
            throw new ArgumentException($"{w:0}×{h:0} pixels is more than {MaxPixels} pixels; use a coarser resolution or a smaller box", nameof(pixelSize));
        return new MapGrid(projection, box.XMin, box.YMax, pixelSize, (int)w, (int)h);
    }
}

/// <summary>A box in map coordinates: [XMin, XMax] × [YMin, YMax].</summary>
public readonly record struct MapBox(double XMin, double YMin, double XMax, double YMax)
{
    /// <summary>XMax − XMin.</summary>
    public double Width => XMax - XMin;

    /// <summary>YMax − YMin.</summary>
    public double Height => YMax - YMin;

    /// <summary>Finite, with XMax &gt; XMin and YMax &gt; YMin.</summary>
    public bool IsValid => double.IsFinite(XMin) && double.IsFinite(YMin) && double.IsFinite(XMax) && double.IsFinite(YMax) && XMax > XMin && YMax > YMin;

    /// <summary>The box grown by <paramref name="margin"/> on every side.</summary>
    public MapBox Grow(double margin) => new(XMin - margin, YMin - margin, XMax + margin, YMax + margin);

    /// <inheritdoc/>
    public override string ToString() => FormattableString.Invariant($"{XMin},{YMin},{XMax},{YMax}");

    /// <summary>
    /// Parses "xmin,ymin,xmax,ymax" (invariant culture numbers).
    /// </summary>
    /// <returns>False with a reason when the text is not four numbers or the box is empty.</returns>
    public static bool TryParse(string? text, out MapBox box, out string? error)
    {
        box = default;
        var parts = (text ?? "").Split(',', StringSplitOptions.TrimEntries);
        var v = new double[4];
        if (parts.Length != 4) { error = "a box is four numbers: xmin,ymin,xmax,ymax"; return false; }
        for (int i = 0; i < 4; i++)
            if (!double.TryParse(parts[i], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out v[i]))
            {
                error = $"'{parts[i]}' is not a number (a box is xmin,ymin,xmax,ymax)";
                return false;
            }
        box = new MapBox(v[0], v[1], v[2], v[3]);
        if (!box.IsValid) { error = "a box needs xmin < xmax and ymin < ymax"; return false; }
        error = null;
        return true;
    }
}
