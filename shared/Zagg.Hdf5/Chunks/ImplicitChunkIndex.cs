namespace Zagg.Hdf5.Chunks;

/// <summary>
/// Unfiltered chunks allocated at once, back to back in row-major chunk order from the layout's
/// address; no index structure is stored (HDF5 File Format Specification 3.0, IV.A.2.i, "Implicit" indexing).
/// </summary>
internal sealed class ImplicitChunkIndex : ChunkIndex
{
    public static readonly ImplicitChunkIndex Instance = new();

    public override Task<List<ChunkRef>> ListAsync(ChunkIndexInput input, CancellationToken ct)
    {
        var list = new List<ChunkRef>();
        long n = input.Grid.Count();
        for (long i = 0; i < n; i++) list.Add(new ChunkRef(input.Grid.Offset(i), input.Layout.Address + (ulong)i * input.RawBytes, input.RawBytes, 0));
        return Task.FromResult(list);
    }
}
