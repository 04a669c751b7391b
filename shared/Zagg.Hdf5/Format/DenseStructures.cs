using System.Numerics;

namespace Zagg.Hdf5.Format;

/// <summary>
/// A fractal heap (the store of dense links and attributes): managed objects located by heap
/// ID through the root direct block or a tree of indirect blocks.
/// </summary>
internal sealed class FractalHeap
{
    private readonly H5Context _ctx;
    private readonly string _what;
    private int _idLength, _tableWidth, _maxHeapBits, _rootRows;
    private ulong _startBlock, _maxDirectBlock, _maxManaged, _root;
    private bool _filtered, _checksummedDirectBlocks;
    private ulong _address;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<ulong, bool> _verified = new();

    private FractalHeap(H5Context ctx, string what)
    {
        _ctx = ctx;
        _what = what;
    }

    private int OffsetBytes => (_maxHeapBits + 7) / 8;

    public static async ValueTask<FractalHeap> OpenAsync(H5Context ctx, ulong address, string path, CancellationToken ct)
    {
        string what = $"{ctx.Name}: fractal heap of {path} at {address}";
        ctx.CheckAddress(address, what);
        var data = await ctx.Metadata.ReadAsync((long)address, 512, ct).ConfigureAwait(false);
        var r = ctx.Reader(data.Span, what);
        r.Signature("FRHP");
        if (r.U8() != 0) throw r.Error("version is not 0");
        var h = new FractalHeap(ctx, what);
        h._idLength = r.U16();
        int filterLength = r.U16();
        h._address = address;
        h._checksummedDirectBlocks = (r.U8() & 2) != 0; // flags bit 1: direct blocks carry a checksum
        h._maxManaged = r.U32();
        r.Length(); r.Offset(); r.Length(); r.Offset(); r.Length(); r.Length(); r.Length();
        r.Length(); r.Length(); r.Length(); r.Length(); r.Length();
        h._tableWidth = r.U16();
        h._startBlock = r.Length();
        h._maxDirectBlock = r.Length();
        h._maxHeapBits = r.U16();
        r.U16(); // starting rows of the root indirect block
        h._root = r.Offset();
        h._rootRows = r.U16();
        h._filtered = filterLength > 0;
        if (h._filtered) throw new Hdf5UnsupportedException($"{what}: filtered fractal heaps are not supported");
        if (h._tableWidth == 0 || h._startBlock == 0 || !BitOperations.IsPow2(h._startBlock) || !BitOperations.IsPow2(h._maxDirectBlock))
            throw r.Error("table width and block sizes are not valid");
        int end = r.Position;
        Checksum.VerifyAt(data.Span, end, what);
        return h;
    }

    /// <summary>The bytes of the object a heap ID names.</summary>
    public async ValueTask<ReadOnlyMemory<byte>> GetAsync(ReadOnlyMemory<byte> id, CancellationToken ct)
    {
        var r = _ctx.Reader(id.Span, _what + ": heap ID");
        byte first = r.U8();
        int type = (first >> 4) & 3;
        if ((first >> 6) != 0) throw r.Error($"heap ID version {first >> 6} is not defined");
        if (type == 2) // tiny: the object is in the ID itself (spec III.G, "Fractal Heap ID for Tiny Objects")
        {
            // Sub-type 2, when the ID's length less its first byte exceeds 16: the length's high bits are in the
            // first byte, its low byte in the second; as libhdf5 decodes it (tiny_len_extended).
            bool extended = _idLength - 1 > 16;
            int length = extended ? (((first & 0x0F) << 8) | r.U8()) + 1 : (first & 0x0F) + 1;
            int start = extended ? 2 : 1;
            if (start + length > id.Length)
                throw r.Error($"tiny object of {length} bytes is longer than its {id.Length}-byte heap ID");
            return id.Slice(start, length);
        }
        if (type != 0) throw new Hdf5UnsupportedException($"{_what}: huge objects are not supported");
        ulong offset = r.UVar(OffsetBytes);
        int lengthBytes = BytesFor(Math.Min(_maxDirectBlock, _maxManaged));
        ulong len = r.UVar(lengthBytes);
        if (_rootRows == 0)
        {
            if (offset + len > _startBlock) throw r.Error($"object at {offset}+{len} is outside the root direct block");
            await VerifyDirectBlockAsync(_root, _startBlock, ct).ConfigureAwait(false);
            return await _ctx.Metadata.ReadAsync((long)(_root + offset), (int)len, ct).ConfigureAwait(false);
        }
        return await FromIndirectAsync(_root, _rootRows, 0, offset, len, 0, ct).ConfigureAwait(false);
    }

    private async ValueTask<ReadOnlyMemory<byte>> FromIndirectAsync(ulong block, int rows, ulong blockOffset, ulong offset, ulong len, int depth, CancellationToken ct)
    {
        if (depth > 32) throw new Hdf5Exception($"{_what}: indirect blocks nested too deep");
        int maxDirectRows = BitOperations.Log2(_maxDirectBlock) - BitOperations.Log2(_startBlock) + 2;
        int directRows = Math.Min(rows, maxDirectRows);
        int headerSize = 4 + 1 + _ctx.OffsetSize + OffsetBytes;
        // Walk the rows to find the block holding the offset.
        ulong position = blockOffset;
        for (int row = 0; row < rows; row++)
        {
            ulong size = row <= 1 ? _startBlock : _startBlock << (row - 1);
            for (int col = 0; col < _tableWidth; col++, position += size)
            {
                if (offset >= position + size) continue;
                int entry = row * _tableWidth + col;
                ulong entryAddress = row < directRows
                    ? block + (ulong)headerSize + (ulong)(entry * _ctx.OffsetSize)
                    : block + (ulong)headerSize + (ulong)(directRows * _tableWidth * _ctx.OffsetSize) + (ulong)((entry - directRows * _tableWidth) * _ctx.OffsetSize);
                var a = await _ctx.Metadata.ReadAsync((long)entryAddress, _ctx.OffsetSize, ct).ConfigureAwait(false);
                ulong child = _ctx.Reader(a.Span, _what).Offset();
                _ctx.CheckAddress(child, _what);
                if (row < directRows)
                {
                    ulong within = offset - position;
                    if (within + len > size) throw new Hdf5Exception($"{_what}: object crosses a direct block's end");
                    await VerifyDirectBlockAsync(child, size, ct).ConfigureAwait(false);
                    return await _ctx.Metadata.ReadAsync((long)(child + within), (int)len, ct).ConfigureAwait(false);
                }
                int childRows = BitOperations.Log2(size) - BitOperations.Log2(_startBlock * (ulong)_tableWidth) + 1;
                return await FromIndirectAsync(child, childRows, position, offset, len, depth + 1, ct).ConfigureAwait(false);
            }
        }
        throw new Hdf5Exception($"{_what}: heap offset {offset} is beyond the heap");
    }

    /// <summary>
    /// Checks a direct block once before an object is taken from it: its 'FHDB' signature, version 0, the heap
    /// header it names, and — when the heap's flags say direct blocks are checksummed — its checksum (lookup3 over
    /// the whole block with the checksum field as zeros, as libhdf5 computes it). libhdf5 refuses a block that fails
    /// these; reading objects past them would give names and attributes libhdf5 never gives.
    /// </summary>
    private async ValueTask VerifyDirectBlockAsync(ulong address, ulong size, CancellationToken ct)
    {
        if (_verified.ContainsKey(address)) return;
        string what = $"{_what}: direct block at {address}";
        _ctx.CheckRange(address, size, what);
        var block = await _ctx.Metadata.ReadAsync((long)address, (int)size, ct).ConfigureAwait(false);
        var r = _ctx.Reader(block.Span, what);
        r.Signature("FHDB");
        if (r.U8() != 0) throw r.Error("version is not 0");
        if (r.Offset() != _address) throw r.Error("names another heap header");
        r.UVar(OffsetBytes); // block offset
        if (_checksummedDirectBlocks)
        {
            int at = r.Position;
            if (block.Length < at + 4) throw new Hdf5Exception($"{what}: truncated before its checksum");
            uint stored = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(block.Span[at..]);
            var copy = block.ToArray();
            copy.AsSpan(at, 4).Clear();
            uint computed = Checksum.Lookup3(copy);
            if (stored != computed)
                throw new Hdf5Exception($"{what}: checksum mismatch (stored {stored:x8}, computed {computed:x8}); the file is damaged");
        }
        _verified.TryAdd(address, true);
    }

    private static int BytesFor(ulong v) => Math.Max(1, (64 - BitOperations.LeadingZeroCount(v) + 7) / 8);
}

/// <summary>Version 2 B-trees: every record, in key order (the name indexes of dense storage, chunk indexes).</summary>
internal static class BTreeV2
{
    public static async ValueTask<List<byte[]>> RecordsAsync(H5Context ctx, ulong address, string path, CancellationToken ct)
    {
        string what = $"{ctx.Name}: v2 B-tree of {path} at {address}";
        ctx.CheckAddress(address, what);
        var data = await ctx.Metadata.ReadAsync((long)address, 64, ct).ConfigureAwait(false);
        var r = ctx.Reader(data.Span, what);
        r.Signature("BTHD");
        if (r.U8() != 0) throw r.Error("version is not 0");
        int type = r.U8();
        uint nodeSize = r.U32();
        int recordSize = r.U16();
        int depth = r.U16();
        r.Skip(2);
        ulong root = r.Offset();
        int rootRecords = r.U16();
        r.Length();
        Checksum.VerifyAt(data.Span, r.Position, what);
        if (recordSize == 0 || nodeSize < 16 || nodeSize > MaxNodeSize || depth > 64) throw r.Error($"node size {nodeSize} or record size {recordSize} is not valid");

        // Per depth: the largest record count of a node and the byte widths that encode it (the format's own rule).
        var maxRecords = new ulong[depth + 1];
        var cumulative = new ulong[depth + 1];
        maxRecords[0] = (nodeSize - 10) / (ulong)recordSize;
        cumulative[0] = maxRecords[0];
        for (int d = 1; d <= depth; d++)
        {
            int pointer = ctx.OffsetSize + Width(maxRecords[d - 1]) + (d > 1 ? Width(cumulative[d - 1]) : 0);
            maxRecords[d] = (nodeSize - 10 - (ulong)pointer) / (ulong)(recordSize + pointer);
            cumulative[d] = (maxRecords[d] + 1) * cumulative[d - 1] + maxRecords[d];
        }

        var records = new List<byte[]>();
        if (root == H5Reader.Undefined || rootRecords == 0) return records;
        await NodeAsync(ctx, root, depth, rootRecords, type, recordSize, nodeSize, maxRecords, cumulative, records, what, 0, ct).ConfigureAwait(false);
        return records;
    }

    /// <summary>The largest v2 B-tree node this reader reads (libhdf5 writes 512 to 64 KiB; H5Pset_*: at most 64 KiB in practice).</summary>
    private const uint MaxNodeSize = 1 << 24;

    private static async ValueTask NodeAsync(H5Context ctx, ulong address, int depth, int count, int type, int recordSize, uint nodeSize, ulong[] maxRecords, ulong[] cumulative, List<byte[]> records, string what, int visited, CancellationToken ct)
    {
        ctx.CheckRange(address, nodeSize, $"{what}: node at {address}");
        if ((ulong)count > maxRecords[depth]) throw new Hdf5Exception($"{what}: node at {address} claims {count} records, at most {maxRecords[depth]} fit");
        var node = await ctx.Metadata.ReadAsync((long)address, (int)nodeSize, ct).ConfigureAwait(false);
        var r = ctx.Reader(node.Span, $"{what}: node at {address}");
        r.Signature(depth == 0 ? "BTLF" : "BTIN");
        r.Skip(1);
        if (r.U8() != type) throw r.Error("node type differs from the header's");
        int recordsStart = r.Position;
        r.Skip(count * recordSize);
        if (depth == 0)
        {
            Checksum.VerifyAt(node.Span, r.Position, $"{what}: node at {address}");
            var rr = ctx.Reader(node.Span, what);
            rr.Seek(recordsStart);
            for (int i = 0; i < count; i++) records.Add(rr.Bytes(recordSize).ToArray());
            return;
        }
        var children = new (ulong Address, int Count)[count + 1];
        for (int i = 0; i <= count; i++)
        {
            ulong child = r.Offset();
            ulong n = r.UVar(Width(maxRecords[depth - 1]));
            if (depth > 1) r.UVar(Width(cumulative[depth - 1]));
            children[i] = (child, (int)n);
        }
        Checksum.VerifyAt(node.Span, r.Position, $"{what}: node at {address}");
        var own = new byte[count][];
        for (int i = 0; i < count; i++) own[i] = node.Slice(recordsStart + i * recordSize, recordSize).ToArray();
        if (visited > 64) throw new Hdf5Exception($"{what}: deeper than the header says");
        for (int i = 0; i <= count; i++)
        {
            await NodeAsync(ctx, children[i].Address, depth - 1, children[i].Count, type, recordSize, nodeSize, maxRecords, cumulative, records, what, visited + 1, ct).ConfigureAwait(false);
            if (i < count) records.Add(own[i]);
        }
    }

    /// <summary>Bytes that encode n: floor(log2 n)/8 + 1.</summary>
    private static int Width(ulong n) => n == 0 ? 1 : BitOperations.Log2(n) / 8 + 1;
}

/// <summary>Global heap collections: the bodies of variable-length data.</summary>
internal sealed class GlobalHeap(H5Context ctx)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<ulong, Task<Dictionary<int, ReadOnlyMemory<byte>>>> _collections = new();

    public async ValueTask<ReadOnlyMemory<byte>> GetAsync(ulong collection, int index, CancellationToken ct)
    {
        var load = _collections.GetOrAdd(collection, c => LoadAsync(c, ct).AsTask());
        Dictionary<int, ReadOnlyMemory<byte>> objects;
        try { objects = await load.ConfigureAwait(false); }
        catch
        {
            _collections.TryRemove(new KeyValuePair<ulong, Task<Dictionary<int, ReadOnlyMemory<byte>>>>(collection, load)); // a failed load is not remembered
            throw;
        }
        if (!objects.TryGetValue(index, out var data))
            throw new Hdf5Exception($"{ctx.Name}: global heap collection at {collection} has no object {index}");
        return data;
    }

    private async ValueTask<Dictionary<int, ReadOnlyMemory<byte>>> LoadAsync(ulong address, CancellationToken ct)
    {
        string what = $"{ctx.Name}: global heap collection at {address}";
        ctx.CheckAddress(address, what);
        var head = await ctx.Metadata.ReadAsync((long)address, 8 + ctx.LengthSize, ct).ConfigureAwait(false);
        var r = ctx.Reader(head.Span, what);
        r.Signature("GCOL");
        if (r.U8() != 1) throw r.Error("version is not 1");
        r.Skip(3);
        ulong size = r.Length();
        ctx.CheckRange(address, size, what);
        var all = await ctx.Metadata.ReadAsync((long)address, (int)size, ct).ConfigureAwait(false);
        var b = ctx.Reader(all.Span, what);
        b.Skip(8 + ctx.LengthSize);
        var objects = new Dictionary<int, ReadOnlyMemory<byte>>();
        while (b.Remaining >= 8 + ctx.LengthSize)
        {
            int index = b.U16();
            b.Skip(6);
            ulong length = b.Length();
            if (index == 0) break; // free space
            if (length > (ulong)b.Remaining) throw b.Error($"object {index} of {length} bytes runs past the collection");
            objects[index] = all.Slice(b.Position, (int)length);
            b.Skip((int)Math.Min((length + 7) & ~7UL, (ulong)b.Remaining));
        }
        return objects;
    }
}
