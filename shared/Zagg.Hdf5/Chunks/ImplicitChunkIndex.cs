using Zagg.Hdf5.Format;

namespace Zagg.Hdf5.Chunks;

/// <summary>
/// Unfiltered chunks allocated at once, back to back in row-major chunk order from the layout's
/// address; no index structure is stored (HDF5 File Format Specification 3.0, IV.A.2.i, "Implicit" indexing).
/// </summary>
internal sealed class ImplicitChunkIndex : ChunkIndex
{
    public static readonly ImplicitChunkIndex Instance = new();

    /// <summary>
    /// The chunks inside the current extent, each at the address its row-major number over the maximum dimensions
    /// gives (as libhdf5's H5D__none_get_addr computes it). Chunks beyond the extent are never read, so a damaged
    /// maximum dimension that claims millions of chunks costs nothing here.
    /// </summary>
    public override Task<List<ChunkRef>> ListAsync(ChunkIndexInput input, CancellationToken ct)
    {
        var grid = input.Grid;
        long[] max = grid.Dims(), extent = grid.ExtentDims();
        int rank = max.Length;
        ulong total = 1;
        foreach (long e in extent) total = Saturating.Multiply(total, (ulong)e);
        // The chunks of the extent are stored back to back: they must fit in the file's allocation before any is listed.
        if (Saturating.Multiply(total, input.RawBytes) > input.Context.EndOfAllocation)
            throw new Hdf5Exception($"{input.Where}: the implicit index's {total} chunks of {input.RawBytes} bytes are more than the file holds ({input.Context.EndOfAllocation} bytes allocated); the file is damaged");
        long count = (long)total;
        var list = new List<ChunkRef>((int)Math.Min(count, 1 << 16));
        var scaled = new long[rank];
        for (long k = 0; k < count; k++)
        {
            ct.ThrowIfCancellationRequested();
            long rest = k;
            for (int d = rank - 1; d >= 0; d--) { scaled[d] = rest % extent[d]; rest /= extent[d]; }
            ulong linear = 0;
            var offset = new long[rank];
            for (int d = 0; d < rank; d++)
            {
                linear = Saturating.Add(Saturating.Multiply(linear, (ulong)max[d]), (ulong)scaled[d]);
                offset[d] = scaled[d] * (long)grid.ChunkDims[d];
            }
            ulong address = Saturating.Add(input.Layout.Address, Saturating.Multiply(linear, input.RawBytes));
            if (address > long.MaxValue) throw new Hdf5Exception($"{input.Where}: implicit chunk {k} lies at an address beyond any file; the layout is damaged");
            list.Add(new ChunkRef(offset, address, input.RawBytes, 0));
        }
        return Task.FromResult(list);
    }
}
