using System.Numerics;

namespace Zagg.Hdf5.Format;

/// <summary>
/// The extensible array chunk index (one unlimited dimension): elements in the index block,
/// then data blocks reached directly from the index block or through super blocks.
/// </summary>
internal static class ExtensibleArray
{
    /// <summary>Every element (index, bytes) up to the highest index ever set.</summary>
    public static async ValueTask<List<(long Index, byte[] Element)>> ElementsAsync(H5Context ctx, ulong address, string path, CancellationToken ct)
    {
        string what = $"{ctx.Name}: extensible array of {path} at {address}";
        ctx.CheckAddress(address, what);
        var head = await ctx.Metadata.ReadAsync((long)address, 16 + 6 * ctx.LengthSize + ctx.OffsetSize, ct).ConfigureAwait(false);
        var r = ctx.Reader(head.Span, what);
        r.Signature("EAHD");
        if (r.U8() != 0) throw r.Error("version is not 0");
        r.Skip(1); // client: whether chunks are filtered, which the dataset's own pipeline already says
        int elementSize = r.U8();
        int maxBits = r.U8();
        int indexElements = r.U8();
        int dataBlockMin = r.U8();
        int superBlockMinPointers = r.U8();
        int pageBits = r.U8();
        for (int i = 0; i < 4; i++) r.Length();
        ulong maxIndexSet = r.Length();
        r.Length();
        ulong indexBlock = r.Offset();
        Checksum.VerifyAt(head.Span, r.Position, what);
        if (elementSize < ctx.OffsetSize || maxBits is 0 or > 64 || !BitOperations.IsPow2(dataBlockMin) || !BitOperations.IsPow2(superBlockMinPointers)
            || BitOperations.Log2((uint)dataBlockMin) > maxBits || pageBits > maxBits)
            throw r.Error("creation parameters are not valid");
        var result = new List<(long, byte[])>();
        if (indexBlock == H5Reader.Undefined || maxIndexSet == 0) return result;

        // Geometry: super block u holds 2^(u/2) data blocks of 2^((u+1)/2) · min elements.
        int superBlocks = 1 + maxBits - BitOperations.Log2((uint)dataBlockMin);
        var blocksIn = new long[superBlocks];
        var elementsPer = new long[superBlocks];
        var firstIndex = new long[superBlocks];
        var firstBlock = new long[superBlocks];
        long idx = 0, blk = 0;
        for (int u = 0; u < superBlocks; u++)
        {
            blocksIn[u] = 1L << (u / 2);
            elementsPer[u] = (1L << ((u + 1) / 2)) * dataBlockMin;
            firstIndex[u] = idx;
            firstBlock[u] = blk;
            idx += blocksIn[u] * elementsPer[u];
            blk += blocksIn[u];
        }
        int directSuperBlocks = 2 * BitOperations.Log2((uint)superBlockMinPointers);
        int dataBlockAddresses = 2 * (superBlockMinPointers - 1);
        int superBlockAddresses = Math.Max(0, superBlocks - directSuperBlocks);
        int offsetBytes = (maxBits + 7) / 8;
        long pageElements = 1L << pageBits;

        string iwhat = $"{what}: index block at {indexBlock}";
        int iblockSize = 4 + 2 + ctx.OffsetSize + indexElements * elementSize + (dataBlockAddresses + superBlockAddresses) * ctx.OffsetSize + 4;
        ctx.CheckRange(indexBlock, (ulong)iblockSize, iwhat);
        var ib = await ctx.Metadata.ReadAsync((long)indexBlock, iblockSize, ct).ConfigureAwait(false);
        Checksum.Verify(ib.Span, iwhat);
        var ir = ctx.Reader(ib.Span, iwhat);
        ir.Signature("EAIB");
        ir.Skip(2 + ctx.OffsetSize);
        // The header's "maximum index set" bounds the elements read (libhdf5 reads the fill value past it); a value
        // beyond a long is no bound at all (it was read as -1: every chunk became the fill value, libhdf5 reads them).
        long total = maxIndexSet > long.MaxValue ? long.MaxValue : (long)maxIndexSet;
        for (int i = 0; i < indexElements && i < total; i++) result.Add((i, ir.Bytes(elementSize).ToArray()));
        ir.Seek(4 + 2 + ctx.OffsetSize + indexElements * elementSize);
        var dataBlocks = new ulong[dataBlockAddresses];
        for (int i = 0; i < dataBlockAddresses; i++) dataBlocks[i] = ir.Offset();
        var superBlockList = new ulong[superBlockAddresses];
        for (int i = 0; i < superBlockAddresses; i++) superBlockList[i] = ir.Offset();

        for (int u = 0; u < superBlocks && indexElements + firstIndex[u] < total; u++)
        {
            if (elementsPer[u] > pageElements)
                throw new Hdf5UnsupportedException($"{what}: paged data blocks (more than {pageElements} chunks in one block) are not supported");
            ulong[] blocks;
            if (u < directSuperBlocks)
            {
                blocks = new ulong[blocksIn[u]];
                for (int k = 0; k < blocksIn[u]; k++) blocks[k] = dataBlocks[firstBlock[u] + k];
            }
            else
            {
                ulong sb = superBlockList[u - directSuperBlocks];
                blocks = new ulong[blocksIn[u]];
                if (sb == H5Reader.Undefined) Array.Fill(blocks, H5Reader.Undefined);
                else
                {
                    string swhat = $"{what}: super block at {sb}";
                    int sbSize = 4 + 2 + ctx.OffsetSize + offsetBytes + (int)blocksIn[u] * ctx.OffsetSize + 4;
                    ctx.CheckRange(sb, (ulong)sbSize, swhat);
                    var sbData = await ctx.Metadata.ReadAsync((long)sb, sbSize, ct).ConfigureAwait(false);
                    Checksum.Verify(sbData.Span, swhat);
                    var sr = ctx.Reader(sbData.Span, swhat);
                    sr.Signature("EASB");
                    sr.Skip(2 + ctx.OffsetSize + offsetBytes);
                    for (int k = 0; k < blocks.Length; k++) blocks[k] = sr.Offset();
                }
            }
            for (int k = 0; k < blocks.Length; k++)
            {
                long start = indexElements + firstIndex[u] + k * elementsPer[u];
                if (start >= total) break;
                if (blocks[k] == H5Reader.Undefined) continue;
                string dwhat = $"{what}: data block at {blocks[k]}";
                int size = 4 + 2 + ctx.OffsetSize + offsetBytes + (int)elementsPer[u] * elementSize + 4;
                ctx.CheckRange(blocks[k], (ulong)size, dwhat);
                var db = await ctx.Metadata.ReadAsync((long)blocks[k], size, ct).ConfigureAwait(false);
                Checksum.Verify(db.Span, dwhat);
                var dr = ctx.Reader(db.Span, dwhat);
                dr.Signature("EADB");
                dr.Skip(2 + ctx.OffsetSize + offsetBytes);
                for (long e = 0; e < elementsPer[u] && start + e < total; e++)
                    result.Add((start + e, dr.Bytes(elementSize).ToArray()));
            }
        }
        return result;
    }
}
