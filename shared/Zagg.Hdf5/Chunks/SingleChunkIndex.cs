namespace Zagg.Hdf5.Chunks;

/// <summary>
/// A dataset of exactly one chunk: the layout message holds its address (and, when filtered, its
/// size and mask) directly (HDF5 File Format Specification 3.0, IV.A.2.i, "Single Chunk" indexing).
/// </summary>
internal sealed class SingleChunkIndex : ChunkIndex
{
    public static readonly SingleChunkIndex Instance = new();

    public override Task<List<ChunkRef>> ListAsync(ChunkIndexInput input, CancellationToken ct)
    {
        var l = input.Layout;
        // libhdf5 chooses this index only when one chunk covers the dataset's maximum shape; read another way it
        // hands that one address out for every chunk. A single-chunk index over more chunks is damage: refused.
        long chunks = input.Grid.Count();
        if (chunks != 1) throw new Hdf5Exception($"{input.Where}: a single-chunk index over a grid of {chunks} chunks; the file is damaged");
        return Task.FromResult(new List<ChunkRef>
        {
            new(new long[input.Grid.Rank], l.Address, l.SingleChunkFiltered ? l.SingleChunkFilteredSize : input.RawBytes, l.SingleChunkFilterMask),
        });
    }
}
