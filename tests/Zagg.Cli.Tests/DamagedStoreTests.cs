using System.Text.Json.Nodes;
using Xunit;
using Zagg.Grid;
using Zagg.Pipeline.Output;
using Zagg.Zarr;
using Zagg.Zarr.Stores;

namespace Zagg.Cli.Tests;

/// <summary>
/// <c>zagg inspect</c> and <c>zagg render</c> of a store whose h_mean zarr.json is damaged: one line
/// <c>zagg: error: …</c> naming the file's node, exit 1, no stack trace, and render writes nothing.
/// </summary>
public class DamagedStoreTests
{
    public static TheoryData<string, string, string> Damages() => new()
    {
        { "inspect", "not JSON", "is not valid JSON" },
        { "inspect", "zarr_format 2", "zarr_format is not 3" },
        { "inspect", "shape -1", "does not fit shape [-1]" },
        { "inspect", "chunk shape 0", "chunk_shape [0]" },
        { "render", "not JSON", "is not valid JSON" },
        { "render", "zarr_format 2", "zarr_format is not 3" },
        { "render", "shape -1", "does not fit shape [-1]" },
        { "render", "chunk shape 0", "chunk_shape [0]" },
    };

    [Theory]
    [MemberData(nameof(Damages))]
    public async Task A_damaged_zarr_json_ends_in_one_error_line_and_nothing_written(string verb, string damage, string expected)
    {
        string dir = Directory.CreateTempSubdirectory("zagg-damaged").FullName;
        try
        {
            string store = Path.Combine(dir, "out.zarr");
            long[] parents = [GeoGrid.Locate(-75, 10, 3), GeoGrid.Locate(-80, 100, 3)];
            var dggs = await DggsStore.CreateAsync(new LocalStore(store), new DggsTemplate
            {
                ParentOrder = 3, ChildOrder = 5, ParentCellCount = 2,
                Variables = [new("count", ZarrDataType.Int32), new("h_mean", ZarrDataType.Float32)],
            });
            var mean = new byte[16 * 4];
            for (int k = 0; k < 16; k++) BitConverter.TryWriteBytes(mean.AsSpan(k * 4), 1000f + k);
            await dggs.WriteCellAsync(parents[0], 0, new Dictionary<string, byte[]> { ["h_mean"] = mean });
            // The undamaged store reads.
            Assert.Equal(0, CliRunner.Run("inspect", store).ExitCode);

            string meta = Path.Combine(store, "5", "h_mean", "zarr.json");
            var o = JsonNode.Parse(File.ReadAllText(meta))!.AsObject();
            switch (damage)
            {
                case "not JSON": File.WriteAllText(meta, "{\"zarr_format\": 3, \"shape\": [32"); break;
                case "zarr_format 2": o["zarr_format"] = 2; File.WriteAllText(meta, o.ToJsonString()); break;
                case "shape -1": o["shape"] = new JsonArray(-1); File.WriteAllText(meta, o.ToJsonString()); break;
                default: o["chunk_grid"]!["configuration"]!["chunk_shape"] = new JsonArray(0); File.WriteAllText(meta, o.ToJsonString()); break;
            }

            string png = Path.Combine(dir, "map.png");
            var r = verb == "inspect" ? CliRunner.Run("inspect", store) : CliRunner.Run("render", store, "--out", png);
            Assert.Equal(1, r.ExitCode);
            string line = Assert.Single(r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("zagg: error: ", line);
            Assert.Contains("5/h_mean", line);
            Assert.Contains(expected, line);
            Assert.DoesNotContain("   at ", r.Error);
            Assert.DoesNotContain("Exception", r.Error);
            Assert.False(File.Exists(png), "render wrote its --out");
            Assert.Empty(Directory.GetFiles(dir)); // nothing beside the store (no partial or temporary file)
        }
        finally { Directory.Delete(dir, true); }
    }
}
