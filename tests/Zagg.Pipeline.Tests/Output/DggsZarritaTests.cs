using Xunit;
using Zagg.Pipeline.Output;
using Zagg.Zarr;
using Zagg.Zarr.Codecs;
using Zagg.Zarr.Tests;

namespace Zagg.Pipeline.Tests;

/// <summary>An independent reader (zarrita) reads the DGGS stores the pipeline writes.</summary>
public class DggsZarritaTests
{
    [NeedsZarritaFact]
    public async Task Zarrita_reads_dggs_stores_in_both_layouts_sharded_or_not()
    {
        foreach (var (layout, codecs) in new (DggsLayout, IReadOnlyList<CodecSpec>)[]
        {
            (DggsLayout.Compact, [CodecSpec.Bytes()]),
            (DggsLayout.Full, [CodecSpec.Sharding([16], [CodecSpec.Bytes(), CodecSpec.Gzip(5), CodecSpec.Crc32c()])]),
            (DggsLayout.Compact, [CodecSpec.Sharding([8], [CodecSpec.Bytes()])]),
        })
        {
            using var tmp = new TempStore();
            var store = await DggsStore.CreateAsync(tmp.Store, DggsStoreTests.Template(layout, codecs: codecs));
            for (int i = 0; i < DggsStoreTests.Parents.Length; i += 2)
                await store.WriteCellAsync(DggsStoreTests.Parents[i], i, DggsStoreTests.CellValues(i));
            await store.ConsolidateAsync();
            var names = store.Arrays.Keys.ToArray();
            var read = await Zarrita.ReadAsync(tmp.Dir, [.. names.Select(n => "5/" + n), "5"]);
            var dggs = read.GetProperty("5").GetProperty("attributes").GetProperty("dggs");
            Assert.Equal("healpix", dggs.GetProperty("name").GetString());
            Assert.Equal(5, dggs.GetProperty("refinement_level").GetInt32());
            Assert.Equal(layout == DggsLayout.Compact, dggs.TryGetProperty("coordinate", out _));
            Assert.Equal(6378137.0, dggs.GetProperty("ellipsoid").GetProperty("semi_major_axis").GetDouble());
            Assert.Equal("7b255807-140c-42ca-97f6-7a1cfecdbc38", read.GetProperty("5").GetProperty("attributes").GetProperty("zarr_conventions")[0].GetProperty("uuid").GetString());
            foreach (string name in names)
            {
                var array = store.Arrays[name];
                var ours = await array.ReadAsync();
                var r = read.GetProperty("5/" + name);
                Assert.Equal(array.Metadata.Shape, r.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
                var values = r.GetProperty("values").EnumerateArray().ToList();
                for (int i = 0; i < values.Count; i++)
                    Assert.True(Zarrita.Value(array.Metadata.DataType, ours, i) == Zarrita.Printed(values[i]), $"{layout} {name}[{i}]");
            }
        }
    }
}
