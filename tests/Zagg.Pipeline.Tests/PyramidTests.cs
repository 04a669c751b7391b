using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;
using Zagg.Pipeline.Aggregation;
using Zagg.Pipeline.Config;
using Zagg.Pipeline.Output;
using Zagg.Zarr;
using Zagg.Zarr.Stores;

namespace Zagg.Pipeline.Tests;

/// <summary>
/// A pyramid of orders 3, 5 (merged from the parent cells' states), 6, 8, 10 (recomputed from the points) and 12 over the
/// committed test granules, through the production path (CellAggregator → DggsStore levels → DggsPyramid), against NumPy
/// over the points of each coarser cell (tools/fixtures/statistics_golden.py --pyramid).
/// </summary>
public class PyramidTests
{
    private static readonly string Dir = Path.Combine(AppContext.BaseDirectory, "TestSet");
    private static readonly JsonElement Golden = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", "pyramid.json"))).RootElement;
    private static readonly JsonElement Expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "expected.json"))).RootElement;
    private static string[] Granules => Expected.GetProperty("granules").EnumerateArray().Select(g => Path.Combine(Dir, g.GetString()!)).ToArray();
    private static readonly string[] Floats = ["h_min", "h_max", "h_mean", "h_sigma", "h_variance", "h_q25", "h_q50", "h_q75"];

    internal static PipelineConfig Config(string convention, string orders = "[3, 5, 6, 8, 10, 12]")
    {
        using var s = typeof(ConfigLoader).Assembly.GetManifestResourceStream("Zagg.Configs.atl06.yaml")!;
        string yaml = new StreamReader(s).ReadToEnd().Replace("child_order: 12}", $"child_order: 12, latitude: {convention}, orders: {orders}}}");
        return ConfigLoader.Parse(yaml, "atl06.yaml");
    }

    /// <summary>
    /// The built-in configuration with two statistics the states cannot merge: weights that read a reduction, and an
    /// expression whose reduction reads another; its grid line replaced by <paramref name="grid"/>.
    /// </summary>
    private static PipelineConfig WithPointReducers(string grid)
    {
        using var s = typeof(ConfigLoader).Assembly.GetManifestResourceStream("Zagg.Configs.atl06.yaml")!;
        string yaml = new StreamReader(s).ReadToEnd()
            .Replace("    h_q75:", "    h_wred: {function: average, source: h_li, params: {weights: \"s_li / np.sum(s_li)\"}, dtype: float32}\n    h_dev: {expression: \"np.max(h_li - np.mean(h_li))\", dtype: float32}\n    h_q75:")
            .Replace("child_order: 12}", grid);
        return ConfigLoader.Parse(yaml, "atl06.yaml");
    }

    private static double Ulp(double truth)
    {
        float rounded = (float)truth;
        return Math.Abs(MathF.BitIncrement(Math.Abs(rounded)) - Math.Abs(rounded));
    }

    [Theory]
    [InlineData("authalic")]
    [InlineData("geodetic-spherical")]
    public async Task Every_statistic_at_every_order_matches_numpy_over_the_points_of_each_cell(string convention)
    {
        var config = Config(convention);
        long[] parents = Expected.GetProperty("conventions").GetProperty(convention).EnumerateArray().Select(c => c.GetProperty("parent").GetInt64()).ToArray();
        string dir = Path.Combine(Path.GetTempPath(), $"zagg-pyramid-{Guid.NewGuid():N}");
        try
        {
            var store = await DggsStore.CreateAsync(new LocalStore(dir), config.ToTemplate(6, parents.Length));
            await using (var aggregator = new CellAggregator(config, parentOrder: 6))
            {
                var states = new Dictionary<long, byte[]>();
                for (int i = 0; i < parents.Length; i++)
                {
                    var agg = await aggregator.AggregateAsync(parents[i], Granules);
                    Assert.Equal([6, 8, 10], agg.Levels.Keys.Order());
                    await store.WriteCellAsync(parents[i], i, agg.Chunks, agg.Levels);
                    states[parents[i]] = agg.State!;
                }
                Assert.Equal([3, 5], await DggsPyramid.WriteCoarseLevelsAsync(store, config, parents, states));
            }
            await store.ConsolidateAsync();

            var opened = await DggsStore.OpenAsync(new LocalStore(dir));
            Assert.Equal(12, opened.Template.ChildOrder);
            Assert.Equal([3, 5, 6, 8, 10, 12], opened.Levels.Keys);
            foreach (var level in Golden.GetProperty("conventions").GetProperty(convention).EnumerateObject())
            {
                int order = int.Parse(level.Name);
                var dggs = opened.Levels[order];
                Assert.Equal(order, dggs.Template.ChildOrder);
                var attrs = (await ZarrHierarchy.ReadNodeAsync(opened.Store, $"{order}"))!["attributes"]!;
                Assert.Equal(order, attrs["dggs"]!["refinement_level"]!.GetValue<int>());
                var truth = level.Value.EnumerateObject().ToDictionary(c => long.Parse(c.Name), c => c.Value);
                var counts = await DggsCellValues.ReadAsync(dggs, "count");
                var byCell = new Dictionary<long, int>();
                for (int i = 0; i < counts.Cells.Length; i++)
                    if (counts.Values[i] > 0) byCell[counts.Cells[i]] = i;
                Assert.Equal(truth.Keys.Order(), byCell.Keys.Order());
                foreach (var (cell, t) in truth) Assert.Equal(t.GetProperty("count").GetInt32(), (int)counts.Values[byCell[cell]]);
                bool merged = order < 6;
                foreach (string name in Floats)
                {
                    var values = await DggsCellValues.ReadAsync(dggs, name);
                    Assert.Equal(counts.Cells, values.Cells);
                    var exact = dggs.Arrays[name].Metadata.Attributes["zagg"];
                    bool quantile = name.StartsWith("h_q", StringComparison.Ordinal);
                    Assert.Equal(!(merged && quantile), exact!["exact"]!.GetValue<bool>());
                    foreach (var (cell, t) in truth)
                    {
                        double expected = t.GetProperty(name).GetDouble();
                        float ours = values.Values[byCell[cell]];
                        string what = $"{convention} order {order} cell {cell} {name}: NumPy {expected:R}, ours {ours:R}";
                        if (!merged)
                            // Recomputed from the points: the float64 result rounded once to float32.
                            Assert.True(Math.Abs(ours - expected) <= Ulp(expected) / 2 * 1.0000001, what);
                        else if (!quantile)
                            // Merged from exact states: float64 up to rounding, so within one float32 ulp.
                            Assert.True(Math.Abs(ours - expected) <= Ulp(expected), what);
                        else
                        {
                            // From the sketch: within the rank-error bound the array records (NumPy's quantiles on a 0.005 grid bound it).
                            double bound = exact["rank_error_bound"]!.GetValue<double>();
                            Assert.True(bound > 0 && bound < 0.01, $"{what}: bound {bound}");
                            double q = name switch { "h_q25" => 0.25, "h_q50" => 0.5, _ => 0.75 };
                            int n = t.GetProperty("count").GetInt32();
                            var grid = t.GetProperty("h_quantile_grid").EnumerateArray().Select(g => g.GetDouble()).ToArray();
                            double slack = bound + 1.0 / n;
                            double lo = grid[Math.Max(0, (int)Math.Floor((q - slack) * 200))], hi = grid[Math.Min(200, (int)Math.Ceiling((q + slack) * 200))];
                            Assert.True(ours >= (float)lo && ours <= (float)hi, $"{what}: outside [{lo:R}, {hi:R}] (bound {bound})");
                        }
                    }
                }
            }
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public async Task Orders_between_parent_and_child_give_the_chunks_of_a_run_at_that_order_alone()
    {
        // Beside the built-in statistics, two the states cannot merge: weights that read a reduction, and an expression
        // whose reduction reads another. Counts, extrema, quantiles and these are computed over the same points either
        // way, so their chunks must be the same bytes as a one-order run's at 8 and at 10.
        var pyramid = WithPointReducers("child_order: 12, orders: [8, 10, 12]}");
        var merge = MergePlan.Compile(pyramid);
        Assert.Equal(LevelExactness.None, merge.Exactness[merge.Variables.ToList().IndexOf("h_dev")]);
        // Orders coarser than the parent merge states: weights that read a reduction cannot be merged, weights per point can.
        Assert.Equal(LevelExactness.None, merge.Exactness[merge.Variables.ToList().IndexOf("h_wred")]);
        Assert.Equal(LevelExactness.Exact, merge.Exactness[merge.Variables.ToList().IndexOf("h_mean")]);
        long parent = Expected.GetProperty("conventions").GetProperty("authalic")[0].GetProperty("parent").GetInt64();
        await using var aggregator = new CellAggregator(pyramid, parentOrder: 6);
        var cell = await aggregator.AggregateAsync(parent, Granules);
        Assert.True(cell.Result.TotalObs > 0);
        foreach (int order in new[] { 8, 10 })
        {
            await using var alone = new CellAggregator(WithPointReducers($"child_order: {order}}}"), parentOrder: 6);
            var one = await alone.AggregateAsync(parent, Granules);
            foreach (string name in new[] { "count", "h_min", "h_max", "h_q25", "h_q50", "h_q75", "h_wred", "h_dev" })
                Assert.True(one.Chunks[name].AsSpan().SequenceEqual(cell.Levels[order][name]), $"order {order} {name}");
        }
        // The child order itself: a pyramid takes its quantiles from the sort by value the coarser orders need, a one-order
        // run from a selection per child; every chunk is the same bytes.
        await using var childAlone = new CellAggregator(WithPointReducers("child_order: 12}"), parentOrder: 6);
        var child = await childAlone.AggregateAsync(parent, Granules);
        Assert.Equal(child.Chunks.Keys.Order(), cell.Chunks.Keys.Order());
        foreach (var (name, chunk) in child.Chunks)
            Assert.True(chunk.AsSpan().SequenceEqual(cell.Chunks[name]), $"order 12 {name}");
    }

    [Fact]
    public void Statistics_recomputed_at_coarser_orders_keep_the_others_when_a_cell_spans_several_blocks()
    {
        // 200,000 points in one parent (more than one block of 64 Ki points): the coarser orders' statistics that do not
        // merge (weights that read a reduction, an expression of a reduction) are recomputed block by block over the
        // points; every other variable of those orders comes from the merged states and the value sort and must survive
        // it (a block used to copy every variable's stale pool memory back, counts of 190,000,027 and -1e70).
        const long parent = 1234;
        var random = new Random(11);
        // Children of the order-12 run, skewed so that some coarser cells are dense and some empty.
        var child = Enumerable.Range(0, 200_000).Select(_ => (int)(Math.Pow(random.NextDouble(), 3) * 4096)).ToArray();
        var h = child.Select(c => (float)(1000 + c % 97 + random.NextDouble() * 10)).ToArray();
        var sigma = child.Select(_ => (float)(0.05 + random.NextDouble())).ToArray();
        GatheredPoints Gather(int depth)
        {
            var g = new GatheredPoints(2, depth);
            Assert.True(g.ReadsSingle(0, sourceIsSingle: true));
            Assert.True(g.ReadsSingle(1, sourceIsSingle: true));
            int shift = 2 * (6 - depth);
            var cells = child.Select(c => (parent << (2 * depth)) + (c >> shift)).ToArray();
            g.Add<long>(cells, parent, 2 * depth, parent << (2 * depth), [h, sigma], [null, null], quality: null, good: 0);
            return g;
        }
        var pyramid = AggregationPlan.Compile(WithPointReducers("child_order: 12, orders: [8, 10, 12]}"), depth: 6);
        using var all = Gather(6);
        var cell = pyramid.Compute(all, [2, 4], merge: null);
        foreach (var (order, depth) in new[] { (8, 2), (10, 4) })
        {
            using var points = Gather(depth);
            var alone = AggregationPlan.Compile(WithPointReducers($"child_order: {order}}}"), depth).Compute(points, out _);
            foreach (string name in new[] { "count", "h_min", "h_max", "h_q25", "h_q50", "h_q75", "h_wred", "h_dev" })
                Assert.True(alone[name].AsSpan().SequenceEqual(cell.Levels[depth][name]), $"order {order} {name}");
        }
    }

    [Fact]
    public async Task A_level_of_order_0_holds_the_base_cells_and_no_morton_words()
    {
        // Order 0 is the 12 base cells; morton words start at order 1, so its level has cell_ids and no morton array
        // (the consolidation used to fail on it after every cell was written).
        var config = Config("authalic", "[0, 12]");
        long[] parents = Expected.GetProperty("conventions").GetProperty("authalic").EnumerateArray().Select(c => c.GetProperty("parent").GetInt64()).ToArray();
        string dir = Path.Combine(Path.GetTempPath(), $"zagg-pyramid-{Guid.NewGuid():N}");
        try
        {
            var store = await DggsStore.CreateAsync(new LocalStore(dir), config.ToTemplate(6, parents.Length));
            var states = new Dictionary<long, byte[]>();
            long points = 0;
            await using (var aggregator = new CellAggregator(config, parentOrder: 6))
                for (int i = 0; i < parents.Length; i++)
                {
                    var agg = await aggregator.AggregateAsync(parents[i], Granules);
                    await store.WriteCellAsync(parents[i], i, agg.Chunks, agg.Levels);
                    states[parents[i]] = agg.State!;
                    points += agg.Result.TotalObs;
                }
            Assert.Equal([0], await DggsPyramid.WriteCoarseLevelsAsync(store, config, parents, states));
            await store.ConsolidateAsync();
            var opened = await DggsStore.OpenAsync(new LocalStore(dir));
            Assert.Equal([0, 12], opened.Levels.Keys);
            Assert.Null(await ZarrHierarchy.ReadNodeAsync(opened.Store, "0/morton"));
            Assert.NotNull(await ZarrHierarchy.ReadNodeAsync(opened.Store, "12/morton"));
            var counts = await DggsCellValues.ReadAsync(opened.Levels[0], "count");
            long sum = 0;
            for (int i = 0; i < counts.Cells.Length; i++)
            {
                Assert.InRange(counts.Cells[i], 0, 11);
                sum += (long)counts.Values[i];
            }
            Assert.Equal(points, sum);
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public async Task A_coarser_cell_holding_a_failed_parent_cell_is_not_written()
    {
        // Parent cells are merged into order 3; the first one failed, so the order-3 cell holding it would count only
        // the other parents' points, a part passing for the whole: it stays unwritten, as the failed parent's own chunk.
        var config = Config("authalic", "[3, 12]");
        long[] parents = Expected.GetProperty("conventions").GetProperty("authalic").EnumerateArray().Select(c => c.GetProperty("parent").GetInt64()).ToArray();
        string dir = Path.Combine(Path.GetTempPath(), $"zagg-pyramid-{Guid.NewGuid():N}");
        try
        {
            var store = await DggsStore.CreateAsync(new LocalStore(dir), config.ToTemplate(6, parents.Length));
            var states = new Dictionary<long, byte[]>();
            var points = new Dictionary<long, long>();
            await using (var aggregator = new CellAggregator(config, parentOrder: 6))
                for (int i = 0; i < parents.Length; i++)
                {
                    var agg = await aggregator.AggregateAsync(parents[i], Granules);
                    points[parents[i] >> 6] = points.GetValueOrDefault(parents[i] >> 6) + agg.Result.TotalObs;
                    if (i == 0) continue; // failed: no chunk, no state
                    await store.WriteCellAsync(parents[i], i, agg.Chunks, agg.Levels);
                    states[parents[i]] = agg.State!;
                }
            long failedCoarse = parents[0] >> 6;
            Assert.Contains(parents.Skip(1), p => p >> 6 == failedCoarse); // the failed parent shares its order-3 cell
            Assert.Contains(parents, p => p >> 6 != failedCoarse);        // and another order-3 cell has none failed
            Assert.Equal([3], await DggsPyramid.WriteCoarseLevelsAsync(store, config, parents, states, [parents[0]]));
            await store.ConsolidateAsync();
            var counts = await DggsCellValues.ReadAsync((await DggsStore.OpenAsync(new LocalStore(dir))).Levels[3], "count");
            Assert.DoesNotContain(failedCoarse, counts.Cells);
            var written = counts.Cells.Zip(counts.Values).ToDictionary(c => c.First, c => (long)c.Second);
            Assert.Equal(points.Keys.Where(c => c != failedCoarse).Order(), written.Keys.Order());
            foreach (var (cell, count) in written) Assert.Equal(points[cell], count);
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public async Task The_root_describes_the_pyramid_by_the_multiscales_convention()
    {
        var config = Config("authalic", "[6, 8, 10]");
        Assert.Equal([6, 8, 10, 12], config.Grid.Orders);
        string dir = Path.Combine(Path.GetTempPath(), $"zagg-pyramid-{Guid.NewGuid():N}");
        try
        {
            var store = await DggsStore.CreateAsync(new LocalStore(dir), config.ToTemplate(4, 3));
            var root = (await ZarrHierarchy.ReadNodeAsync(store.Store, ""))!["attributes"]!;
            Assert.Equal("multiscales", root["zarr_conventions"]![0]!["name"]!.GetValue<string>());
            Assert.Equal("d35379db-88df-4056-af3a-620245f8e347", root["zarr_conventions"]![0]!["uuid"]!.GetValue<string>());
            var layout = root["multiscales"]!["layout"]!.AsArray();
            Assert.Equal(["12", "10", "8", "6"], layout.Select(e => e!["asset"]!.GetValue<string>()));
            Assert.Equal([12, 10, 8, 6], layout.Select(e => e!["dggs:refinement_level"]!.GetValue<int>()));
            Assert.Null(layout[0]!["derived_from"]);
            Assert.Equal("12", layout[1]!["derived_from"]!.GetValue<string>());
            Assert.Equal(16.0, layout[1]!["transform"]!["scale"]![0]!.GetValue<double>());
            Assert.Equal("aggregate", layout[3]!["resampling_method"]!.GetValue<string>());
            // Orders between the parent (4) and the child: one chunk of 4^(order − 4) cells per parent cell.
            Assert.Equal([16], store.Levels[6].Arrays["h_mean"].Metadata.ChunkShape);
            Assert.Equal([3L * 16], store.Levels[6].Arrays["h_mean"].Metadata.Shape);
            Assert.Equal([256 * 16], store.Levels[10].Arrays["cell_ids"].Metadata.ChunkShape);
            var six = (await ZarrHierarchy.ReadNodeAsync(store.Store, "6"))!["attributes"]!;
            Assert.Equal(6, six["dggs"]!["refinement_level"]!.GetValue<int>());
            Assert.Equal([6, 8, 10, 12], six["zagg"]!["orders"]!.AsArray().Select(o => o!.GetValue<int>()));
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
    }

    [Theory]
    [InlineData("[8, 6]", "ascending")]
    [InlineData("[6, 6]", "ascending")]
    [InlineData("[13]", "not in 0–12")]
    [InlineData("[-1, 12]", "not in 0–12")]
    [InlineData("[]", "must be a list")]
    [InlineData("[six]", "'six' is not an order")]
    public void Wrong_orders_are_refused_in_one_line_naming_the_key(string orders, string message)
    {
        var e = Assert.Throws<ConfigException>(() => Config("authalic", orders));
        Assert.Contains("output.grid.orders", e.Message);
        Assert.Contains(message, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public async Task A_one_order_store_is_written_as_before()
    {
        // No orders: no root attributes, no "orders" key, no array attributes: the bytes of stores written before pyramids.
        var config = Config("authalic", "[12]");
        string dir = Path.Combine(Path.GetTempPath(), $"zagg-pyramid-{Guid.NewGuid():N}");
        try
        {
            var store = await DggsStore.CreateAsync(new LocalStore(dir), config.ToTemplate(6, 2));
            Assert.Empty((await ZarrHierarchy.ReadNodeAsync(store.Store, ""))!["attributes"]!.AsObject());
            Assert.Null((await ZarrHierarchy.ReadNodeAsync(store.Store, "12"))!["attributes"]!["zagg"]!["orders"]);
            Assert.Empty(store.Arrays["h_mean"].Metadata.Attributes);
            Assert.Equal([12], store.Levels.Keys);
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
    }
}
