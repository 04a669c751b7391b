using System.Buffers.Binary;
using System.Text;

namespace Zagg.Hdf5.Format;

/// <summary>Old-style groups: a v1 B-tree of symbol table nodes, with names in a local heap.</summary>
internal static class SymbolTableGroup
{
    public static async ValueTask<List<Link>> ReadAsync(H5Context ctx, ulong btree, ulong heap, string path, CancellationToken ct)
    {
        byte[] names = await LocalHeapDataAsync(ctx, heap, path, ct).ConfigureAwait(false);
        var links = new List<Link>();
        var nodes = new List<ulong>();
        await BTreeV1.CollectAsync(ctx, btree, 0, path, (key, child) => nodes.Add(child), ct).ConfigureAwait(false);
        foreach (ulong snod in nodes)
        {
            string what = $"{ctx.Name}: symbol table node of {path} at {snod}";
            ctx.CheckAddress(snod, what);
            var head = await ctx.Metadata.ReadAsync((long)snod, 8, ct).ConfigureAwait(false);
            var r = ctx.Reader(head.Span, what);
            r.Signature("SNOD");
            if (r.U8() != 1) throw r.Error("version is not 1");
            r.Skip(1);
            int count = r.U16();
            // A symbol table entry: link name offset (a length: libhdf5's H5G_ent_decode reads it with
            // H5F_DECODE_LENGTH), object header address (an offset), cache type, reserved, 16 bytes of scratch.
            int entrySize = ctx.LengthSize + ctx.OffsetSize + 24;
            var body = await ctx.Metadata.ReadAsync((long)snod + 8, count * entrySize, ct).ConfigureAwait(false);
            var e = ctx.Reader(body.Span, what);
            for (int i = 0; i < count; i++)
            {
                ulong nameOffset = e.Length();
                ulong header = e.Offset();
                e.Skip(24);
                if (nameOffset >= (ulong)names.Length) throw e.Error($"name offset {nameOffset} is outside the local heap");
                var span = names.AsSpan((int)nameOffset);
                int end = span.IndexOf((byte)0);
                if (end < 0) throw e.Error("unterminated link name");
                string name = Encoding.UTF8.GetString(span[..end]);
                if (!Link.IsValidName(name)) throw e.Error(Link.BadName(name));
                links.Add(new Link(name, header, null, false));
            }
        }
        return links;
    }

    private static async ValueTask<byte[]> LocalHeapDataAsync(H5Context ctx, ulong heap, string path, CancellationToken ct)
    {
        string what = $"{ctx.Name}: local heap of {path} at {heap}";
        ctx.CheckAddress(heap, what);
        var head = await ctx.Metadata.ReadAsync((long)heap, 8 + 2 * ctx.LengthSize + ctx.OffsetSize, ct).ConfigureAwait(false);
        var r = ctx.Reader(head.Span, what);
        r.Signature("HEAP");
        if (r.U8() != 0) throw r.Error("version is not 0");
        r.Skip(3);
        ulong size = r.Length();
        r.Length();
        ulong data = r.Offset();
        ctx.CheckRange(data, size, what);
        return (await ctx.Metadata.ReadAsync((long)data, (int)size, ct).ConfigureAwait(false)).ToArray();
    }
}

/// <summary>Version 1 B-trees: group nodes (type 0) and raw-data chunk nodes (type 1).</summary>
internal static class BTreeV1
{
    private const int MaxDepth = 64;

    /// <summary>Calls <paramref name="leaf"/> with each leaf entry's key bytes and child address, left to right.</summary>
    public static async ValueTask CollectAsync(H5Context ctx, ulong address, int type, string path, Action<byte[], ulong> leaf, CancellationToken ct, int rank = 0)
    {
        var seen = new HashSet<ulong>();
        await VisitAsync(ctx, address, type, path, leaf, ct, rank, seen, 0, null, null).ConfigureAwait(false);
    }

    /// <summary>
    /// Chunk nodes (type 1): the keys of a node, the child's left and right keys, must increase strictly (by chunk
    /// offset, dimension 0 first, as libhdf5 compares them, H5VM_vector_cmp_u) and lie within the parent's keys
    /// around that child [<paramref name="lo"/>, <paramref name="hi"/>]. libhdf5 finds a chunk by a binary search over
    /// these keys: in a tree that breaks the order it misses chunks (and reads the fill value) where a walk would
    /// find them, so such a tree is refused as damaged rather than read otherwise than libhdf5 reads it.
    /// </summary>
    private static void CheckChunkKeys(List<byte[]> keys, int rank, byte[]? lo, byte[]? hi, string what)
    {
        if (lo is not null && CompareChunkKeys(keys[0], lo, rank) < 0 || hi is not null && CompareChunkKeys(keys[^1], hi, rank) > 0)
            throw new Hdf5Exception($"{what}: chunk keys lie outside the parent node's keys; the B-tree is damaged");
        for (int i = 1; i < keys.Count; i++)
            if (CompareChunkKeys(keys[i - 1], keys[i], rank) >= 0)
                throw new Hdf5Exception($"{what}: chunk keys {i - 1} and {i} are not in increasing order; the B-tree is damaged");
    }

    private static int CompareChunkKeys(byte[] a, byte[] b, int rank)
    {
        for (int d = 0; d <= rank; d++) // with the element-size dimension, as libhdf5 (ndims = rank + 1): the last right key is (last chunk, element size)
        {
            ulong x = BinaryPrimitives.ReadUInt64LittleEndian(a.AsSpan(8 + 8 * d)), y = BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(8 + 8 * d));
            if (x != y) return x < y ? -1 : 1;
        }
        return 0;
    }

    private static async ValueTask VisitAsync(H5Context ctx, ulong address, int type, string path, Action<byte[], ulong> leaf, CancellationToken ct, int rank, HashSet<ulong> seen, int depth, byte[]? lo, byte[]? hi)
    {
        string what = $"{ctx.Name}: B-tree node of {path} at {address}";
        ctx.CheckAddress(address, what);
        if (!seen.Add(address)) throw new Hdf5Exception($"{what}: visited twice; the tree has a cycle");
        if (depth > MaxDepth) throw new Hdf5Exception($"{what}: deeper than {MaxDepth} levels");
        int keySize = type == 0 ? ctx.LengthSize : 8 + 8 * (rank + 1);
        var head = await ctx.Metadata.ReadAsync((long)address, 8 + 2 * ctx.OffsetSize, ct).ConfigureAwait(false);
        var r = ctx.Reader(head.Span, what);
        r.Signature("TREE");
        int nodeType = r.U8();
        if (nodeType != type) throw r.Error($"node type {nodeType}, expected {type}");
        int level = r.U8();
        int entries = r.U16();
        int bodySize = entries * (keySize + ctx.OffsetSize) + keySize;
        var body = await ctx.Metadata.ReadAsync((long)address + 8 + 2 * ctx.OffsetSize, bodySize, ct).ConfigureAwait(false);
        if (body.Length < bodySize) throw new Hdf5Exception($"{what}: truncated");
        var b = ctx.Reader(body.Span, what);
        var children = new List<(byte[] Key, ulong Child)>(entries);
        for (int i = 0; i < entries; i++)
        {
            byte[] key = b.Bytes(keySize).ToArray();
            children.Add((key, b.Offset()));
        }
        var keys = new List<byte[]>(entries + 1);
        foreach (var (key, _) in children) keys.Add(key);
        keys.Add(b.Bytes(keySize).ToArray());
        if (type == 1) CheckChunkKeys(keys, rank, lo, hi, what);
        for (int i = 0; i < children.Count; i++)
        {
            var (key, child) = children[i];
            if (level == 0) leaf(key, child);
            else await VisitAsync(ctx, child, type, path, leaf, ct, rank, seen, depth + 1, keys[i], keys[i + 1]).ConfigureAwait(false);
        }
    }
}
