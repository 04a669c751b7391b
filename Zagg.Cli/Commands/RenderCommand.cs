using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Zagg.Maps;
using Zagg.Maps.Output;
using Zagg.Maps.Projections;
using Zagg.Pipeline.Output;
using Zagg.Zarr;
using Zagg.Zarr.Stores;

namespace Zagg.Cli.Commands;

/// <summary><c>zagg render STORE</c>: one variable of a DGGS store as a map (PNG with legend, or GeoTIFF).</summary>
internal static class RenderCommand
{
    /// <summary>The variable drawn when none is named and the store has it.</summary>
    public const string DefaultVariable = "h_mean";

    public static Command Build(CliConsole console)
    {
        var store = new Argument<string>("STORE") { Description = "A store: a path, file://… or s3://bucket/prefix." };
        var variable = new Option<string?>("--variable") { Description = $"The variable to draw (default: {DefaultVariable} if the store has it, else its first).", HelpName = "NAME" };
        var order = new Option<int?>("--order") { Description = "The HEALPix order (pyramid level) to draw (default: the finest the store holds).", HelpName = "K" };
        var projection = new Option<string?>("--projection") { Description = $"{MapProjection.Names} (default: from the cells' latitudes).", HelpName = "NAME" };
        var resolution = new Option<string?>("--resolution") { Description = "Pixel size: 2km, 500m, 0.05deg (default: 2 km, kept between 512 and 4096 pixels a side).", HelpName = "SIZE" };
        var bbox = new Option<string?>("--bbox") { Description = "xmin,ymin,xmax,ymax in the projection's units (metres; degrees for equirect) (default: the cells' extent).", HelpName = "BOX" };
        var colormap = new Option<string>("--colormap") { Description = $"{string.Join(", ", Colormap.Names)}.", DefaultValueFactory = _ => "viridis", HelpName = "NAME" };
        var range = new Option<string?>("--range") { Description = "lo,hi: the values of the first and last colour (default: the 2nd and 98th percentiles).", HelpName = "LO,HI" };
        var output = new Option<string?>("--out", "-o") { Description = "The file: .png (map with colour bar, scale bar, graticule) or .tif (GeoTIFF, float32, nodata NaN) (default: VARIABLE.png).", HelpName = "FILE" };
        var cmd = new Command("render", "Draw one variable of a store as a map: each pixel takes the value of the cell holding its centre (polar stereographic EPSG:3031/3413 or plate carrée).")
        {
            store, variable, order, projection, resolution, bbox, colormap, range, output,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            var request = new RenderRequest
            {
                Store = parse.GetValue(store)!,
                Variable = parse.GetValue(variable),
                Order = parse.GetValue(order),
                Projection = parse.GetValue(projection),
                Resolution = parse.GetValue(resolution),
                Box = parse.GetValue(bbox),
                Colormap = parse.GetValue(colormap)!,
                Range = parse.GetValue(range),
                Out = parse.GetValue(output),
            };
            var result = await RenderAsync(request, ct);
            console.Out.WriteLine(result.Summary);
            return 0;
        });
        return cmd;
    }

    /// <summary>What <c>zagg render</c> was asked.</summary>
    internal sealed record RenderRequest
    {
        public required string Store { get; init; }
        public string? Variable { get; init; }
        public int? Order { get; init; }
        public string? Projection { get; init; }
        public string? Resolution { get; init; }
        public string? Box { get; init; }
        public string Colormap { get; init; } = "viridis";
        public string? Range { get; init; }
        public string? Out { get; init; }
    }

    /// <summary>What was drawn, and the line that says so.</summary>
    internal sealed record RenderResult(string Path, MapGrid Grid, int CellsDrawn, string Summary);

    /// <summary>Checks every option, reads the cells, draws and writes the file (whole or not at all).</summary>
    /// <exception cref="CliException">Any wrong input: no such store, variable, order, projection, colormap; a bad box, range or size.</exception>
    internal static async Task<RenderResult> RenderAsync(RenderRequest r, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        if (!Zagg.Maps.Colormap.TryGet(r.Colormap, out var cmap))
            throw new CliException($"--colormap {r.Colormap}: no such colormap (one of {string.Join(", ", Zagg.Maps.Colormap.Names)})");
        MapProjection? projection = null;
        if (r.Projection is not null && !MapProjection.TryParse(r.Projection, out projection))
            throw new CliException($"--projection {r.Projection}: not a projection (one of {MapProjection.Names})");
        (float Lo, float Hi)? range = r.Range is null ? null : ParseRange(r.Range);
        string? outPath = r.Out;
        bool tiff = false;
        if (outPath is not null)
        {
            string ext = Path.GetExtension(outPath).ToLowerInvariant();
            tiff = ext is ".tif" or ".tiff";
            if (!tiff && ext != ".png") throw new CliException($"--out {outPath}: the file must end in .png or .tif");
        }

        DggsStore dggs;
        IZarrStore zarr;
        try
        {
            zarr = ZarrStores.Open(r.Store);
            dggs = await DggsStore.OpenAsync(zarr, ct);
        }
        catch (Exception e) when (e is ZarrException or ArgumentException) { throw new CliException(e.Message); }
        if (r.Order is int k)
        {
            // A pyramid's level: a DGGS group of its own (DggsStore.Levels).
            if (!dggs.Levels.TryGetValue(k, out var level))
                throw new CliException($"--order {k}: {dggs.Store.Name} holds order{(dggs.Levels.Count > 1 ? "s" : "")} {string.Join(", ", dggs.Levels.Keys)}");
            dggs = level;
        }
        string name = r.Variable
            ?? (dggs.Template.Variables.Any(v => v.Name == DefaultVariable) ? DefaultVariable : dggs.Template.Variables.FirstOrDefault()?.Name)
            ?? throw new CliException($"{dggs.Store.Name} has no variables to draw");
        DggsVariableCells data;
        try { data = await DggsCellValues.ReadAsync(dggs, name, ct); }
        catch (ArgumentException e) { throw new CliException(e.Message); }
        catch (ZarrException e) { throw new CliException(e.Message); }
        var values = new CellValues(data.Order, data.Cells, data.Values);
        var convention = dggs.Template.Latitude;

        projection ??= MapLayout.DefaultProjection(values, convention);
        MapBox box;
        if (r.Box is not null)
        {
            if (!MapBox.TryParse(r.Box, out box, out string? why)) throw new CliException($"--bbox {r.Box}: {why}");
        }
        else box = MapLayout.Extent(values, projection, convention)
            ?? throw new CliException($"{dggs.Store.Name}: variable '{name}' has no cell with a value yet ({data.ChunksWritten} chunks written); give --bbox to draw an empty map");
        double pixel;
        if (r.Resolution is not null)
        {
            if (!MapLayout.TryParseResolution(r.Resolution, projection, out pixel, out string? why)) throw new CliException($"--resolution {r.Resolution}: {why}");
        }
        else pixel = MapLayout.DefaultPixelSize(box, projection);
        MapGrid grid;
        try { grid = MapGrid.Create(projection, box, pixel); }
        catch (ArgumentException e) { throw new CliException($"--bbox/--resolution: {e.Message.Split(" (Parameter")[0]}"); }

        float[] raster = Rasterizer.Rasterize(grid, values, convention);
        var (lo, hi) = range ?? ValueRange.Percentiles(data.Values);
        if (float.IsNaN(lo)) (lo, hi) = (0, 1);
        int drawn = 0;
        foreach (float v in raster) if (!float.IsNaN(v)) drawn++;

        outPath ??= $"{name}.png";
        using (var file = new OutputFile(outPath))
        {
            if (tiff) GeoTiffWriter.Write(file.Stream, grid, raster);
            else MapImage.WritePng(file.Stream, grid, raster, new MapStyle(cmap, lo, hi, name, data.Units));
            file.Commit();
        }
        string summary = string.Create(CultureInfo.InvariantCulture,
            $"{Path.GetFullPath(outPath)}: {name} at order {data.Order}, {grid.Width}×{grid.Height} px of {FormatSize(grid)} on {projection.Name}, {drawn} px with a value, range {MapImage.Format(lo)}–{MapImage.Format(hi)}, {watch.Elapsed.TotalSeconds:F2} s");
        return new RenderResult(Path.GetFullPath(outPath), grid, drawn, summary);
    }

    private static (float, float) ParseRange(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length != 2
            || !float.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out float lo)
            || !float.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out float hi)
            || !float.IsFinite(lo) || !float.IsFinite(hi) || !(hi > lo))
            throw new CliException($"--range {text}: give lo,hi with lo < hi");
        return (lo, hi);
    }

    private static string FormatSize(MapGrid g) => g.Projection.Units == MapUnits.Metres
        ? (g.PixelSize >= 1000 ? $"{g.PixelSize / 1000:0.###} km" : $"{g.PixelSize:0.###} m")
        : $"{g.PixelSize:0.#####}°";
}
