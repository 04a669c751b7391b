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
        return Task.FromResult(new List<ChunkRef>
        {
            new(new long[input.Grid.Rank], l.Address, l.SingleChunkFiltered ? l.SingleChunkFilteredSize : input.RawBytes, l.SingleChunkFilterMask),
        });
    }
}
