using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Zagg.Grid;
using Zagg.Maps;
using Zagg.Maps.Output;
using Zagg.Maps.Projections;
using Zagg.Pipeline.Output;
using Zagg.Zarr.Stores;

namespace Zagg.Cli.Viewing;

/// <summary>
/// <c>zagg view</c>'s web server on 127.0.0.1: the page (ours, embedded, nothing fetched from elsewhere) and the
/// endpoints it calls. Projection and rasterizing are server-side with Zagg.Maps — the one implementation, the
/// same as <c>zagg render</c>'s: the page asks for the picture of its current view and for the cell under the mouse.
/// <list type="bullet">
/// <item><c>GET /api/info</c>: store, levels, variables, latitude convention, default projection and box.</item>
/// <item><c>GET /api/map.png?variable=&amp;projection=&amp;x0=&amp;y0=&amp;x1=&amp;y1=&amp;width=&amp;height=[&amp;order=]</c>: the view's
/// cells in colour (no value: transparent) at the pyramid level chosen by zoom (<see cref="LevelFor"/>) or asked;
/// headers X-Zagg-Lo/Hi (colour range), X-Zagg-Chunks (parent cells written), X-Zagg-Cells, X-Zagg-Order (the level drawn).</item>
/// <item><c>GET /api/cell?projection=&amp;x=&amp;y=[&amp;order=]</c>: the cell at a map point at a level (default the finest): NESTED id, morton word, every variable as a number (null for fill) and as <c>zagg inspect --cell</c> prints it ("text"; <see cref="DggsCellReader"/>).</item>
/// <item><c>GET /api/progress?variable=</c>: parent cells (chunks) drawn and expected, the store's variables and levels so far; reads chunks that landed since.</item>
/// </list>
/// The store may be mid-run (<see cref="LiveStore"/>): a template still being written (no variable yet: nothing drawn,
/// 0 chunks), arrays and levels that appear later. A missing or empty <c>variable</c> is the default one (h_mean, else
/// the first); one the store does not hold is 404.
/// <list type="bullet">
/// <item><c>GET /api/colormap</c>: viridis's 256 colours (for the page's colour bar).</item>
/// </list>
/// </summary>
internal sealed class ViewerServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ViewerServer(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>The page's address, e.g. http://127.0.0.1:5180/.</summary>
    public Uri Url { get; }

    /// <summary>Serves a store on 127.0.0.1 (port 0: any free one).</summary>
    public static async Task<ViewerServer> StartAsync(DggsStore store, int port, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        // One watch per level of a pyramid (the finest is the store itself), following the store as a run writes it.
        Map(app, new LiveStore(store));
        await app.StartAsync(ct).ConfigureAwait(false);
        var address = app.Urls.First();
        return new ViewerServer(app, new Uri(address.EndsWith('/') ? address : address + "/"));
    }

    /// <summary>Waits until the server stops (Ctrl+C or cancellation).</summary>
    public Task WaitAsync(CancellationToken ct) => _app.WaitForShutdownAsync(ct);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// The level to draw for a view of <paramref name="pixel"/> metres a pixel: the order whose cells are closest to
    /// 1.5 pixels across (HEALPix cells of order k are √(π/3)·R/2^k wide, R the authalic radius), among
    /// <paramref name="orders"/>: a coarser level when zoomed out, the finest when zoomed in.
    /// </summary>
    internal static int LevelFor(IEnumerable<int> orders, double pixel)
    {
        const double Radius = 6_371_007.2;
        int best = -1;
        double bestDistance = double.PositiveInfinity;
        foreach (int k in orders)
        {
            double cell = Radius * Math.Sqrt(Math.PI / 3) / Math.Pow(2, k);
            double distance = Math.Abs(Math.Log2(cell / (1.5 * pixel)));
            if (distance < bestDistance) (best, bestDistance) = (k, distance);
        }
        return best;
    }

    private static void Map(WebApplication app, LiveStore live)
    {
        string page = ReadPage();
        app.MapGet("/", () => Results.Content(page, "text/html; charset=utf-8"));
        app.MapGet("/api/info", async (CancellationToken ct) =>
        {
            var view = await live.CurrentAsync(ct).ConfigureAwait(false);
            var store = view.Store;
            var t = store.Template;
            string? first = DefaultVariable(t);
            var layer = first is null ? null : await view.Finest.RefreshAsync(first, ct).ConfigureAwait(false);
            var projection = layer is null || layer.Values.Count == 0 ? MapProjection.South : MapLayout.DefaultProjection(layer.Values, t.Latitude);
            var box = layer is null ? null : MapLayout.Extent(layer.Values, projection, t.Latitude);
            box ??= projection is PlateCarree ? new MapBox(-180, -90, 180, 90) : new MapBox(-3e6, -3e6, 3e6, 3e6);
            return Results.Json(new JsonObject
            {
                ["store"] = store.Store.Name,
                ["order"] = t.ChildOrder,
                ["parentOrder"] = t.ParentOrder,
                ["levels"] = Levels(view),
                ["latitude"] = t.Latitude.ToName(),
                ["variables"] = Variables(t),
                ["variable"] = first ?? "",
                ["projection"] = ProjectionName(projection),
                ["box"] = new JsonArray(box.Value.XMin, box.Value.YMin, box.Value.XMax, box.Value.YMax),
                ["expected"] = t.Layout == DggsLayout.Compact ? t.ParentCellCount : null,
            });
        });
        app.MapGet("/api/progress", async (string? variable, CancellationToken ct) =>
        {
            var view = await live.CurrentAsync(ct).ConfigureAwait(false);
            var t = view.Store.Template;
            if (!TryVariable(t, variable, out string? name)) return NoVariable(t, variable);
            // A run still writing its template has no variable yet: nothing drawn, not an error.
            var layer = name is null ? null : await view.Finest.RefreshAsync(name, ct).ConfigureAwait(false);
            return Results.Json(new JsonObject
            {
                ["chunks"] = layer?.Chunks.Count ?? 0,
                ["expected"] = t.Layout == DggsLayout.Compact ? t.ParentCellCount : null,
                ["cells"] = layer is null ? 0 : CountValues(layer.Values),
                ["variable"] = name ?? "",
                ["variables"] = Variables(t),
                ["levels"] = Levels(view),
            });
        });
        app.MapGet("/api/colormap", () =>
        {
            Colormap.TryGet("viridis", out var map);
            var colours = new JsonArray();
            for (int i = 0; i < 256; i++)
            {
                var (r, g, b) = map[i];
                colours.Add($"#{r:x2}{g:x2}{b:x2}");
            }
            return Results.Json(colours);
        });
        app.MapGet("/api/map.png", async (HttpContext http, string? variable, string? projection, double x0, double y0, double x1, double y1, int width, int height, int? order, CancellationToken ct) =>
        {
            if (!MapProjection.TryParse(projection ?? "south", out var p)) return Results.BadRequest($"projection: one of {MapProjection.Names}");
            if (width is < 1 or > 8192 || height is < 1 or > 8192 || !(x1 > x0) || !(y1 > y0)) return Results.BadRequest("a view is x0 < x1, y0 < y1, 1–8192 pixels a side");
            var view = await live.CurrentAsync(ct).ConfigureAwait(false);
            var watch = view.Finest;
            // The level by zoom (a pixel's size on the ground; plate carrée's degrees as metres along a meridian), or as asked.
            double pixel = (x1 - x0) / width * (p is PlateCarree ? 111_195.0 : 1.0);
            int k = order ?? LevelFor(view.Levels.Keys, pixel);
            if (!view.Levels.TryGetValue(k, out var level)) return Results.BadRequest($"order: one of {string.Join(", ", view.Levels.Keys)}");
            if (!TryVariable(view.Store.Template, variable, out string? name)) return NoVariable(view.Store.Template, variable);
            // No variable yet (a run writing its template): an empty, transparent view.
            var layer = name is null ? StoreWatch.Layer.Empty(level.Store.Template.ChildOrder) : await level.RefreshAsync(name, ct).ConfigureAwait(false);
            // Progress counts the finest level's chunks (one per parent cell) whichever level is drawn.
            var finest = level == watch || name is null ? layer : await watch.RefreshAsync(name, ct).ConfigureAwait(false);
            var grid = MapGrid.Create(p, new MapBox(x0, y1 - height * ((x1 - x0) / width), x1, y1), (x1 - x0) / width);
            float[] raster = Rasterizer.Rasterize(grid, layer.Values, watch.Latitude);
            Colormap.TryGet("viridis", out var map);
            using var ms = new MemoryStream();
            MapImage.WriteCellsPng(ms, grid, raster, map, layer.Lo, layer.Hi);
            http.Response.Headers["X-Zagg-Lo"] = layer.Lo.ToString("R", CultureInfo.InvariantCulture);
            http.Response.Headers["X-Zagg-Hi"] = layer.Hi.ToString("R", CultureInfo.InvariantCulture);
            http.Response.Headers["X-Zagg-Chunks"] = finest.Chunks.Count.ToString(CultureInfo.InvariantCulture);
            http.Response.Headers["X-Zagg-Cells"] = CountValues(layer.Values).ToString(CultureInfo.InvariantCulture);
            http.Response.Headers["X-Zagg-Order"] = k.ToString(CultureInfo.InvariantCulture);
            http.Response.Headers.CacheControl = "no-store";
            return Results.Bytes(ms.ToArray(), "image/png");
        });
        app.MapGet("/api/cell", async (string? projection, string? x, string? y, int? order, CancellationToken ct) =>
        {
            if (!MapProjection.TryParse(projection ?? "south", out var p)) return Results.BadRequest($"projection: one of {MapProjection.Names}");
            if (!TryMetres(x, out double mx) || !TryMetres(y, out double my)) return Results.BadRequest("x and y: the point's map coordinates in metres (numbers), both required");
            var view = await live.CurrentAsync(ct).ConfigureAwait(false);
            if (!view.Levels.TryGetValue(order ?? view.Store.Template.ChildOrder, out var level)) return Results.BadRequest($"order: one of {string.Join(", ", view.Levels.Keys)}");
            p.Inverse(mx, my, out double lat, out double lon);
            if (double.IsNaN(lat)) return Results.Json(new JsonObject { ["cell"] = null });
            var t = level.Store.Template;
            long nested = GeoGrid.Locate(lat, lon, t.ChildOrder, t.Latitude);
            // The one reader of a cell's values, zagg inspect --cell's: the same values, the same text.
            var cell = await level.Cells.ReadAsync(nested, ct).ConfigureAwait(false);
            var values = new JsonObject();
            var text = new JsonObject();
            if (cell is not null)
                foreach (var v in cell.Values)
                {
                    values[v.Variable] = v.IsFill || double.IsNaN(v.Value) ? null : v.Value;
                    text[v.Variable] = v.Text;
                }
            return Results.Json(new JsonObject
            {
                ["lat"] = lat,
                ["lon"] = lon,
                ["cell"] = cell is null ? null : nested,
                ["nested"] = nested,
                ["order"] = t.ChildOrder,
                ["morton"] = t.ChildOrder is >= Morton.MinOrder and <= Morton.MaxOrder ? Morton.FromNested(nested, t.ChildOrder) : null,
                ["values"] = values,
                ["text"] = text,
            });
        });
    }

    /// <summary>The variable shown first: h_mean where there is one, else the first; null while the store has none yet.</summary>
    private static string? DefaultVariable(DggsTemplate t)
    {
        foreach (var v in t.Variables) if (v.Name == "h_mean") return v.Name;
        return t.Variables.Count > 0 ? t.Variables[0].Name : null;
    }

    /// <summary>
    /// The variable a request names (none or empty: the default, null while the store has no variable yet); false when
    /// it names one the store does not hold.
    /// </summary>
    private static bool TryVariable(DggsTemplate t, string? asked, out string? name)
    {
        if (string.IsNullOrEmpty(asked))
        {
            name = DefaultVariable(t);
            return true;
        }
        foreach (var v in t.Variables)
            if (v.Name == asked)
            {
                name = v.Name;
                return true;
            }
        name = null;
        return false;
    }

    private static IResult NoVariable(DggsTemplate t, string? asked)
        => Results.NotFound($"no variable '{asked}' (the store has: {string.Join(", ", t.Variables.Select(v => v.Name))})");

    private static JsonArray Variables(DggsTemplate t) => new([.. t.Variables.Select(v => (JsonNode)v.Name)]);

    private static JsonArray Levels(LiveStore.View view) => new([.. view.Levels.Keys.Select(k => (JsonNode)k)]);

    private static int CountValues(CellValues values)
    {
        int n = 0;
        foreach (float v in values.Values) if (!float.IsNaN(v)) n++;
        return n;
    }

    private static string ProjectionName(MapProjection p) => p.Epsg switch { 3031 => "south", 3413 => "north", _ => "equirect" };

    private static string ReadPage()
    {
        using var s = typeof(ViewerServer).Assembly.GetManifestResourceStream("Zagg.Cli.Viewing.viewer.html")
            ?? throw new InvalidOperationException("the viewer page is not embedded");
        using var r = new StreamReader(s);
        return r.ReadToEnd();
    }

    private static bool TryMetres(string? text, out double value)
        => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
}
