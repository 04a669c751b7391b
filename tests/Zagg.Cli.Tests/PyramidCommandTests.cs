using System.Globalization;
using Xunit;
using Zagg.Cli.Viewing;
using Zagg.Pipeline.Output;
using Zagg.Zarr;
using Zagg.Zarr.Stores;

namespace Zagg.Cli.Tests;

/// <summary>
/// A pyramid (orders 3, 8, 12 over the demo granules, parent order 6) through <c>zagg run</c>: <c>inspect</c> shows
/// every level, <c>render --order K</c> draws level K exactly as a one-order store written at order K, and the viewer
/// picks its level by zoom.
/// </summary>
public sealed class PyramidCommandTests : IAsyncLifetime
{
    private static readonly string Demo = Path.Combine(AppContext.BaseDirectory, "demo");
    private readonly string _dir = Directory.CreateTempSubdirectory("zagg-pyramid").FullName;
    private string Pyramid => Path.Combine(_dir, "pyramid.zarr");
    private string OneOrder => Path.Combine(_dir, "order8.zarr");

    private string Config(string name, string grid)
    {
        string yaml = File.ReadAllText(Path.Combine(Root(), "configs", "atl06.yaml")).Replace("child_order: 12}", grid + "}");
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    private static string Root()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Zagg.sln"))) return d.FullName;
        throw new InvalidOperationException("repository root not found");
    }

    public Task InitializeAsync()
    {
        string catalog = Path.Combine(_dir, "catalog.json");
        var c = CliRunner.Run("catalog", "--files", Path.Combine(Demo, "ATL06_*.h5"), "--parent-order", "6", "--output", catalog);
        Assert.True(c.ExitCode == 0, c.Error);
        var r = CliRunner.Run("run", "--config", Config("pyramid.yaml", "child_order: 12, orders: [3, 8, 12]"), "--catalog", catalog, "--store", Pyramid);
        Assert.True(r.ExitCode == 0, r.Error);
        r = CliRunner.Run("run", "--config", Config("order8.yaml", "child_order: 8"), "--catalog", catalog, "--store", OneOrder);
        Assert.True(r.ExitCode == 0, r.Error);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_dir, true);
        return Task.CompletedTask;
    }

    [Fact]
    public void Inspect_shows_every_level()
    {
        var r = CliRunner.Run("inspect", Pyramid);
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Contains("levels      orders 3, 8, 12", r.Out);
        foreach (string group in new[] { "group       12/", "group       8/", "group       3/" }) Assert.Contains(group, r.Out);
        Assert.Contains("\"refinement_level\":3", r.Out);
        Assert.Contains("(sketch, rank error ≤ ", r.Out);
        // A level coarser than the parent says it was merged, and counts cells, not parents × children.
        Assert.Contains("group       3/  HEALPix nested, order 3, merged from the parent cells of order 6 at consolidation", r.Out);
        Assert.Contains("group       8/  HEALPix nested, order 8, 16 cells a chunk under each parent cell of order 6", r.Out);
        Assert.Contains("group       12/  HEALPix nested, parent order 6, child order 12", r.Out);
        Assert.DoesNotContain("× 1 children", r.Out);
        // The one-order store prints as before: no levels line.
        Assert.DoesNotContain("levels ", CliRunner.Run("inspect", OneOrder).Out);
    }

    [Fact]
    public void A_merged_cell_marks_its_sketch_values_and_a_cell_of_the_points_does_not()
    {
        // The first parent cell of the catalog (order 6), its order-3 ancestor and its first order-8 child.
        using var catalog = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "catalog.json")));
        string parentWord = catalog.RootElement.GetProperty("catalog").EnumerateObject().First().Name;
        long parent = Zagg.Grid.Morton.ToNested(long.Parse(parentWord, CultureInfo.InvariantCulture), out int parentOrder);
        Assert.Equal(6, parentOrder);
        var merged = CliRunner.Run("inspect", Pyramid, "--nested", (parent >> 6).ToString(CultureInfo.InvariantCulture), "--order", "3");
        Assert.True(merged.ExitCode == 0, merged.Error);
        string Line(string output, string variable) => output.Split('\n').Single(l => l.StartsWith(variable + " ", StringComparison.Ordinal));
        Assert.Contains("(sketch, rank error ≤ ", Line(merged.Out, "h_q50"));
        Assert.DoesNotContain("sketch", Line(merged.Out, "h_mean"));
        Assert.DoesNotContain("sketch", Line(merged.Out, "count"));
        var exact = CliRunner.Run("inspect", Pyramid, "--cell", parentWord + "1" + "1");
        Assert.True(exact.ExitCode == 0, exact.Error);
        Assert.DoesNotContain("sketch", exact.Out);
    }

    [Fact]
    public void A_failed_parent_cell_leaves_its_coarser_cell_unwritten()
    {
        // The first parent cell's granules replaced by a file that does not exist: that cell fails.
        var catalog = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(_dir, "catalog.json")))!;
        var cells = catalog["catalog"]!.AsObject();
        string failedWord = cells.First().Key;
        cells[failedWord] = new System.Text.Json.Nodes.JsonArray(Path.Combine(_dir, "missing.h5"));
        string bad = Path.Combine(_dir, "bad.json"), store = Path.Combine(_dir, "failed.zarr");
        File.WriteAllText(bad, catalog.ToJsonString());
        var r = CliRunner.Run("run", "--config", Config("failed.yaml", "child_order: 12, orders: [3, 12]"), "--catalog", bad, "--store", store);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(", 1 errors, ", r.Out);
        // Order 3 holds the failed parent's cell and others: the one holding it is not written, the others are.
        string coarseWord = failedWord[..(failedWord.StartsWith('-') ? 5 : 4)]; // its order-3 ancestor: the base digit and three levels
        var inspect = CliRunner.Run("inspect", store, $"--cell={coarseWord}");
        Assert.Equal(1, inspect.ExitCode);
        Assert.Contains("(order 3) was not written: no parent cell of order 6 inside it has data, or one of them failed", inspect.Error);
        var listing = CliRunner.Run("inspect", store).Out.Split('\n');
        string order3Count = listing.SkipWhile(l => !l.StartsWith("group       3/", StringComparison.Ordinal)).First(l => l.StartsWith("count ", StringComparison.Ordinal));
        Assert.Matches(@" (\d+)/(?!\1)\d+ ", order3Count); // fewer chunks written than expected
    }

    [Fact]
    public void A_run_of_part_of_the_catalog_leaves_the_merged_cells_it_covers_only_in_part_unwritten()
    {
        // A parent cell whose order-3 ancestor holds other parent cells of the catalog too, run alone (--morton-cell).
        using var catalog = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "catalog.json")));
        var words = catalog.RootElement.GetProperty("catalog").EnumerateObject().Select(p => p.Name).ToList();
        static string Ancestor(string word) => word[..(word.StartsWith('-') ? 5 : 4)]; // order 3: the base digit and three levels
        string shared = words.First(w => words.Count(o => Ancestor(o) == Ancestor(w)) > 1);
        string store = Path.Combine(_dir, "part.zarr");
        var r = CliRunner.Run("run", "--config", Config("part.yaml", "child_order: 12, orders: [3, 12]"), "--catalog", Path.Combine(_dir, "catalog.json"),
            "--store", store, $"--morton-cell={shared}");
        Assert.True(r.ExitCode == 0, r.Error);
        // The parent cell itself is written; its order-3 cell, which would hold its points alone, is not.
        var own = CliRunner.Run("inspect", store, $"--cell={shared}111111");
        Assert.True(own.ExitCode == 0, own.Error);
        var inspect = CliRunner.Run("inspect", store, $"--cell={Ancestor(shared)}");
        Assert.Equal(1, inspect.ExitCode);
        Assert.Contains($"(order 3) was not written", inspect.Error);
        // Every order-3 cell of the catalog's parent cells is expected, as every parent cell is at order 12.
        var listing = CliRunner.Run("inspect", store).Out.Split('\n');
        string order3Count = listing.SkipWhile(l => !l.StartsWith("group       3/", StringComparison.Ordinal)).First(l => l.StartsWith("count ", StringComparison.Ordinal));
        Assert.Contains($" 0/{words.Select(Ancestor).Distinct().Count()} ", order3Count);
        // A level with nothing written has no sketch's rank error to tell.
        string order3Quantile = listing.SkipWhile(l => !l.StartsWith("group       3/", StringComparison.Ordinal)).First(l => l.StartsWith("h_q25 ", StringComparison.Ordinal));
        Assert.DoesNotContain("(sketch", order3Quantile);
    }

    [Fact]
    public void Render_of_a_level_equals_the_render_of_a_one_order_store_at_that_order()
    {
        string a = Path.Combine(_dir, "level8.png"), b = Path.Combine(_dir, "store8.png"), c = Path.Combine(_dir, "level3.png");
        var r = CliRunner.Run("render", Pyramid, "--order", "8", "--variable", "h_q50", "--out", a);
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Contains("h_q50 at order 8", r.Out);
        r = CliRunner.Run("render", OneOrder, "--variable", "h_q50", "--out", b);
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Equal(File.ReadAllBytes(b), File.ReadAllBytes(a));
        r = CliRunner.Run("render", Pyramid, "--order", "3", "--out", c);
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Contains("at order 3", r.Out);
        var wrong = CliRunner.Run("render", Pyramid, "--order", "9", "--out", Path.Combine(_dir, "x.png"));
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("holds orders 3, 8, 12", wrong.Error);
        Assert.False(File.Exists(Path.Combine(_dir, "x.png")));
    }

    [Fact]
    public void The_level_is_the_order_whose_cells_are_nearest_one_and_a_half_pixels()
    {
        int[] orders = [3, 8, 12];
        // Order 12 cells are ~1.6 km, order 8 ~26 km, order 3 ~830 km.
        Assert.Equal(12, ViewerServer.LevelFor(orders, 1_000));
        Assert.Equal(8, ViewerServer.LevelFor(orders, 15_000));
        Assert.Equal(3, ViewerServer.LevelFor(orders, 400_000));
        Assert.Equal(12, ViewerServer.LevelFor([12], 400_000));
    }

    [Fact]
    public async Task The_viewer_draws_a_coarser_level_when_zoomed_out()
    {
        await using var server = await ViewerServer.StartAsync(await DggsStore.OpenAsync(new LocalStore(Pyramid)), 0, default);
        using var http = new HttpClient { BaseAddress = server.Url };
        async Task<(int Order, int Cells, int Chunks)> Draw(double halfWidth, int pixels, string extra = "")
        {
            string q = string.Create(CultureInfo.InvariantCulture, $"api/map.png?variable=h_mean&projection=south&x0={-halfWidth}&y0={-halfWidth}&x1={halfWidth}&y1={halfWidth}&width={pixels}&height={pixels}{extra}");
            using var r = await http.GetAsync(q);
            Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
            int H(string name) => int.Parse(r.Headers.GetValues(name).Single(), CultureInfo.InvariantCulture);
            return (H("X-Zagg-Order"), H("X-Zagg-Cells"), H("X-Zagg-Chunks"));
        }
        var zoomedOut = await Draw(3e6, 16);    // 375 km pixels
        var middle = await Draw(3e6, 256);      // 23 km pixels
        var zoomedIn = await Draw(3e5, 410);    // 1.5 km pixels
        Assert.Equal(3, zoomedOut.Order);
        Assert.Equal(8, middle.Order);
        Assert.Equal(12, zoomedIn.Order);
        Assert.Equal(7, zoomedOut.Chunks); // progress counts parent cells whichever level is drawn
        Assert.True(zoomedOut.Cells is > 0 and <= 3, $"{zoomedOut.Cells} order-3 cells");
        Assert.Equal(12, (await Draw(3e6, 16, "&order=12")).Order);
        using var bad = await http.GetAsync("api/map.png?variable=h_mean&x0=0&y0=0&x1=1&y1=1&width=1&height=1&order=9");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, bad.StatusCode);
    }
    /// <summary>
    /// On two levels of the pyramid (12 and 3), a cell with values and (at 12) a cell left as fill: <c>zagg inspect
    /// --nested ID --order K</c> prints the values read independently (the level's whole arrays, the cell found in
    /// cell_ids), and the viewer's api/cell (what the hover prints) gives the same text.
    /// </summary>
    [Fact]
    public async Task Inspect_cell_and_the_viewer_give_the_levels_values()
    {
        var dggs = await DggsStore.OpenAsync(new LocalStore(Pyramid));
        await using var server = await ViewerServer.StartAsync(dggs, 0, default);
        using var http = new HttpClient { BaseAddress = server.Url };
        int checkedCells = 0;
        foreach (int order in new[] { 12, 3 })
        {
            var level = dggs.Levels[order];
            byte[] ids = await level.Arrays[DggsStore.CellIds].ReadAsync();
            var mean = level.Arrays["h_mean"];
            byte[] means = await mean.ReadAsync();
            int withValue = -1, fill = -1;
            for (int i = 0; i < ids.Length / 8 && (withValue < 0 || fill < 0); i++)
            {
                if (BitConverter.ToUInt64(ids, i * 8) == 0 && i > 0) continue; // a chunk not written
                bool isFill = float.IsNaN(BitConverter.ToSingle(means, i * 4));
                if (isFill && fill < 0) fill = i;
                if (!isFill && withValue < 0) withValue = i;
            }
            foreach (int i in new[] { withValue, fill })
            {
                if (i < 0) continue;
                long cell = (long)BitConverter.ToUInt64(ids, i * 8);
                var r = CliRunner.Run("inspect", Pyramid, "--nested", cell.ToString(CultureInfo.InvariantCulture), "--order", order.ToString(CultureInfo.InvariantCulture));
                Assert.True(r.ExitCode == 0, r.Error);
                // A merged cell has no parent cell of its own: it says what it was made from.
                if (order == 3) Assert.Contains("merged      from the parent cells of order 6 inside it", r.Out);
                else Assert.Contains("parent      ", r.Out);
                var printed = r.Out.Split('\n', StringSplitOptions.TrimEntries).SkipWhile(l => l.Length > 0).Skip(1).Where(l => l.Length > 0)
                    .Select(l => l.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries)).ToDictionary(p => p[0], p => p[1].Split("  (")[0].Trim()); // without a sketch's note
                Assert.Equal(level.Template.Variables.Select(v => v.Name), printed.Keys);
                foreach (var v in level.Template.Variables)
                {
                    var a = level.Arrays[v.Name];
                    byte[] element = await a.ReadAsync(i, i + 1);
                    string expected = element.AsSpan().SequenceEqual(a.Metadata.FillValue) ? "fill"
                        : v.DataType == ZarrDataType.Float32 ? BitConverter.ToSingle(element).ToString("R", CultureInfo.InvariantCulture)
                        : v.DataType == ZarrDataType.Float64 ? BitConverter.ToDouble(element).ToString("R", CultureInfo.InvariantCulture)
                        : a.Metadata.DataType.ToDouble(element).ToString(CultureInfo.InvariantCulture);
                    Assert.True(expected == printed[v.Name], $"order {order} cell {cell} {v.Name}: inspect {printed[v.Name]}, array {expected}");
                }
                // The viewer at the cell's centre, at that level.
                var centre = Zagg.Grid.GeoGrid.Centre(cell, order, level.Template.Latitude);
                Zagg.Maps.Projections.MapProjection.South.Forward(centre.Latitude, centre.Longitude, out double x, out double y);
                string json = await http.GetStringAsync(string.Create(CultureInfo.InvariantCulture, $"api/cell?projection=south&x={x:R}&y={y:R}&order={order}"));
                var node = System.Text.Json.Nodes.JsonNode.Parse(json)!;
                Assert.Equal(cell, node["cell"]!.GetValue<long>());
                foreach (var (name, text) in printed) Assert.Equal(text, node["text"]![name]!.GetValue<string>());
                checkedCells++;
            }
        }
        Assert.True(checkedCells >= 3, $"{checkedCells} cells checked");
        // A point that is not one says so (the endpoint's own message, not an empty 400).
        using var bad = await http.GetAsync("api/cell?projection=south&x=a&y=1");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("x and y", await bad.Content.ReadAsStringAsync());
    }
}
