using System.Collections.Concurrent;
using Zagg.Hdf5.Chunks;
using Zagg.Hdf5.Format;
using Zagg.Hdf5.IO;

namespace Zagg.Hdf5;

/// <summary>
/// An HDF5 file opened for reading over any <see cref="IByteSource"/>. Metadata is read in
/// large cached blocks; dataset reads fetch only the chunks they need, coalesced.
/// </summary>
public sealed class Hdf5File : IAsyncDisposable
{
    private readonly ConcurrentDictionary<ulong, Task<ObjectHeader>> _headers = new();
    private readonly bool _ownsSource;

    internal H5Context Context { get; }
    internal GlobalHeap GlobalHeap { get; }
    internal Superblock Superblock { get; }

    private int? _coalesceGap;

    /// <summary>
    /// Chunks closer than this in the file are fetched in one request; unless set, the source's
    /// <see cref="IByteSource.CoalesceGap"/> (latency × bandwidth measured for a remote source, else 1 MiB).
    /// </summary>
    public int CoalesceGap
    {
        get => _coalesceGap ?? Context.Source.CoalesceGap;
        set => _coalesceGap = value;
    }

    /// <summary>Stored chunks fetched ahead by a <see cref="ChunkPrefetch"/>, by file address; reads take them from here.</summary>
    internal ConcurrentDictionary<ulong, ReadOnlyMemory<byte>> Prefetched { get; } = new();

    private int _prefetchedCount;

    /// <summary>
    /// Whether <see cref="Prefetched"/> holds any chunk: a counter kept beside it, as ConcurrentDictionary's own IsEmpty
    /// takes every one of its locks when it is empty (a local file's every chunked read, from every thread).
    /// </summary>
    internal bool HasPrefetched => Volatile.Read(ref _prefetchedCount) > 0;

    /// <summary>Holds a chunk fetched ahead; false when one is held at that address already.</summary>
    internal bool TryAddPrefetched(ulong address, ReadOnlyMemory<byte> bytes)
    {
        if (!Prefetched.TryAdd(address, bytes)) return false;
        Interlocked.Increment(ref _prefetchedCount);
        return true;
    }

    /// <summary>Forgets a chunk fetched ahead (only those bytes, not another prefetch's at the same address).</summary>
    internal void RemovePrefetched(ulong address, ReadOnlyMemory<byte> bytes)
    {
        if (Prefetched.TryRemove(new KeyValuePair<ulong, ReadOnlyMemory<byte>>(address, bytes))) Interlocked.Decrement(ref _prefetchedCount);
    }

    /// <summary>How many coalesced ranges one read fetches at once (default 8).</summary>
    public int MaxConcurrentReads { get; set; } = 8;

    /// <summary>Where decoded chunks are kept for reads that need them again (none by default); may be shared by many files.</summary>
    public Hdf5ChunkCache? ChunkCache { get; set; }

    private Hdf5File(H5Context context, Superblock superblock, bool ownsSource)
    {
        Context = context;
        Superblock = superblock;
        GlobalHeap = new GlobalHeap(context);
        _ownsSource = ownsSource;
        Root = new Hdf5Group(this, "/", superblock.RootObjectHeader);
    }

    public string Name => Context.Name;

    /// <summary>The superblock version (0–3).</summary>
    public int FormatVersion => Superblock.Version;

    public Hdf5Group Root { get; }

    /// <summary>Requests and bytes fetched from the source so far (metadata and data).</summary>
    public ByteSourceStatistics Statistics => Context.Source.Statistics;

    /// <summary>The part of <see cref="Statistics"/> that was metadata, fetched in cached blocks.</summary>
    public ByteSourceStatistics MetadataStatistics => Context.Metadata.Statistics;

    public static Task<Hdf5File> OpenAsync(string path, CancellationToken ct = default)
        => OpenAsync(new FileByteSource(path), ownsSource: true, ct);

    /// <summary>Opens a file over a byte source: reads and checks its superblock.</summary>
    /// <exception cref="Hdf5Exception">Not an HDF5 file, or a superblock that is damaged, or a file shorter than the
    /// end-of-file address its superblock records ("truncated file: eof = …, stored_eof = …", as libhdf5 says). A file
    /// longer than that address opens; nothing at or past it (its end of allocation) is read.</exception>
    /// <exception cref="Hdf5SourceException">The source could not deliver the superblock.</exception>
    public static async Task<Hdf5File> OpenAsync(IByteSource source, bool ownsSource = false, CancellationToken ct = default)
    {
        var cache = new MetadataCache(source, MetadataCache.BlockSizeFor(source));
        try
        {
            var sb = await Superblock.ReadAsync(cache, ct).ConfigureAwait(false);
            if (sb.BaseAddress != 0) throw new Hdf5UnsupportedException($"{source.Name}: a base address other than 0 ({sb.BaseAddress}) is not supported");
            // As libhdf5 does (H5F__super_read): a file shorter than the end-of-file address its superblock
            // records was cut short, and is refused as a whole, even where the bytes a read needs exist. An undefined
            // address (all bits set) is refused the same way, as libhdf5 refuses it.
            if ((ulong)source.Length < sb.EndOfFile)
                throw new Hdf5Exception($"{source.Name}: truncated file: eof = {source.Length}, stored_eof = {(sb.EndOfFile == H5Reader.Undefined ? "undefined" : sb.EndOfFile.ToString())}; the file is truncated or damaged");
            // A longer file is read, but only below that address, its end of allocation: libhdf5 reads nothing past it.
            cache.EndAllocationAt((long)sb.EndOfFile);
            var ctx = new H5Context
            {
                Source = source, Metadata = cache, OffsetSize = sb.OffsetSize, LengthSize = sb.LengthSize,
                BaseAddress = sb.BaseAddress, EndOfAllocation = sb.EndOfFile,
            };
            return new Hdf5File(ctx, sb, ownsSource);
        }
        catch
        {
            if (ownsSource) await source.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private readonly ConcurrentDictionary<string, Task<Hdf5Object?>> _paths = new(StringComparer.Ordinal);

    /// <summary>The object at a path ("/gt1l/land_ice_segments/h_li"), or null when there is none. Resolved once per path.</summary>
    public Task<Hdf5Object?> TryGetAsync(string path, CancellationToken ct = default)
    {
        // A path resolved already: its completed task itself (no closure, no state machine; a dense run asks ~10^5 times).
        if (_paths.TryGetValue(path, out var known) && known.IsCompletedSuccessfully) return known;
        return LookUpAsync(path, ct);
    }

    private async Task<Hdf5Object?> LookUpAsync(string path, CancellationToken ct)
    {
        var lookup = _paths.GetOrAdd(path, static (p, state) => state.File.ResolveAsync(p, state.Ct), (File: this, Ct: ct));
        try { return await lookup.ConfigureAwait(false); }
        catch
        {
            _paths.TryRemove(new KeyValuePair<string, Task<Hdf5Object?>>(path, lookup)); // a failed lookup is not remembered
            throw;
        }
    }

    /// <summary>
    /// Resolves a path through its parent's resolution (itself resolved once per path), so the groups along the
    /// way are the same objects for every path under them and each group's links are read once per file, not
    /// once per path (a granule's 5 datasets per beam read their beam's groups once, not 5 times).
    /// </summary>
    private async Task<Hdf5Object?> ResolveAsync(string path, CancellationToken ct)
    {
        string trimmed = path.TrimEnd('/');
        int slash = trimmed.LastIndexOf('/');
        string name = trimmed[(slash + 1)..];
        if (name.Length == 0) return Root;
        var parent = slash <= 0 ? Root : await TryGetAsync(trimmed[..slash], ct).ConfigureAwait(false);
        return parent is Hdf5Group g ? await g.TryGetChildAsync(name, ct).ConfigureAwait(false) : null;
    }

    public async Task<Hdf5Dataset> GetDatasetAsync(string path, CancellationToken ct = default)
    {
        var o = await TryGetAsync(path, ct).ConfigureAwait(false);
        return o switch
        {
            Hdf5Dataset d => d,
            null => throw new Hdf5NotFoundException($"{Name}: no dataset {path}", path),
            _ => throw new Hdf5Exception($"{Name}: {path} is a group, not a dataset"),
        };
    }

    public async Task<Hdf5Group> GetGroupAsync(string path, CancellationToken ct = default)
    {
        var o = await TryGetAsync(path, ct).ConfigureAwait(false);
        return o switch
        {
            Hdf5Group g => g,
            null => throw new Hdf5NotFoundException($"{Name}: no group {path}", path),
            _ => throw new Hdf5Exception($"{Name}: {path} is a dataset, not a group"),
        };
    }

    /// <summary>The object header at an address, parsed once; a failed read is not remembered.</summary>
    internal Task<ObjectHeader> HeaderAsync(ulong address, string path, CancellationToken ct)
    {
        if (_headers.TryGetValue(address, out var known) && known.IsCompletedSuccessfully) return known;
        return ReadHeaderAsync(address, path, ct);
    }

    private async Task<ObjectHeader> ReadHeaderAsync(ulong address, string path, CancellationToken ct)
    {
        var read = _headers.GetOrAdd(address, static (a, state) => ObjectHeader.ReadAsync(state.Context, a, state.Path, state.Ct).AsTask(), (Context, Path: path, Ct: ct));
        try { return await read.ConfigureAwait(false); }
        catch
        {
            _headers.TryRemove(new KeyValuePair<ulong, Task<ObjectHeader>>(address, read));
            throw;
        }
    }

    /// <summary>Makes a group or dataset object for the header at an address.</summary>
    internal async Task<Hdf5Object> ObjectAtAsync(ulong address, string path, CancellationToken ct)
    {
        var header = await HeaderAsync(address, path, ct).ConfigureAwait(false);
        if (header.First(MessageType.Layout) is not null || header.First(MessageType.Dataspace) is not null && header.First(MessageType.Datatype) is not null)
            return Hdf5Dataset.Create(this, path, header);
        return new Hdf5Group(this, path, address);
    }

    public async ValueTask DisposeAsync()
    {
        ChunkCache?.Forget(this);
        if (_ownsSource) await Context.Source.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>A group or a dataset.</summary>
public abstract class Hdf5Object
{
    private protected Hdf5Object(Hdf5File file, string path, ulong address)
    {
        File = file;
        Path = path;
        Address = address;
    }

    public Hdf5File File { get; }

    /// <summary>The absolute path, e.g. "/gt1l/land_ice_segments".</summary>
    public string Path { get; }

    internal ulong Address { get; }

    /// <summary>The object's attributes, compact or dense.</summary>
    public async Task<IReadOnlyList<Hdf5Attribute>> AttributesAsync(CancellationToken ct = default)
    {
        var header = await File.HeaderAsync(Address, Path, ct).ConfigureAwait(false);
        var result = new List<Hdf5Attribute>();
        foreach (var m in header.OfType(MessageType.Attribute))
            result.Add(Hdf5Attribute.Parse(File, m.Data, Path));
        if (header.First(MessageType.AttributeInfo) is { } info)
        {
            var r = File.Context.Reader(info.Data, $"{File.Name}: attribute info of {Path}");
            var dense = DenseStorage.ParseAttributeInfo(ref r);
            if (dense.IsDefined)
            {
                var heap = await FractalHeap.OpenAsync(File.Context, dense.FractalHeap, Path, ct).ConfigureAwait(false);
                foreach (var record in await BTreeV2.RecordsAsync(File.Context, dense.NameIndex, Path, ct).ConfigureAwait(false))
                {
                    var bytes = await heap.GetAsync(record.AsMemory(0, 8), ct).ConfigureAwait(false);
                    result.Add(Hdf5Attribute.Parse(File, bytes.ToArray(), Path));
                }
            }
        }
        return result;
    }

    public async Task<Hdf5Attribute?> TryGetAttributeAsync(string name, CancellationToken ct = default)
    {
        foreach (var a in await AttributesAsync(ct).ConfigureAwait(false))
            if (a.Name == name) return a;
        return null;
    }

    internal static string Join(string parent, string name) => parent == "/" ? "/" + name : parent + "/" + name;
}

/// <summary>A group: named links to other objects.</summary>
public sealed class Hdf5Group : Hdf5Object
{
    private Task<IReadOnlyList<(string Name, ulong Address, string? Soft)>>? _links;

    internal Hdf5Group(Hdf5File file, string path, ulong address) : base(file, path, address) { }

    /// <summary>The names of the group's members, in name order.</summary>
    public async Task<IReadOnlyList<string>> NamesAsync(CancellationToken ct = default)
    {
        var links = await LinksAsync(ct).ConfigureAwait(false);
        var names = new List<string>(links.Count);
        foreach (var l in links) names.Add(l.Name);
        return names;
    }

    /// <summary>The group's members as objects (soft and external links are left out).</summary>
    public async Task<IReadOnlyList<Hdf5Object>> ChildrenAsync(CancellationToken ct = default)
    {
        var result = new List<Hdf5Object>();
        foreach (var l in await LinksAsync(ct).ConfigureAwait(false))
            if (l.Soft is null && l.Address != H5Reader.Undefined)
                result.Add(await File.ObjectAtAsync(l.Address, Join(Path, l.Name), ct).ConfigureAwait(false));
        return result;
    }

    public async Task<Hdf5Object?> TryGetChildAsync(string name, CancellationToken ct = default)
    {
        foreach (var l in await LinksAsync(ct).ConfigureAwait(false))
        {
            if (l.Name != name) continue;
            if (l.Soft is not null) return await File.TryGetAsync(l.Soft.StartsWith('/') ? l.Soft : Join(Path, l.Soft), ct).ConfigureAwait(false);
            if (l.Address == H5Reader.Undefined) throw new Hdf5UnsupportedException($"{File.Name}: {Join(Path, name)} is an external link, which is not supported");
            return await File.ObjectAtAsync(l.Address, Join(Path, name), ct).ConfigureAwait(false);
        }
        return null;
    }

    /// <summary>The group's links, read once; a failed read is not remembered.</summary>
    private async Task<IReadOnlyList<(string Name, ulong Address, string? Soft)>> LinksAsync(CancellationToken ct)
    {
        var task = _links ??= ReadLinksAsync(ct);
        try { return await task.ConfigureAwait(false); }
        catch
        {
            _ = Interlocked.CompareExchange(ref _links, null, task);
            throw;
        }
    }

    private async Task<IReadOnlyList<(string Name, ulong Address, string? Soft)>> ReadLinksAsync(CancellationToken ct)
    {
        var ctx = File.Context;
        var result = new List<(string, ulong, string?)>();
        // The root group of a version 0/1 superblock may carry its symbol table in the superblock.
        var header = await File.HeaderAsync(Address, Path, ct).ConfigureAwait(false);
        if (header.First(MessageType.SymbolTable) is { } st)
        {
            var r = ctx.Reader(st.Data, $"{File.Name}: symbol table message of {Path}");
            ulong btree = r.Offset(), heap = r.Offset();
            foreach (var l in await SymbolTableGroup.ReadAsync(ctx, btree, heap, Path, ct).ConfigureAwait(false))
                result.Add((l.Name, l.Address, null));
            return Sorted(result);
        }
        foreach (var m in header.OfType(MessageType.Link))
        {
            var r = ctx.Reader(m.Data, $"{File.Name}: link message in {Path}");
            var l = Link.Parse(ref r);
            result.Add((l.Name, l.Address, l.SoftPath));
        }
        if (header.First(MessageType.LinkInfo) is { } li)
        {
            var r = ctx.Reader(li.Data, $"{File.Name}: link info of {Path}");
            var dense = DenseStorage.ParseLinkInfo(ref r);
            if (dense.IsDefined)
            {
                var heap = await FractalHeap.OpenAsync(ctx, dense.FractalHeap, Path, ct).ConfigureAwait(false);
                foreach (var record in await BTreeV2.RecordsAsync(ctx, dense.NameIndex, Path, ct).ConfigureAwait(false))
                {
                    // Name index records: a 4-byte hash, then the heap ID of the link message.
                    var bytes = await heap.GetAsync(record.AsMemory(4), ct).ConfigureAwait(false);
                    var lr = ctx.Reader(bytes.Span, $"{File.Name}: dense link in {Path}");
                    var l = Link.Parse(ref lr);
                    result.Add((l.Name, l.Address, l.SoftPath));
                }
            }
        }
        return Sorted(result);
    }

    /// <summary>
    /// Name order, as h5py lists them (dense groups index by name hash, not by name). Two links of one name are
    /// damage (libhdf5 never writes them; looking a name up it finds one of them by its own search, a listing shows
    /// both): refused, so a path never names another object than libhdf5 opens.
    /// </summary>
    private List<(string, ulong, string?)> Sorted(List<(string Name, ulong, string?)> result)
    {
        result.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        for (int i = 1; i < result.Count; i++)
            if (result[i].Name == result[i - 1].Name)
                throw new Hdf5Exception($"{File.Name}: group {Path} holds two links named '{result[i].Name}'; the file is damaged");
        return result;
    }
}
