using Zagg.Hdf5.Format;

namespace Zagg.Hdf5.Chunks;

/// <summary>
/// Extensible array of chunk entries: datasets with one unlimited dimension (the default for
/// appendable datasets from HDF5 1.10). Entries hold the address and, when filtered, the size and
/// mask; chunks are numbered with the unlimited dimension first (HDF5 File Format Specification
/// 3.0, VII.B "Extensible Array").
/// </summary>
internal sealed class ExtensibleArrayChunkIndex : ChunkIndex
{
    public static readonly ExtensibleArrayChunkIndex Instance = new();

    public override async Task<List<ChunkRef>> ListAsync(ChunkIndexInput input, CancellationToken ct)
    {
        var ctx = input.Context;
        var list = new List<ChunkRef>();
        foreach (var (index, element) in await ExtensibleArray.ElementsAsync(ctx, input.Layout.Address, input.Path, ct).ConfigureAwait(false))
        {
            var r = ctx.Reader(element, $"{input.Where}: chunk entry");
            ulong address = r.Offset();
            if (address == H5Reader.Undefined) continue;
            ulong size = input.RawBytes;
            uint mask = 0;
            if (input.Filtered)
            {
                int sizeBytes = element.Length - ctx.OffsetSize - 4;
                if (sizeBytes is < 1 or > 8) throw new Hdf5Exception($"{input.Where}: extensible array entries of {element.Length} bytes leave {sizeBytes} for a filtered chunk's size (1–8)");
                size = r.UVar(sizeBytes);
                mask = r.U32();
            }
            list.Add(new ChunkRef(input.Grid.UnlimitedFirstOffset(index), address, size, mask));
        }
        return list;
    }
}
