using Zagg.Hdf5.Format;

namespace Zagg.Hdf5.Chunks;

/// <summary>
/// Fixed array of chunk entries: datasets of fixed maximum shape (the default from HDF5 1.10). A
/// header ("FAHD") gives the entry count and the data block ("FADB"), paged when the entries exceed
/// 2^pageBits; entries hold the address and, for client 1 (filtered), the size and mask (HDF5 File
/// Format Specification 3.0, VII.A "Fixed Array").
/// </summary>
internal sealed class FixedArrayChunkIndex : ChunkIndex
{
    public static readonly FixedArrayChunkIndex Instance = new();

    public override async Task<List<ChunkRef>> ListAsync(ChunkIndexInput input, CancellationToken ct)
    {
        var ctx = input.Context;
        var list = new List<ChunkRef>();
        ulong address0 = input.Layout.Address;
        string what = $"{input.Where}: fixed array index at {address0}";
        ctx.CheckAddress(address0, what);
        var head = await ctx.Metadata.ReadAsync((long)address0, 16 + ctx.LengthSize + ctx.OffsetSize, ct).ConfigureAwait(false);
        var r = ctx.Reader(head.Span, what);
        r.Signature("FAHD");
        if (r.U8() != 0) throw r.Error("version is not 0");
        int client = r.U8();
        int entrySize = r.U8();
        int pageBits = r.U8();
        ulong entries = r.Length();
        ulong dataBlock = r.Offset();
        Checksum.VerifyAt(head.Span, r.Position, what);
        // Client 0 entries are an address; client 1 (filtered) entries add a chunk size of 1–8 bytes and a filter mask.
        if (client is not (0 or 1)) throw new Hdf5Exception($"{what}: client id {client} is not defined");
        if (client == 0 ? entrySize != ctx.OffsetSize : entrySize - ctx.OffsetSize - 4 is < 1 or > 8)
            throw new Hdf5Exception($"{what}: entries of {entrySize} bytes do not fit client {client} with {ctx.OffsetSize}-byte addresses");
        if (pageBits is 0 or > 32) throw new Hdf5Exception($"{what}: {pageBits} page bits are outside 1–32");
        long chunks = input.Grid.Count();
        if ((long)entries != chunks) throw new Hdf5Exception($"{what}: {entries} entries for {chunks} chunks");
        if (entries == 0 || dataBlock == H5Reader.Undefined) return list;
        string dwhat = $"{input.Where}: fixed array data block at {dataBlock}";
        ulong pageEntries = 1UL << pageBits;
        bool paged = entries > pageEntries;
        ulong pages = paged ? (entries + pageEntries - 1) / pageEntries : 0;
        int prefix = 4 + 1 + 1 + ctx.OffsetSize;
        int bitmap = paged ? (int)((pages + 7) / 8) : 0;
        ulong total = paged
            ? (ulong)(prefix + bitmap + 4) + entries * (ulong)entrySize + pages * 4
            : (ulong)prefix + entries * (ulong)entrySize + 4;
        ctx.CheckRange(dataBlock, total, dwhat);
        var block = await ctx.Metadata.ReadAsync((long)dataBlock, (int)total, ct).ConfigureAwait(false);
        var b = ctx.Reader(block.Span, dwhat);
        b.Signature("FADB");
        if (b.U8() != 0) throw b.Error("version is not 0");
        // libhdf5 refuses a data block whose client id is not its header's ("incorrect fixed array class").
        if (b.U8() is var blockClient && blockClient != client) throw b.Error($"client id {blockClient} differs from the header's {client}");
        // ... and one that names another header ("wrong fixed array header address").
        if (b.Offset() is var header && header != address0) throw b.Error($"names the header at {header}, not {address0}");
        // A paged block marks the pages written (most significant bit first, as libhdf5's H5VM_bit_get reads
        // it); the entries of a page never written are undefined: their chunks read as the fill value.
        byte[] initialized = b.Bytes(bitmap).ToArray();
        if (!paged) Checksum.VerifyAt(block.Span, (int)total - 4, dwhat);
        else { Checksum.VerifyAt(block.Span, prefix + bitmap, dwhat); b.Skip(4); }
        for (ulong i = 0; i < entries; i++)
        {
            if (paged && i > 0 && i % pageEntries == 0) b.Skip(4);
            ulong address = b.Offset();
            ulong size = input.RawBytes;
            uint mask = 0;
            if (client == 1)
            {
                size = b.UVar(entrySize - ctx.OffsetSize - 4);
                mask = b.U32();
            }
            if (paged && (initialized[(int)(i / pageEntries / 8)] & (0x80 >> (int)(i / pageEntries % 8))) == 0) address = H5Reader.Undefined;
            list.Add(new ChunkRef(input.Grid.Offset((long)i), address, size, mask));
        }
        return list;
    }
}
