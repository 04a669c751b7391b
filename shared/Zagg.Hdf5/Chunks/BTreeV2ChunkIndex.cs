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
    /// <summary>Compares scaled offsets as libhdf5 does (H5D__bt2_compare): unsigned 64-bit, dimension 0 first.</summary>
    private static int Compare(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b)
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
        ulong[] previous = new ulong[rank], scaled = new ulong[rank];
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
            for (int d = 0; d < rank; d++)
            {
                scaled[d] = r.U64();
                // A scaled offset whose element offset does not fit 63 bits is damage (it wrapped to a real chunk's before).
                ulong element = Saturating.Multiply(scaled[d], input.Grid.ChunkDims[d]);
                if (element > long.MaxValue)
                    throw new Hdf5Exception($"{input.Where}: v2 B-tree chunk record {list.Count} has scaled offset {scaled[d]} in dimension {d}, beyond any dataspace; the B-tree is damaged");
                offset[d] = (long)element;
            }
            if (list.Count > 0 && Compare(previous, scaled) >= 0)
                throw new Hdf5Exception($"{input.Where}: v2 B-tree chunk records {list.Count - 1} and {list.Count} are not in increasing order; the B-tree is damaged");
            (previous, scaled) = (scaled, previous);
            list.Add(new ChunkRef(offset, address, size, mask));
        }
        return list;
    }
}
