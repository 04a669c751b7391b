using System.Text.Json;
using Xunit;
using Zagg.Pipeline.Aggregation;
using Zagg.Pipeline.Config;
using Zagg.Grid;

namespace Zagg.Pipeline.Tests;

/// <summary>
/// One parent cell at a time against the independent computation in
/// tools/fixtures/atl06_testset.py (numpy statistics over healpy cells).
/// </summary>
public class CellAggregatorTests
{
    private static readonly string Dir = Path.Combine(AppContext.BaseDirectory, "TestSet");
    private static readonly JsonElement Expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "expected.json"))).RootElement;
    private static string[] Granules => Expected.GetProperty("granules").EnumerateArray().Select(g => Path.Combine(Dir, g.GetString()!)).ToArray();

    private static PipelineConfig Config(string convention)
    {
        using var s = typeof(ConfigLoader).Assembly.GetManifestResourceStream("Zagg.Configs.atl06.yaml")!;
        string yaml = new StreamReader(s).ReadToEnd().Replace("child_order: 12}", $"child_order: 12, latitude: {convention}}}");
        return ConfigLoader.Parse(yaml, "atl06.yaml");
    }

    /// <summary>|ours − truth| within half a float32 ulp of the truth: the float64 result, rounded once to float32.</summary>
    private static void Float32Of(double truth, float ours, string what)
    {
        float rounded = (float)truth;
        double halfUlp = Math.Abs(MathF.BitIncrement(Math.Abs(rounded)) - Math.Abs(rounded)) / 2.0;
        Assert.True(Math.Abs(ours - truth) <= halfUlp * 1.0000001, $"{what}: truth {truth:R}, ours {ours:R}");
    }

    [Theory]
    [InlineData("authalic")]
    [InlineData("geodetic-spherical")]
    public async Task Every_child_of_every_cell_matches_numpy(string convention)
    {
        var config = Config(convention);
        var aggregator = new CellAggregator(config, parentOrder: 6);
        long obs = 0;
        int cells = 0;
        foreach (var cell in Expected.GetProperty("conventions").GetProperty(convention).EnumerateArray())
        {
            long parent = cell.GetProperty("parent").GetInt64();
            var agg = await aggregator.AggregateAsync(parent, Granules);
            var expectedChildren = cell.GetProperty("children").EnumerateObject().ToDictionary(p => int.Parse(p.Name), p => p.Value);
            Assert.Null(agg.Result.Error);
            Assert.Empty(agg.Result.GranuleErrors);
            Assert.Equal(4, agg.Result.FilesProcessed);
            Assert.Equal(Morton.FromNested(parent, 6), agg.Result.ParentMorton);
            Assert.Equal(expectedChildren.Count, agg.Result.CellsWithData);
            Assert.Equal(expectedChildren.Values.Sum(c => c.GetProperty("count").GetInt64()), agg.Result.TotalObs);
            for (int child = 0; child < 4096; child++)
            {
                int count = BitConverter.ToInt32(agg.Chunks["count"], child * 4);
                if (!expectedChildren.TryGetValue(child, out var e))
                {
                    Assert.Equal(0, count);
                    Assert.True(float.IsNaN(BitConverter.ToSingle(agg.Chunks["h_mean"], child * 4)));
                    continue;
                }
                Assert.Equal(e.GetProperty("count").GetInt32(), count);
                foreach (string name in new[] { "h_min", "h_max", "h_mean", "h_sigma", "h_variance", "h_q25", "h_q50", "h_q75" })
                    Float32Of(e.GetProperty(name).GetDouble(), BitConverter.ToSingle(agg.Chunks[name], child * 4), $"{convention} cell {parent} child {child} {name}");
            }
            obs += agg.Result.TotalObs;
            cells++;
        }
        Assert.Equal(7, cells);
        Assert.True(obs > 50_000);
    }

    [Fact]
    public async Task A_corrupt_granule_among_good_ones_is_reported_and_the_rest_aggregated()
    {
        string corrupt = Path.Combine(Path.GetTempPath(), $"ATL06_corrupt_{Guid.NewGuid():N}.h5");
        var bytes = File.ReadAllBytes(Granules[0]);
        File.WriteAllBytes(corrupt, bytes[..(bytes.Length / 3)]);
        try
        {
            var cell = Expected.GetProperty("conventions").GetProperty("authalic")[0];
            var agg = await new CellAggregator(Config("authalic"), 6).AggregateAsync(cell.GetProperty("parent").GetInt64(), [.. Granules, corrupt]);
            Assert.Equal(5, agg.Result.GranuleCount);
            Assert.Equal(4, agg.Result.FilesProcessed);
            Assert.Null(agg.Result.Error);
            var error = Assert.Single(agg.Result.GranuleErrors);
            Assert.Contains(corrupt, error);
            Assert.StartsWith(corrupt + ": ", error);
            Assert.Equal(1, error.Split(corrupt).Length - 1); // named once
            Assert.Contains("the file is truncated or damaged", error);
        }
        finally { File.Delete(corrupt); }
    }

    [Fact]
    public async Task Cells_without_granules_or_data_say_so()
    {
        var aggregator = new CellAggregator(Config("authalic"), 6);
        Assert.Equal("No granules found", (await aggregator.AggregateAsync(GeoGrid.Locate(-75, 10, 6), [])).Result.Error);
        var far = await aggregator.AggregateAsync(GeoGrid.Locate(60, 10, 6), Granules);
        Assert.Equal("No data after filtering", far.Result.Error);
        Assert.Equal(0, far.Result.CellsWithData);
        Assert.All(Enumerable.Range(0, 4096), i => Assert.True(float.IsNaN(BitConverter.ToSingle(far.Chunks["h_q50"], i * 4))));
    }
}
