using Xunit;
using Zagg.Grid;
using Zagg.Zarr;
using Zagg.Pipeline.Output;
using Zagg.Zarr.Stores;

namespace Zagg.Cli.Tests;

public class InspectCommandTests
{
    [Fact]
    public async Task Inspect_reports_layout_attributes_chunks_and_statistics()
    {
        string dir = Directory.CreateTempSubdirectory("zagg-inspect").FullName;
        try
        {
            long[] parents = [GeoGrid.Locate(-75, 10, 3), GeoGrid.Locate(-80, 100, 3), GeoGrid.Locate(-70, -50, 3)];
            var store = await DggsStore.CreateAsync(new LocalStore(dir), new DggsTemplate
            {
                ParentOrder = 3, ChildOrder = 5, ParentCellCount = 3,
                Variables = [new("count", ZarrDataType.Int32), new("h_mean", ZarrDataType.Float32)],
            });
            var values = new List<float>();
            foreach (int i in new[] { 0, 2 })
            {
                var count = new byte[16 * 4];
                var mean = new byte[16 * 4];
                for (int k = 0; k < 16; k++)
                {
                    bool empty = k % 3 == 0;
                    BitConverter.TryWriteBytes(count.AsSpan(k * 4), empty ? 0 : k + i);
                    float v = empty ? float.NaN : 1000f + 10 * k + i;
                    BitConverter.TryWriteBytes(mean.AsSpan(k * 4), v);
                    if (!empty) values.Add(v);
                }
                await store.WriteCellAsync(parents[i], i, new Dictionary<string, byte[]> { ["count"] = count, ["h_mean"] = mean });
            }
            await store.ConsolidateAsync();

            var r = CliRunner.Run("inspect", dir);
            Assert.Equal(0, r.ExitCode);
            Assert.Contains("(consolidated)", r.Out);
            Assert.Contains("parent order 3, child order 5, compact layout, authalic latitude", r.Out);
            Assert.Contains("3 parent cells × 16 children", r.Out);
            Assert.Contains("\"semi_major_axis\":6378137", r.Out);
            var line = r.Out.Split('\n').Single(l => l.StartsWith("h_mean "));
            Assert.Contains("2/3", line);
            Assert.Contains(values.Min().ToString("G7", System.Globalization.CultureInfo.InvariantCulture), line);
            Assert.Contains(values.Max().ToString("G7", System.Globalization.CultureInfo.InvariantCulture), line);
            Assert.Contains(values.Average(v => (double)v).ToString("G7", System.Globalization.CultureInfo.InvariantCulture), line);
            Assert.Contains("cell_ids", r.Out);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Inspect_of_something_that_is_not_a_store_says_so()
    {
        var r = CliRunner.Run("inspect", "/nonexistent/out.zarr");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("/nonexistent/out.zarr: no Zarr store here (no zarr.json)", r.Error);
    }
}
