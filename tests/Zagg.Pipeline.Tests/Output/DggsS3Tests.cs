using Xunit;
using Zagg.Grid;
using Zagg.Pipeline.Output;
using Zagg.TestSupport;
using Zagg.Zarr;
using Zagg.Zarr.Codecs;
using Zagg.Zarr.Stores;

namespace Zagg.Pipeline.Tests;

/// <summary>DGGS stores on a real s3rver on loopback: concurrent writers, consolidation, a missing bucket.</summary>
public class DggsS3Tests(S3rverServer s3) : IClassFixture<S3rverServer>
{
    private S3Store Store(string prefix) => S3Store.Open($"s3://{S3rverServer.Bucket}/{prefix}", s3.Client());

    [NeedsS3rverFact]
    public async Task Dggs_stores_on_s3_round_trip_with_eight_writers_and_consolidation()
    {
        foreach (var (layout, codecs) in new (DggsLayout, IReadOnlyList<CodecSpec>)[]
        {
            (DggsLayout.Compact, [CodecSpec.Bytes()]),
            (DggsLayout.Full, [CodecSpec.Sharding([16], [CodecSpec.Bytes(), CodecSpec.Gzip(5), CodecSpec.Crc32c()])]),
        })
        {
            string prefix = $"runs/{layout}-{Guid.NewGuid():N}/out.zarr";
            var parents = Enumerable.Range(0, 16).Select(i => (long)i * 11 % HealpixNested.CellCount(2)).Distinct().ToArray();
            var t = DggsStoreTests.Template(layout, codecs: codecs) with { ParentCellCount = parents.Length };
            await DggsStore.CreateAsync(Store(prefix), t);
            await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
            {
                var mine = await DggsStore.OpenAsync(Store(prefix));
                for (int i = w; i < parents.Length; i += 8) await mine.WriteCellAsync(parents[i], i, DggsStoreTests.CellValues(i));
            })));
            await (await DggsStore.OpenAsync(Store(prefix))).ConsolidateAsync();
            var check = await DggsStore.OpenAsync(Store(prefix));
            Assert.Equal(layout, check.Template.Layout);
            for (int i = 0; i < parents.Length; i++)
                foreach (var (name, bytes) in DggsStoreTests.CellValues(i))
                    Assert.Equal(bytes, await check.Arrays[name].ReadChunkAsync([check.ChunkOf(parents[i], i)]));
            var e = await Assert.ThrowsAsync<ZarrException>(() => DggsStore.CreateAsync(Store(prefix), t));
            Assert.Contains("already exists", e.Message);
        }
    }

    [NeedsS3rverFact]
    public async Task A_bucket_that_does_not_exist_is_named()
    {
        var store = S3Store.Open("s3://no-such-bucket/out.zarr", s3.Client());
        var e = await Assert.ThrowsAsync<StoreException>(() => DggsStore.CreateAsync(store, DggsStoreTests.Template(DggsLayout.Compact)));
        Assert.Contains("bucket no-such-bucket does not exist", e.Message);
        Assert.DoesNotContain("S3RVER", e.Message);
    }
}
