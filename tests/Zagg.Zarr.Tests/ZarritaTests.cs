using System.Text.Json;
using Xunit;
using Zagg.Zarr.Codecs;
using Zagg.Zarr.Stores;

namespace Zagg.Zarr.Tests;

public class ZarritaTests
{
    [NeedsZarritaFact]
    public async Task Zarrita_reads_every_type_fill_and_codec_chain_we_write()
    {
        using var tmp = new TempStore();
        var store = tmp.Store;
        await ZarrHierarchy.CreateGroupAsync(store, "", new System.Text.Json.Nodes.JsonObject { ["title"] = "interop" });
        var expected = new Dictionary<string, (ZarrDataType Type, byte[] Data, long[] Shape, byte[] Fill)>();
        foreach (string chain in new[] { "bytes", "bytes-big", "gzip-crc32c", "sharded-gzip-crc32c" })
            foreach (var type in RoundTripTests.Types)
            {
                string path = $"{chain}/{type.Name()}";
                var fill = RoundTripTests.FillFor(type, 1);
                var meta = new ArrayMetadata { Shape = [16, 15], DataType = type, ChunkShape = [8, 10], FillValue = fill, Codecs = RoundTripTests.Chain(chain), DimensionNames = ["y", "x"] };
                var a = await ZarrArray.CreateAsync(store, path, meta);
                for (long i = 0; i < 2; i++)
                    for (long j = 0; j < 2; j++)
                        if (i + j != 2) await a.WriteChunkAsync([i, j], RoundTripTests.Values(type, 80, fill, (int)(i * 3 + j)));
                expected[path] = (type, await a.ReadAsync(), meta.Shape, fill);
            }
        var read = await Zarrita.ReadAsync(tmp.Dir, expected.Keys.ToArray());
        Assert.Equal("interop", read.GetProperty("/").GetProperty("attributes").GetProperty("title").GetString());
        foreach (var (path, (type, data, shape, fill)) in expected)
        {
            var r = read.GetProperty(path);
            Assert.Equal(shape, r.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
            Assert.Equal(type.Name(), r.GetProperty("dtype").GetString());
            Assert.Equal(Zarrita.Value(type, fill, 0), Zarrita.Printed(r.GetProperty("fill_value")));
            var values = r.GetProperty("values").EnumerateArray().ToList();
            Assert.Equal(data.Length / type.Size(), values.Count);
            for (int i = 0; i < values.Count; i++)
                Assert.True(Zarrita.Value(type, data, i) == Zarrita.Printed(values[i]), $"{path}[{i}]: ours {Zarrita.Value(type, data, i)}, zarrita {values[i]}");
        }
    }
}
