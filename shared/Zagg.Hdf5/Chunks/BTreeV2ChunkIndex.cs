using Zagg.Hdf5.Format;

namespace Zagg.Hdf5.Chunks;

/// <summary>
/// Version 2 B-tree of chunk records (record types 10, unfiltered, and 11, filtered): datasets with
/// more than one unlimited dimension. Records hold the address, for filtered chunks the size and
/// mask, then the chunk's scaled offset (HDF5 File Format Specification 3.0, III.A.2 "Version 2 B-trees").
/// </summary>
/// <remarks>
/// libhdf5 finds a chunk by a binary search over the records (H5D__bt2_compare: scaled offsets, dimension 0 first):
/// records out of that order are missed there (the fill value is read) though a walk finds them, so a tree whose
/// records, taken in order, do not increase strictly is refused as damaged.
/// </remarks>
internal sealed class BTreeV2ChunkIndex : ChunkIndex
{
    private static int Compare(long[] a, long[] b)
    {
        for (int d = 0; d < a.Length; d++)
            if (a[d] != b[d]) return a[d] < b[d] ? -1 : 1;
        return 0;
    }

    public static readonly BTreeV2ChunkIndex Instance = new();

    public override async Task<List<ChunkRef>> ListAsync(ChunkIndexInput input, CancellationToken ct)
    {
        var ctx = input.Context;
        int rank = input.Grid.Rank;
        var list = new List<ChunkRef>();
        foreach (var rec in await BTreeV2.RecordsAsync(ctx, input.Layout.Address, input.Path, ct).ConfigureAwait(false))
        {
            var r = ctx.Reader(rec, $"{input.Where}: chunk record");
            ulong address = r.Offset();
            ulong size = input.RawBytes;
            uint mask = 0;
            if (input.Filtered)
            {
                int sizeBytes = rec.Length - ctx.OffsetSize - 4 - 8 * rank;
                if (sizeBytes is < 1 or > 8) throw new Hdf5Exception($"{input.Where}: v2 B-tree chunk records of {rec.Length} bytes leave {sizeBytes} for a filtered chunk's size (1–8)");
                size = r.UVar(sizeBytes);
                mask = r.U32();
            }
            var offset = new long[rank];
            for (int d = 0; d < rank; d++) offset[d] = (long)r.U64() * (long)input.Grid.ChunkDims[d];
            if (list.Count > 0 && Compare(list[^1].Offset, offset) >= 0)
                throw new Hdf5Exception($"{input.Where}: v2 B-tree chunk records {list.Count - 1} and {list.Count} are not in increasing order; the B-tree is damaged");
            list.Add(new ChunkRef(offset, address, size, mask));
        }
        return list;
    }
}
