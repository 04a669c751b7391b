using Zagg.Hdf5.Format;

namespace Zagg.Hdf5.Chunks;

/// <summary>
/// Version 1 B-tree of raw data chunks (node type 1): every layout before version 4 and the default
/// of older libraries. Each key holds the chunk's stored size, filter mask and offset (HDF5 File
/// Format Specification 3.0, III.A.1 "Version 1 B-trees").
/// </summary>
internal sealed class BTreeV1ChunkIndex : ChunkIndex
{
    public static readonly BTreeV1ChunkIndex Instance = new();

    public override async Task<List<ChunkRef>> ListAsync(ChunkIndexInput input, CancellationToken ct)
    {
        var ctx = input.Context;
        int rank = input.Grid.Rank;
        var list = new List<ChunkRef>();
        await BTreeV1.CollectAsync(ctx, input.Layout.Address, 1, input.Path, (key, child) =>
        {
            var r = ctx.Reader(key, $"{input.Where}: chunk key");
            uint size = r.U32();
            uint mask = r.U32();
            var offset = new long[rank];
            for (int d = 0; d < rank; d++) offset[d] = (long)r.U64();
            // The key's last offset is in the element-size dimension: 0 for every chunk. libhdf5 compares it too
            // when it looks a chunk up, and misses a chunk whose key says otherwise: such a key is damage.
            if (r.U64() != 0) throw r.Error("a chunk key's offset in the element dimension is not 0; the B-tree is damaged");
            list.Add(new ChunkRef(offset, child, size, mask));
        }, ct, rank).ConfigureAwait(false);
        return list;
    }
}
