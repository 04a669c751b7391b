using Zagg.Hdf5.Format;

namespace Zagg.Hdf5.Chunks;

/// <summary>What a chunk index needs to know of its dataset.</summary>
/// <param name="Context">The file's addressing and metadata cache.</param>
/// <param name="Layout">The data layout message (index address and parameters).</param>
/// <param name="Grid">The chunk grid.</param>
/// <param name="RawBytes">Bytes of one unfiltered chunk (the stored size when the dataset has no filters).</param>
/// <param name="Filtered">Whether the dataset has a filter pipeline (entries then carry a size and a mask).</param>
/// <param name="Path">The dataset's path, for messages.</param>
/// <param name="Where">"file: path", for messages.</param>
internal sealed record ChunkIndexInput(H5Context Context, DataLayout Layout, ChunkGrid Grid, ulong RawBytes, bool Filtered, string Path, string Where);

/// <summary>
/// One kind of chunk index: how a chunked dataset finds its chunks. One type per kind, as the HDF5
/// File Format Specification 3.0 lists them (IV.A.2.i, layout version 3 and 4 indexing types).
/// </summary>
internal abstract class ChunkIndex
{
    /// <summary>Every chunk the index records, in the index's order.</summary>
    /// <exception cref="Hdf5Exception">The index structure is damaged.</exception>
    public abstract Task<List<ChunkRef>> ListAsync(ChunkIndexInput input, CancellationToken ct);

    /// <summary>The index of a layout's indexing type.</summary>
    /// <exception cref="Hdf5UnsupportedException">An indexing type the specification does not define.</exception>
    public static ChunkIndex For(ChunkIndexType type, string where) => type switch
    {
        ChunkIndexType.BTreeV1 => BTreeV1ChunkIndex.Instance,
        ChunkIndexType.SingleChunk => SingleChunkIndex.Instance,
        ChunkIndexType.Implicit => ImplicitChunkIndex.Instance,
        ChunkIndexType.FixedArray => FixedArrayChunkIndex.Instance,
        ChunkIndexType.ExtensibleArray => ExtensibleArrayChunkIndex.Instance,
        ChunkIndexType.BTreeV2 => BTreeV2ChunkIndex.Instance,
        _ => throw new Hdf5UnsupportedException($"{where}: chunk index {(int)type} is not supported"),
    };
}
