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
                links.Add(new Link(Encoding.UTF8.GetString(span[..end]), header, null, false));
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
        await VisitAsync(ctx, address, type, path, leaf, ct, rank, seen, 0).ConfigureAwait(false);
    }

    private static async ValueTask VisitAsync(H5Context ctx, ulong address, int type, string path, Action<byte[], ulong> leaf, CancellationToken ct, int rank, HashSet<ulong> seen, int depth)
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
        foreach (var (key, child) in children)
        {
            if (level == 0) leaf(key, child);
            else await VisitAsync(ctx, child, type, path, leaf, ct, rank, seen, depth + 1).ConfigureAwait(false);
        }
    }
}
