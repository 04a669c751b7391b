namespace Zagg.Hdf5.Format;

/// <summary>
/// An object header (version 1 or 2) with its continuation blocks, reduced to its messages.
/// Continuations are followed at most once each and at most <see cref="MaxBlocks"/> in all, so a
/// damaged file ends in an exception, never a loop.
/// </summary>
internal sealed class ObjectHeader
{
    private const int MaxBlocks = 4096;

    public required ulong Address { get; init; }
    public required List<RawMessage> Messages { get; init; }

    public IEnumerable<RawMessage> OfType(MessageType type)
    {
        foreach (var m in Messages) if (m.Type == type) yield return m;
    }

    public RawMessage? First(MessageType type)
    {
        foreach (var m in Messages) if (m.Type == type) return m;
        return null;
    }

    public static async ValueTask<ObjectHeader> ReadAsync(H5Context ctx, ulong address, string path, CancellationToken ct)
    {
        string what = $"{ctx.Name}: object header of {path} at {address}";
        ctx.CheckAddress(address, what);
        var prefix = await ctx.Metadata.ReadAsync((long)address, 32, ct).ConfigureAwait(false);
        var messages = new List<RawMessage>();
        var pending = new Queue<(ulong Address, ulong Length)>();
        var seen = new HashSet<ulong> { address };
        int version;
        bool trackOrder = false;
        if (prefix.Length >= 4 && prefix.Span[0] == 'O' && prefix.Span[1] == 'H' && prefix.Span[2] == 'D' && prefix.Span[3] == 'R')
        {
            version = 2;
            var (start, size, flags) = ParseV2Prefix(prefix.Span, what, ctx);
            trackOrder = (flags & 0x04) != 0;
            ctx.CheckRange(address, (ulong)start + size + 4, what); // as libhdf5's "actual len exceeds EOA"
            var chunk = await ctx.Metadata.ReadAsync((long)address, checked(start + (int)size + 4), ct).ConfigureAwait(false);
            if (chunk.Length < start + (int)size + 4) throw new Hdf5Exception($"{what}: truncated");
            Checksum.VerifyAt(chunk.Span, start + (int)size, what);
            ParseMessagesV2(chunk.Span.Slice(start, (int)size), trackOrder, messages, pending, ctx, what);
        }
        else if (prefix.Length >= 16 && prefix.Span[0] == 1)
        {
            version = 1;
            var r = new H5Reader(prefix.Span, ctx.OffsetSize, ctx.LengthSize, what);
            r.Skip(2 + 2 + 4); // version, reserved, message count (the block's size bounds the walk), reference count
            uint size = r.U32();
            ctx.CheckRange(address + 16, size, what); // as libhdf5's "actual len exceeds EOA"
            var chunk = await ctx.Metadata.ReadAsync((long)address + 16, (int)Math.Min(size, int.MaxValue), ct).ConfigureAwait(false);
            ParseMessagesV1(chunk.Span, messages, pending, ctx, what);
        }
        else
        {
            throw new Hdf5Exception($"{what}: not an object header (neither version 1 nor an 'OHDR' signature)");
        }

        while (pending.Count > 0)
        {
            var (a, length) = pending.Dequeue();
            string cwhat = $"{what}: continuation block at {a}";
            if (!seen.Add(a)) throw new Hdf5Exception($"{cwhat}: visited twice; the header's continuations form a cycle");
            if (seen.Count > MaxBlocks) throw new Hdf5Exception($"{what}: more than {MaxBlocks} continuation blocks");
            ctx.CheckRange(a, length, cwhat);
            var block = await ctx.Metadata.ReadAsync((long)a, (int)length, ct).ConfigureAwait(false);
            if (version == 1) ParseMessagesV1(block.Span, messages, pending, ctx, cwhat);
            else
            {
                var r = new H5Reader(block.Span, ctx.OffsetSize, ctx.LengthSize, cwhat);
                r.Signature("OCHK");
                Checksum.Verify(block.Span, cwhat);
                ParseMessagesV2(block.Span[4..^4], trackOrder, messages, pending, ctx, cwhat);
            }
        }
        return new ObjectHeader { Address = address, Messages = messages };
    }

    private static (int Start, ulong Size, byte Flags) ParseV2Prefix(ReadOnlySpan<byte> p, string what, H5Context ctx)
    {
        var r = new H5Reader(p, ctx.OffsetSize, ctx.LengthSize, what);
        r.Signature("OHDR");
        byte version = r.U8();
        if (version != 2) throw r.Error($"object header version {version} is not defined");
        byte flags = r.U8();
        if ((flags & 0x20) != 0) r.Skip(16);
        if ((flags & 0x10) != 0) r.Skip(4);
        ulong size = r.UVar(1 << (flags & 3));
        if (size > int.MaxValue / 2) throw r.Error($"header chunk of {size} bytes is implausible");
        return (r.Position, size, flags);
    }

    private static void ParseMessagesV1(ReadOnlySpan<byte> data, List<RawMessage> messages, Queue<(ulong, ulong)> pending, H5Context ctx, string what)
    {
        var r = new H5Reader(data, ctx.OffsetSize, ctx.LengthSize, what);
        while (r.Remaining >= 8)
        {
            var type = (MessageType)r.U16();
            int size = r.U16();
            byte flags = r.U8();
            CheckFlags(type, flags, what);
            r.Skip(3);
            if (size > r.Remaining) throw r.Error($"message of type {(int)type} claims {size} bytes, {r.Remaining} remain");
            Add(type, flags, r.Bytes(size), messages, pending, ctx, what);
        }
    }

    private static void ParseMessagesV2(ReadOnlySpan<byte> data, bool trackOrder, List<RawMessage> messages, Queue<(ulong, ulong)> pending, H5Context ctx, string what)
    {
        var r = new H5Reader(data, ctx.OffsetSize, ctx.LengthSize, what);
        int headerSize = trackOrder ? 6 : 4;
        while (r.Remaining >= headerSize)
        {
            var type = (MessageType)r.U8();
            int size = r.U16();
            byte flags = r.U8();
            CheckFlags(type, flags, what);
            if (trackOrder) r.Skip(2);
            if (size > r.Remaining) throw r.Error($"message of type {(int)type} claims {size} bytes, {r.Remaining} remain");
            Add(type, flags, r.Bytes(size), messages, pending, ctx, what);
        }
    }

    /// <summary>
    /// The checks libhdf5 makes of a message's flags when it reads an object header (H5O__chunk_deserialize; the
    /// spec's IV.A.1 message flags: bit 0 constant, 1 shared, 2 do not share, 3 fail if unknown and open for write,
    /// 4 mark if unknown, 5 was unknown, 6 shareable, 7 fail if unknown always), each verified against libhdf5 1.10.8
    /// on a file with the flag set: "shared" with "do not share", "was unknown" with "fail if unknown and open for
    /// write" or without "mark if unknown" are a bad flag combination; "shareable" on a message of a class that cannot
    /// be shared is refused; a message of a type libhdf5 does not know (0x09, 0x19 and up) with "fail if unknown
    /// always" is refused (a reader opens for reading, so bit 3 alone does not fail).
    /// </summary>
    private static void CheckFlags(MessageType type, byte flags, string what)
    {
        const byte Shared = 0x02, DontShare = 0x04, FailIfUnknownForWrite = 0x08, MarkIfUnknown = 0x10, WasUnknown = 0x20, Shareable = 0x40, FailIfUnknownAlways = 0x80;
        if ((flags & Shared) != 0 && (flags & DontShare) != 0
            || (flags & WasUnknown) != 0 && ((flags & FailIfUnknownForWrite) != 0 || (flags & MarkIfUnknown) == 0))
            throw new Hdf5Exception($"{what}: bad flag combination 0x{flags:X2} for a message of type 0x{(int)type:X2}");
        int id = (int)type;
        bool known = id is >= 0 and <= 0x18 && id != 0x09;
        if (!known && (flags & FailIfUnknownAlways) != 0)
            throw new Hdf5Exception($"{what}: message of unknown type 0x{id:X2} is flagged 'fail if unknown'");
        bool sharable = type is MessageType.Dataspace or MessageType.Datatype or MessageType.FillValueOld or MessageType.FillValue
            or MessageType.FilterPipeline or MessageType.Attribute;
        if (known && !sharable && (flags & Shareable) != 0)
            throw new Hdf5Exception($"{what}: message of type 0x{id:X2}, a class that cannot be shared, is flagged shareable");
        // A shared message holds a reference to the message (in the shared message heap or a committed datatype), not
        // the message: reading it as the message would give wrong values. Shared datatypes are refused where used.
        if ((flags & Shared) != 0 && sharable && type != MessageType.Datatype)
            throw new Hdf5UnsupportedException($"{what}: shared messages (here of type 0x{id:X2}) are not supported");
    }

    private static void Add(MessageType type, byte flags, ReadOnlySpan<byte> data, List<RawMessage> messages, Queue<(ulong, ulong)> pending, H5Context ctx, string what)
    {
        if (type == MessageType.Continuation)
        {
            var r = new H5Reader(data, ctx.OffsetSize, ctx.LengthSize, what);
            pending.Enqueue((r.Offset(), r.Length()));
            return;
        }
        if (type == MessageType.Nil) return;
        messages.Add(new RawMessage(type, flags, data.ToArray()));
    }
}
