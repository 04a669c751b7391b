namespace Zagg.Hdf5.Format;

/// <summary>Object header message types this reader interprets.</summary>
internal enum MessageType : ushort
{
    Nil = 0x00, Dataspace = 0x01, LinkInfo = 0x02, Datatype = 0x03, FillValueOld = 0x04, FillValue = 0x05,
    Link = 0x06, ExternalFiles = 0x07, Layout = 0x08, Bogus = 0x09, GroupInfo = 0x0A, FilterPipeline = 0x0B,
    Attribute = 0x0C, Comment = 0x0D, ModificationTimeOld = 0x0E, SharedMessageTable = 0x0F, Continuation = 0x10,
    SymbolTable = 0x11, ModificationTime = 0x12, BTreeKValues = 0x13, DriverInfo = 0x14, AttributeInfo = 0x15,
    ReferenceCount = 0x16,
}

internal sealed record RawMessage(MessageType Type, byte Flags, byte[] Data);

internal sealed record Dataspace(ulong[] Dims, ulong[]? MaxDims, bool IsNull)
{
    public int Rank => Dims.Length;

    public ulong ElementCount
    {
        get
        {
            if (IsNull) return 0;
            ulong n = 1;
            foreach (ulong d in Dims) n = checked(n * d);
            return n;
        }
    }

    public static Dataspace Parse(ref H5Reader r)
    {
        byte version = r.U8();
        int rank = r.U8();
        byte flags = r.U8();
        bool isNull = false;
        if (version == 1) r.Skip(5);
        else if (version == 2)
        {
            int type = r.U8();
            if (type > 2) throw r.Error($"dataspace type {type} is not defined");
            isNull = type == 2;
            // As libhdf5 (H5O__sdspace_decode): a scalar or null dataspace has rank 0.
            if (type != 1 && rank != 0) throw r.Error($"a {(isNull ? "null" : "scalar")} dataspace of rank {rank}; the rank must be 0");
        }
        else throw r.Error($"dataspace message version {version} is not defined");
        if (rank > 32) throw r.Error($"dataspace rank {rank} exceeds HDF5's limit of 32");
        var dims = new ulong[rank];
        for (int i = 0; i < rank; i++) dims[i] = r.Length();
        ulong[]? max = null;
        if ((flags & 1) != 0)
        {
            max = new ulong[rank];
            for (int i = 0; i < rank; i++)
            {
                max[i] = r.Length();
                if (max[i] != H5Reader.Undefined && max[i] != ulong.MaxValue && max[i] < dims[i])
                    throw r.Error($"maximum dimension {i} ({max[i]}) is smaller than the dimension ({dims[i]})");
            }
        }
        // Element counts must fit a signed 64-bit count with room for the element size.
        ulong count = 1;
        foreach (ulong d in dims)
        {
            count = Saturating.Multiply(count, d);
            if (count > 1UL << 48) throw r.Error($"dimensions {string.Join(" x ", dims)} are implausibly large");
        }
        return new Dataspace(dims, max, isNull);
    }
}

internal enum LayoutClass { Compact = 0, Contiguous = 1, Chunked = 2, Virtual = 3 }

internal enum ChunkIndexType { BTreeV1 = 0, SingleChunk = 1, Implicit = 2, FixedArray = 3, ExtensibleArray = 4, BTreeV2 = 5 }

internal sealed class DataLayout
{
    public LayoutClass Class;
    public byte[]? CompactData;
    public ulong Address = H5Reader.Undefined;
    public ulong ContiguousSize;
    public ulong[] ChunkDims = [];

    /// <summary>
    /// A chunked layout's last "dimension": the size of one element in bytes (versions 1–4). libhdf5 writes the
    /// datatype's size there and uses it when it finds chunks; a different value is a damaged file.
    /// </summary>
    public ulong ChunkElementSize;
    public ChunkIndexType Index = ChunkIndexType.BTreeV1;
    public ulong SingleChunkFilteredSize;
    public uint SingleChunkFilterMask;
    public bool SingleChunkFiltered;

    /// <summary>
    /// Layout version 4, flag bit 0 (libhdf5's H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS): partial edge chunks — those
    /// reaching past the dataspace in some dimension — are stored without the filter pipeline.
    /// </summary>
    public bool DontFilterPartialEdgeChunks;

    private static void CheckChunkRank(ref H5Reader r, int dimensionality, int rank)
    {
        if (dimensionality != rank + 1)
            throw r.Error($"chunked layout with dimensionality {dimensionality} for a dataspace of rank {rank}; it must be rank + 1");
    }

    public static DataLayout Parse(ref H5Reader r, int rank)
    {
        var l = new DataLayout();
        byte version = r.U8();
        if (version is 1 or 2)
        {
            int dimensionality = r.U8();
            l.Class = (LayoutClass)r.U8();
            r.Skip(5);
            if (l.Class != LayoutClass.Compact) l.Address = r.Offset();
            var dims = new ulong[dimensionality];
            for (int i = 0; i < dimensionality; i++) dims[i] = r.U32();
            if (l.Class == LayoutClass.Chunked)
            {
                l.ChunkElementSize = r.U32();
                CheckChunkRank(ref r, dimensionality, rank);
                l.ChunkDims = dims[..^1];
            }
            else if (l.Class == LayoutClass.Compact)
            {
                int size = (int)r.U32();
                l.CompactData = r.Bytes(size).ToArray();
            }
            return l;
        }
        if (version is not (3 or 4)) throw r.Error($"data layout message version {version} is not supported");
        l.Class = (LayoutClass)r.U8();
        switch (l.Class)
        {
            case LayoutClass.Compact:
                l.CompactData = r.Bytes(r.U16()).ToArray();
                break;
            case LayoutClass.Contiguous:
                l.Address = r.Offset();
                l.ContiguousSize = r.Length();
                break;
            case LayoutClass.Chunked when version == 3:
            {
                int dimensionality = r.U8();
                l.Address = r.Offset();
                var dims = new ulong[dimensionality];
                for (int i = 0; i < dimensionality; i++) dims[i] = r.U32();
                CheckChunkRank(ref r, dimensionality, rank);
                l.ChunkDims = dims[..^1];
                l.ChunkElementSize = dims[^1];
                break;
            }
            case LayoutClass.Chunked:
            {
                byte flags = r.U8();
                if ((flags & ~3) != 0) throw r.Error($"layout flags 0x{flags:x2} set bits the format does not define");
                l.DontFilterPartialEdgeChunks = (flags & 1) != 0;
                int dimensionality = r.U8();
                int encoded = r.U8();
                var dims = new ulong[dimensionality];
                for (int i = 0; i < dimensionality; i++) dims[i] = r.UVar(encoded);
                CheckChunkRank(ref r, dimensionality, rank);
                l.ChunkDims = dims[..^1];
                l.ChunkElementSize = dims[^1];
                l.Index = (ChunkIndexType)r.U8();
                switch (l.Index)
                {
                    case ChunkIndexType.SingleChunk:
                        if ((flags & 2) != 0)
                        {
                            l.SingleChunkFiltered = true;
                            l.SingleChunkFilteredSize = r.Length();
                            l.SingleChunkFilterMask = r.U32();
                        }
                        break;
                    case ChunkIndexType.Implicit:
                        break;
                    case ChunkIndexType.FixedArray:
                        r.Skip(1); // page bits
                        break;
                    case ChunkIndexType.ExtensibleArray:
                        r.Skip(5);
                        break;
                    case ChunkIndexType.BTreeV2:
                        r.Skip(6);
                        break;
                    default:
                        throw r.Error($"chunk index type {(int)l.Index} is not defined");
                }
                l.Address = r.Offset();
                break;
            }
            case LayoutClass.Virtual:
                break;
            default:
                throw r.Error($"layout class {(int)l.Class} is not defined");
        }
        if (l.Class == LayoutClass.Chunked && l.ChunkDims.Length != rank)
            throw r.Error($"chunk has {l.ChunkDims.Length} dimensions, the dataspace {rank}");
        return l;
    }
}

internal sealed record Filter(ushort Id, string Name, ushort Flags, uint[] ClientData)
{
    public const ushort Deflate = 1, Shuffle = 2, Fletcher32 = 3, Szip = 4, NBit = 5, ScaleOffset = 6;

    /// <summary>The most filters a pipeline may hold (H5Z_MAX_NFILTERS).</summary>
    public const int MaxFilters = 32;

    public bool Optional => (Flags & 1) != 0;

    public string DisplayName => Id switch
    {
        Deflate => ClientData.Length > 0 ? $"gzip({ClientData[0]})" : "gzip",
        Shuffle => "shuffle",
        Fletcher32 => "fletcher32",
        Szip => "szip",
        NBit => "nbit",
        ScaleOffset => "scaleoffset",
        _ => string.IsNullOrEmpty(Name) ? $"filter {Id}" : $"{Name} ({Id})",
    };

    public static Filter[] ParsePipeline(ref H5Reader r)
    {
        byte version = r.U8();
        int n = r.U8();
        if (version == 1) r.Skip(6);
        else if (version != 2) throw r.Error($"filter pipeline message version {version} is not defined");
        // libhdf5 (H5O__pline_decode) refuses a pipeline of no filters (its allocation of zero entries fails) and one
        // of more than H5Z_MAX_NFILTERS (32): such a message is damage, not "no filtering".
        if (n == 0) throw r.Error("filter pipeline message lists no filters; the file is damaged");
        if (n > MaxFilters) throw r.Error($"filter pipeline message lists {n} filters, more than the {MaxFilters} HDF5 allows");
        var filters = new Filter[n];
        for (int i = 0; i < n; i++)
        {
            ushort id = r.U16();
            int nameLength = version == 1 || id >= 256 ? r.U16() : 0;
            ushort flags = r.U16();
            int values = r.U16();
            string name = "";
            if (nameLength > 0)
            {
                int padded = version == 1 ? (nameLength + 7) & ~7 : nameLength;
                var bytes = r.Bytes(padded);
                int end = bytes.IndexOf((byte)0);
                name = System.Text.Encoding.ASCII.GetString(end < 0 ? bytes : bytes[..end]);
            }
            var data = new uint[values];
            for (int k = 0; k < values; k++) data[k] = r.U32();
            if (version == 1 && (values & 1) != 0) r.Skip(4);
            filters[i] = new Filter(id, name, flags, data);
        }
        return filters;
    }
}

/// <summary>A link from a group to an object: hard (an address), soft (a path) or external.</summary>
internal sealed record Link(string Name, ulong Address, string? SoftPath, bool External)
{
    /// <summary>
    /// A link's name as stored: libhdf5 never writes an empty name or one holding '/' (H5L rejects them), so such a
    /// name is damage; it is refused here rather than listed as a path no HDF5 reader can open.
    /// </summary>
    public static bool IsValidName(string name) => name.Length > 0 && !name.Contains('/');

    /// <summary>The message for a name <see cref="IsValidName"/> refuses: the name's first 40 characters, control characters and undecodable bytes as '?'.</summary>
    public static string BadName(string name)
    {
        var shown = new System.Text.StringBuilder(Math.Min(name.Length, 41));
        foreach (char c in name.Length > 40 ? name[..40] : name) shown.Append(char.IsControl(c) || c == '\uFFFD' ? '?' : c);
        if (name.Length > 40) shown.Append('…');
        return $"link name '{shown}' ({name.Length} characters) is empty or holds '/'; the file is damaged";
    }

    public static Link Parse(ref H5Reader r)
    {
        byte version = r.U8();
        if (version != 1) throw r.Error($"link message version {version} is not defined");
        byte flags = r.U8();
        int type = (flags & 0x08) != 0 ? r.U8() : 0;
        if ((flags & 0x04) != 0) r.Skip(8);
        if ((flags & 0x10) != 0) r.Skip(1);
        int nameLength = (int)r.UVar(1 << (flags & 3));
        string name = System.Text.Encoding.UTF8.GetString(r.Bytes(nameLength));
        if (!IsValidName(name)) throw r.Error(BadName(name));
        return type switch
        {
            0 => new Link(name, r.Offset(), null, false),
            1 => new Link(name, H5Reader.Undefined, System.Text.Encoding.UTF8.GetString(r.Bytes(r.U16())), false),
            64 => new Link(name, H5Reader.Undefined, null, true),
            _ => throw r.Error($"link '{name}' has undefined type {type}"),
        };
    }
}

/// <summary>Where a new-style group or an object's dense attributes keep their entries.</summary>
internal sealed record DenseStorage(ulong FractalHeap, ulong NameIndex)
{
    public bool IsDefined => FractalHeap != H5Reader.Undefined;

    public static DenseStorage ParseLinkInfo(ref H5Reader r)
    {
        byte version = r.U8();
        if (version != 0) throw r.Error($"link info message version {version} is not defined");
        byte flags = r.U8();
        if ((flags & 1) != 0) r.Skip(8);
        var d = new DenseStorage(r.Offset(), r.Offset());
        return d;
    }

    public static DenseStorage ParseAttributeInfo(ref H5Reader r)
    {
        byte version = r.U8();
        if (version != 0) throw r.Error($"attribute info message version {version} is not defined");
        byte flags = r.U8();
        if ((flags & 1) != 0) r.Skip(2);
        return new DenseStorage(r.Offset(), r.Offset());
    }
}
