using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;
using Zagg.Grid;
using Zagg.TestSupport;
using Zagg.Zarr.Codecs;
using Zagg.Pipeline.Output;
using Zagg.Zarr;
using Zagg.Zarr.Stores;
using Zagg.Zarr.Tests;

namespace Zagg.Pipeline.Tests;

public class DggsStoreTests
{
    // Parent cells of order 2 (children at order 5: 64 per parent), three of them in the "catalog".
    internal static readonly long[] Parents = [GeoGrid.Locate(-75, 10, 2), GeoGrid.Locate(-80, 120, 2), GeoGrid.Locate(-70, -60, 2)];

    internal static DggsTemplate Template(DggsLayout layout, LatitudeConvention latitude = LatitudeConvention.Authalic, IReadOnlyList<CodecSpec>? codecs = null) => new()
    {
        ParentOrder = 2,
        ChildOrder = 5,
        ParentCellCount = Parents.Length,
        Layout = layout,
        Latitude = latitude,
        Variables = [new("count", ZarrDataType.Int32), new("h_mean", ZarrDataType.Float32), new("h_sigma", ZarrDataType.Float64, ZarrDataType.Float64.Fill(-9999))],
        Codecs = codecs ?? [CodecSpec.Bytes()],
    };

    internal static Dictionary<string, byte[]> CellValues(int seed)
    {
        var rng = new Random(seed);
        var count = new byte[64 * 4];
        var mean = new byte[64 * 4];
        var sigma = new byte[64 * 8];
        for (int i = 0; i < 64; i++)
        {
            bool empty = rng.Next(3) == 0;
            BitConverter.TryWriteBytes(count.AsSpan(i * 4), empty ? 0 : rng.Next(1, 500));
            BitConverter.TryWriteBytes(mean.AsSpan(i * 4), empty ? float.NaN : (float)(2000 + rng.NextDouble() * 100));
            BitConverter.TryWriteBytes(sigma.AsSpan(i * 8), empty ? -9999.0 : rng.NextDouble());
        }
        return new() { ["count"] = count, ["h_mean"] = mean, ["h_sigma"] = sigma };
    }

    [Fact]
    public async Task The_compact_template_is_the_seed_layout_with_the_dggs_attributes()
    {
        using var tmp = new TempStore();
        var store = await DggsStore.CreateAsync(tmp.Store, Template(DggsLayout.Compact));
        var group = JsonNode.Parse(File.ReadAllText(Path.Combine(tmp.Dir, "5", "zarr.json")))!;
        var dggs = group["attributes"]!["dggs"]!;
        Assert.Equal("healpix", dggs["name"]!.GetValue<string>());
        Assert.Equal(5, dggs["refinement_level"]!.GetValue<int>());
        Assert.Equal("nested", dggs["indexing_scheme"]!.GetValue<string>());
        Assert.Equal("cells", dggs["spatial_dimension"]!.GetValue<string>());
        Assert.Equal("cell_ids", dggs["coordinate"]!.GetValue<string>());
        Assert.Equal("none", dggs["compression"]!.GetValue<string>());
        Assert.Equal(6378137.0, dggs["ellipsoid"]!["semi_major_axis"]!.GetValue<double>());
        Assert.Equal(298.257223563, dggs["ellipsoid"]!["inverse_flattening"]!.GetValue<double>());
        Assert.Equal("7b255807-140c-42ca-97f6-7a1cfecdbc38", group["attributes"]!["zarr_conventions"]![0]!["uuid"]!.GetValue<string>());
        foreach (string name in new[] { "cell_ids", "morton", "count", "h_mean", "h_sigma" })
        {
            var a = store.Arrays[name];
            Assert.Equal([64L * Parents.Length], a.Metadata.Shape);
            Assert.Equal([64], a.Metadata.ChunkShape);
            Assert.Equal(["cells"], a.Metadata.DimensionNames!);
        }
        Assert.Equal(ZarrDataType.UInt64, store.Arrays["cell_ids"].Metadata.DataType);
        var fill = JsonNode.Parse(File.ReadAllText(Path.Combine(tmp.Dir, "5", "h_mean", "zarr.json")))!["fill_value"]!.GetValue<string>();
        Assert.Equal("NaN", fill);
    }

    [Fact]
    public async Task Geodetic_spherical_stores_say_so_and_carry_no_ellipsoid()
    {
        using var tmp = new TempStore();
        await DggsStore.CreateAsync(tmp.Store, Template(DggsLayout.Compact, LatitudeConvention.GeodeticSpherical));
        var dggs = JsonNode.Parse(File.ReadAllText(Path.Combine(tmp.Dir, "5", "zarr.json")))!["attributes"]!["dggs"]!;
        Assert.Null(dggs["ellipsoid"]);
        Assert.Equal("geodetic-spherical", dggs["latitude_convention"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(DggsLayout.Compact)]
    [InlineData(DggsLayout.Full)]
    public async Task Cells_written_read_back_with_coordinates_and_fills(DggsLayout layout)
    {
        using var tmp = new TempStore();
        var store = await DggsStore.CreateAsync(tmp.Store, Template(layout));
        var values = new Dictionary<long, Dictionary<string, byte[]>>();
        for (int i = 0; i < Parents.Length; i += 2) // cells 0 and 2 written; 1 never
        {
            values[i] = CellValues(i);
            await store.WriteCellAsync(Parents[i], i, values[i]);
        }
        await store.ConsolidateAsync();
        var reopened = await DggsStore.OpenAsync(tmp.Store);
        Assert.Equal(layout, reopened.Template.Layout);
        for (int i = 0; i < Parents.Length; i++)
        {
            long chunk = reopened.ChunkOf(Parents[i], i);
            foreach (var v in reopened.Template.Variables)
            {
                var got = await reopened.Arrays[v.Name].ReadChunkAsync([chunk]);
                Assert.Equal(values.TryGetValue(i, out var w) ? w[v.Name] : reopened.Arrays[v.Name].FilledChunk(), got);
            }
            var morton = await reopened.Arrays["morton"].ReadChunkAsync([chunk]);
            if (values.ContainsKey(i))
                Assert.Equal(Morton.FromNested((Parents[i] << 6) + 17, 5), BitConverter.ToInt64(morton, 17 * 8));
        }
        // Two chunks written; a complete compact store has three, a full-layout store does not say how many it should.
        var count = (await DggsInspection.SummarizeAsync(reopened)).Single(s => s.Path.EndsWith("/count", StringComparison.Ordinal));
        Assert.Equal(2, count.ChunksWritten);
        Assert.Equal(layout == DggsLayout.Compact ? 3 : null, count.ChunksExpected);
        if (layout == DggsLayout.Full)
        {
            Assert.False(reopened.Arrays.ContainsKey("cell_ids"));
            Assert.Equal([12L << 10], reopened.Arrays["count"].Metadata.Shape);
            Assert.Null(JsonNode.Parse(File.ReadAllText(Path.Combine(tmp.Dir, "zarr.json")))!["consolidated_metadata"]!["metadata"]!["5"]!["attributes"]!["dggs"]!["coordinate"]);
            // Untouched chunks are simply absent: one chunk file per written cell and array.
            var chunkFiles = Directory.GetFiles(Path.Combine(tmp.Dir, "5", "count", "c"));
            Assert.Equal(new[] { Parents[0], Parents[2] }.Select(p => p.ToString()).Order(), chunkFiles.Select(Path.GetFileName).Order());
        }
        else
        {
            var ids = await reopened.Arrays["cell_ids"].ReadChunkAsync([2]);
            Assert.Equal((ulong)(Parents[2] << 6), BitConverter.ToUInt64(ids, 0));
        }
    }

    [Fact]
    public async Task An_existing_store_is_refused_unless_overwrite()
    {
        using var tmp = new TempStore();
        var first = await DggsStore.CreateAsync(tmp.Store, Template(DggsLayout.Compact));
        await first.WriteCellAsync(Parents[0], 0, CellValues(1));
        var e = await Assert.ThrowsAsync<ZarrException>(() => DggsStore.CreateAsync(tmp.Store, Template(DggsLayout.Compact)));
        Assert.Contains("already exists", e.Message);
        await DggsStore.CreateAsync(tmp.Store, Template(DggsLayout.Full), overwrite: true);
        Assert.False(await tmp.Store.ExistsAsync("5/cell_ids/zarr.json")); // the full layout has no cell_ids array
        Assert.DoesNotContain(Directory.GetFiles(tmp.Dir, "*", SearchOption.AllDirectories), f => f.Contains($"{Path.DirectorySeparatorChar}c{Path.DirectorySeparatorChar}"));
    }

    [Fact]
    public async Task Eight_writers_at_once_then_consolidation_leave_every_chunk_correct()
    {
        using var tmp = new TempStore();
        var parents = Enumerable.Range(0, 24).Select(i => (long)i * 7 % HealpixNested.CellCount(2)).Distinct().ToArray();
        var t = Template(DggsLayout.Compact) with { ParentCellCount = parents.Length };
        await DggsStore.CreateAsync(tmp.Store, t);
        // Eight independent writers (separate store objects, as separate processes would be), each cell written twice.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var mine = await DggsStore.OpenAsync(new LocalStore(tmp.Dir));
            for (int i = w; i < parents.Length * 2; i += 8)
                await mine.WriteCellAsync(parents[i % parents.Length], i % parents.Length, CellValues(i % parents.Length));
        })));
        await (await DggsStore.OpenAsync(tmp.Store)).ConsolidateAsync();
        var check = await DggsStore.OpenAsync(tmp.Store);
        for (int i = 0; i < parents.Length; i++)
            foreach (var (name, bytes) in CellValues(i))
                Assert.Equal(bytes, await check.Arrays[name].ReadChunkAsync([i]));
        Assert.Empty(Directory.GetFiles(tmp.Dir, "*zagg-tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_store_never_consolidated_still_opens()
    {
        using var tmp = new TempStore();
        var store = await DggsStore.CreateAsync(tmp.Store, Template(DggsLayout.Compact));
        await store.WriteCellAsync(Parents[1], 1, CellValues(5));
        var reopened = await DggsStore.OpenAsync(tmp.Store);
        Assert.Equal(CellValues(5)["h_mean"], await reopened.Arrays["h_mean"].ReadChunkAsync([1]));
        Assert.Null(JsonNode.Parse(File.ReadAllText(Path.Combine(tmp.Dir, "zarr.json")))!["consolidated_metadata"]);
    }

    [Fact]
    public async Task Bad_stores_fail_with_a_message_naming_them()
    {
        string file = Path.GetTempFileName();
        try
        {
            // A path whose parent is a file cannot become a store.
            var e = await Assert.ThrowsAsync<StoreException>(() => DggsStore.CreateAsync(new LocalStore(Path.Combine(file, "out.zarr")), Template(DggsLayout.Compact)));
            Assert.Contains("out.zarr", e.Message);
        }
        finally { File.Delete(file); }
        using var tmp = new TempStore();
        await DggsStore.CreateAsync(tmp.Store, Template(DggsLayout.Compact));
        File.WriteAllText(Path.Combine(tmp.Dir, "5", "count", "zarr.json"), "{ \"zarr_format\": 3, \"node_type\": ");
        var corrupt = await Assert.ThrowsAsync<ZarrException>(() => DggsStore.OpenAsync(tmp.Store));
        Assert.Contains("5/count", corrupt.Message);
        Assert.Contains("not valid JSON", corrupt.Message);
        File.WriteAllText(Path.Combine(tmp.Dir, "5", "count", "zarr.json"), """{"zarr_format": 3, "node_type": "array", "shape": [10], "data_type": "complex128"}""");
        Assert.Contains("data_type \"complex128\" is not supported", (await Assert.ThrowsAsync<ZarrException>(() => DggsStore.OpenAsync(tmp.Store))).Message);
        Assert.Contains("nothing: no Zarr store here", (await Assert.ThrowsAsync<ZarrException>(() => DggsStore.OpenAsync(new LocalStore(Path.Combine(tmp.Dir, "nothing"))))).Message);
        // A Zarr store that holds no Zagg group is named as such.
        Directory.CreateDirectory(Path.Combine(tmp.Dir, "plain"));
        File.WriteAllText(Path.Combine(tmp.Dir, "plain", "zarr.json"), """{"zarr_format": 3, "node_type": "group", "attributes": {}}""");
        Assert.Contains("plain: not a Zagg DGGS store", (await Assert.ThrowsAsync<ZarrException>(() => DggsStore.OpenAsync(new LocalStore(Path.Combine(tmp.Dir, "plain"))))).Message);
    }
}

public class LocalStoreTests
{
    [Fact]
    public async Task A_folder_removed_under_the_store_is_made_again_on_the_next_write()
    {
        using var tmp = new TempStore();
        var store = tmp.Store;
        await store.SetAsync("12/count/c/0", new byte[] { 1, 2, 3 });
        Directory.Delete(Path.Combine(tmp.Dir, "12"), recursive: true); // the store remembers having made 12/count/c
        await store.SetAsync("12/count/c/1", new byte[] { 4, 5 });
        Assert.Equal(new byte[] { 4, 5 }, await store.GetAsync("12/count/c/1"));
        Assert.Null(await store.GetAsync("12/count/c/0"));
        Assert.Empty(Directory.GetFiles(Path.Combine(tmp.Dir, "12", "count", "c"), "*.zagg-tmp"));
    }
}
