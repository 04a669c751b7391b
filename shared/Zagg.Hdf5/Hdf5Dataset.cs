using System.Numerics;
using Zagg.Hdf5.Filters;
using Zagg.Hdf5.Format;

namespace Zagg.Hdf5;

/// <summary>
/// A dataset: a typed, shaped array stored compact, contiguous or chunked. Reads select rows of
/// the first dimension and touch only the chunks that overlap them.
/// </summary>
public sealed class Hdf5Dataset : Hdf5Object
{
    private readonly Dataspace _space;
    private readonly DataLayout _layout;
    private readonly Filter[] _filters;
    private readonly byte[]? _fill;
    private Task<List<ChunkRef>>? _chunks;

    private Hdf5Dataset(Hdf5File file, string path, ulong address, Hdf5Datatype type, Dataspace space, DataLayout layout, Filter[] filters, byte[]? fill)
        : base(file, path, address)
    {
        Datatype = type;
        _space = space;
        _layout = layout;
        _filters = filters;
        _fill = fill;
    }

    public Hdf5Datatype Datatype { get; }

    /// <summary>Empty for a scalar.</summary>
    public long[] Shape => Array.ConvertAll(_space.Dims, d => (long)d);

    /// <summary>Maximum shape; −1 for an unlimited dimension; null when not recorded (equal to <see cref="Shape"/>).</summary>
    public long[]? MaxShape => _space.MaxDims is null ? null : Array.ConvertAll(_space.MaxDims, d => d == H5Reader.Undefined ? -1L : (long)d);

    public long ElementCount => (long)_space.ElementCount;

    /// <summary>"compact", "contiguous" or "chunked".</summary>
    public string Layout => _layout.Class.ToString().ToLowerInvariant();

    /// <summary>The chunk shape, or null when not chunked.</summary>
    public long[]? ChunkShape => _layout.Class == LayoutClass.Chunked ? Array.ConvertAll(_layout.ChunkDims, d => (long)d) : null;

    /// <summary>How chunks are found: "btree-v1", "single-chunk", "implicit", "fixed-array", "extensible-array", "btree-v2".</summary>
    public string? ChunkIndex => _layout.Class != LayoutClass.Chunked ? null : _layout.Index switch
    {
        ChunkIndexType.BTreeV1 => "btree-v1",
        ChunkIndexType.SingleChunk => "single-chunk",
        ChunkIndexType.Implicit => "implicit",
        ChunkIndexType.FixedArray => "fixed-array",
        ChunkIndexType.ExtensibleArray => "extensible-array",
        _ => "btree-v2",
    };

    /// <summary>The filters in pipeline order, e.g. ["shuffle", "gzip(6)"].</summary>
    public IReadOnlyList<string> Filters => Array.ConvertAll(_filters, f => f.DisplayName);

    /// <summary>The fill value's bytes in the dataset's byte order, or null (zeros).</summary>
    public ReadOnlyMemory<byte>? FillValue => _fill;

    internal static Hdf5Dataset Create(Hdf5File file, string path, ObjectHeader header)
    {
        var ctx = file.Context;
        string where = $"{file.Name}: {path}";
        var typeMsg = header.First(MessageType.Datatype) ?? throw new Hdf5Exception($"{where}: dataset has no datatype message");
        if ((typeMsg.Flags & 2) != 0) throw new Hdf5UnsupportedException($"{where}: shared (committed) datatypes are not supported");
        var tr = ctx.Reader(typeMsg.Data, $"{where}: datatype");
        var type = Hdf5Datatype.Parse(ref tr);
        var spaceMsg = header.First(MessageType.Dataspace) ?? throw new Hdf5Exception($"{where}: dataset has no dataspace message");
        var sr = ctx.Reader(spaceMsg.Data, $"{where}: dataspace");
        var space = Dataspace.Parse(ref sr);
        var layoutMsg = header.First(MessageType.Layout) ?? throw new Hdf5Exception($"{where}: dataset has no data layout message");
        var lr = ctx.Reader(layoutMsg.Data, $"{where}: data layout");
        var layout = DataLayout.Parse(ref lr, space.Rank);
        Filter[] filters = [];
        if (header.First(MessageType.FilterPipeline) is { } fp)
        {
            var fr = ctx.Reader(fp.Data, $"{where}: filter pipeline");
            filters = Filter.ParsePipeline(ref fr);
        }
        byte[]? fill = null;
        if (header.First(MessageType.FillValue) is { } fv)
            fill = ParseFill(ctx.Reader(fv.Data, $"{where}: fill value"), type.Size);
        else if (header.First(MessageType.FillValueOld) is { } old && old.Data.Length >= 4)
        {
            var r = ctx.Reader(old.Data, $"{where}: fill value");
            int size = (int)r.U32();
            if (size == type.Size) fill = r.Bytes(size).ToArray();
        }
        if ((UInt128)space.ElementCount * (ulong)Math.Max(1, type.Size) > (UInt128)(1UL << 62))
            throw new Hdf5Exception($"{where}: {space.ElementCount} elements of {type.Size} bytes are implausibly large; the file is damaged");
        if (layout.Class == LayoutClass.Chunked)
        {
            UInt128 chunkBytes = (UInt128)Math.Max(1, type.Size);
            foreach (ulong d in layout.ChunkDims)
            {
                if (d == 0) throw new Hdf5Exception($"{where}: a chunk dimension is 0");
                chunkBytes *= d;
                if (chunkBytes > MaxChunkBytes) throw new Hdf5Exception($"{where}: chunks of {string.Join(" x ", layout.ChunkDims)} elements are larger than {MaxChunkBytes >> 20} MiB; the file is damaged or beyond this reader");
            }
        }
        return new Hdf5Dataset(file, path, header.Address, type, space, layout, filters, fill);
    }

    /// <summary>The largest chunk this reader decodes (HDF5 itself caps chunks at 4 GiB).</summary>
    private const long MaxChunkBytes = 1L << 30;

    private static byte[]? ParseFill(H5Reader r, int elementSize)
    {
        byte version = r.U8();
        bool defined;
        if (version is 1 or 2)
        {
            r.Skip(2);
            defined = r.U8() != 0;
            if (!defined || r.Remaining < 4) return null;
        }
        else if (version == 3)
        {
            byte flags = r.U8();
            defined = (flags & 0x20) != 0;
            if (!defined) return null;
        }
        else throw r.Error($"fill value message version {version} is not defined");
        int size = (int)r.U32();
        if (size == 0) return null;
        if (size != elementSize) throw r.Error($"fill value has {size} bytes, elements {elementSize}");
        return r.Bytes(size).ToArray();
    }

    private string Where => $"{File.Name}: {Path}";

    private long RowElements
    {
        get
        {
            long n = 1;
            for (int d = 1; d < _space.Rank; d++) n = checked(n * (long)_space.Dims[d]);
            return n;
        }
    }

    private long Rows => _space.Rank == 0 ? 1 : (long)_space.Dims[0];

    /// <summary>Bytes of rows [start, stop) of the first dimension (all of a scalar), in the file's byte order, C order.</summary>
    public async Task<byte[]> ReadBytesAsync(long start = 0, long stop = -1, CancellationToken ct = default)
    {
        (start, stop) = CheckRows(start, stop);
        var output = new byte[ByteCount(start, stop)];
        await ReadBytesAsync(output, start, stop, ct).ConfigureAwait(false);
        return output;
    }

    /// <summary>The bytes of rows [start, stop), when one array can hold them.</summary>
    private int ByteCount(long start, long stop)
    {
        UInt128 bytes = (UInt128)(ulong)(stop - start) * (ulong)RowElements * (ulong)Datatype.Size;
        if (bytes > (UInt128)Array.MaxLength) throw new Hdf5Exception($"{Where}: {bytes} bytes are too many for one read; read fewer rows");
        return (int)bytes;
    }

    /// <summary>Reads rows [start, stop) into a caller's buffer of exactly their size.</summary>
    public async Task ReadBytesAsync(Memory<byte> output, long start, long stop, CancellationToken ct = default)
    {
        (start, stop) = CheckRows(start, stop);
        int elementSize = Datatype.Size;
        long rowBytes = RowElements * elementSize;
        if (output.Length != (stop - start) * rowBytes)
            throw new ArgumentException($"output has {output.Length} bytes; rows {start}–{stop} of {Path} need {(stop - start) * rowBytes}");
        if (output.Length == 0) return;
        switch (_layout.Class)
        {
            case LayoutClass.Compact:
                var data = _layout.CompactData!;
                if (data.Length < Rows * rowBytes) throw new Hdf5Exception($"{Where}: compact data has {data.Length} bytes, {Rows * rowBytes} expected");
                data.AsSpan((int)(start * rowBytes), output.Length).CopyTo(output.Span);
                return;
            case LayoutClass.Contiguous:
                if (_layout.Address == H5Reader.Undefined) { Fill(output.Span); return; }
                File.Context.CheckRange(_layout.Address + (ulong)(start * rowBytes), (ulong)output.Length, Where);
                await File.Context.Source.ReadAsync((long)_layout.Address + start * rowBytes, output, ct).ConfigureAwait(false);
                return;
            case LayoutClass.Chunked:
                await ReadChunkedAsync(output, start, stop, ct).ConfigureAwait(false);
                return;
            default:
                throw new Hdf5UnsupportedException($"{Where}: {_layout.Class} layout is not supported");
        }
    }

    /// <summary>Rows [start, stop) as numbers of type T (converted from any numeric type, either byte order).</summary>
    public async Task<T[]> ReadAsync<T>(long start = 0, long stop = -1, CancellationToken ct = default) where T : unmanaged, INumberBase<T>
    {
        CheckNumbers();
        (start, stop) = CheckRows(start, stop);
        int size = ByteCount(start, stop);
        var result = new T[size / Datatype.Size];
        await ReadNumbersAsync<T>(result, start, stop, size, ct).ConfigureAwait(false);
        return result;
    }

    /// <summary>Rows [start, stop) as numbers of type T into a caller's buffer of exactly their element count.</summary>
    public async Task ReadAsync<T>(Memory<T> output, long start, long stop, CancellationToken ct = default) where T : unmanaged, INumberBase<T>
    {
        CheckNumbers();
        (start, stop) = CheckRows(start, stop);
        int size = ByteCount(start, stop);
        if (output.Length != size / Datatype.Size)
            throw new ArgumentException($"output has room for {output.Length} values; rows {start}–{stop} of {Path} hold {size / Datatype.Size}");
        await ReadNumbersAsync(output, start, stop, size, ct).ConfigureAwait(false);
    }

    /// <summary>Checked rows [start, stop), <paramref name="size"/> bytes in the file, as numbers into <paramref name="output"/>.</summary>
    private async Task ReadNumbersAsync<T>(Memory<T> output, long start, long stop, int size, CancellationToken ct) where T : unmanaged, INumberBase<T>
    {
        // The file's bytes pass through a pooled buffer on their way to numbers.
        byte[] raw = System.Buffers.ArrayPool<byte>.Shared.Rent(size);
        try
        {
            await ReadBytesAsync(raw.AsMemory(0, size), start, stop, ct).ConfigureAwait(false);
            ValueDecoder.ToNumbers<T>(raw.AsSpan(0, size), Datatype, output.Span, Where);
        }
        finally { System.Buffers.ArrayPool<byte>.Shared.Return(raw); }
    }

    private void CheckNumbers()
    {
        if (Datatype.Class is not (Hdf5TypeClass.FixedPoint or Hdf5TypeClass.FloatingPoint))
            throw new Hdf5Exception($"{Where}: {Datatype} values are not numbers");
    }

    /// <summary>Rows [start, stop) of a fixed- or variable-length string dataset.</summary>
    public async Task<string[]> ReadStringsAsync(long start = 0, long stop = -1, CancellationToken ct = default)
    {
        var raw = await ReadBytesAsync(start, stop, ct).ConfigureAwait(false);
        if (Datatype.Class == Hdf5TypeClass.String) return ValueDecoder.FixedStrings(raw, Datatype.Size);
        if (Datatype.IsVariableLengthString) return await ValueDecoder.VariableStringsAsync(File, raw, Datatype.Size, ct).ConfigureAwait(false);
        throw new Hdf5Exception($"{Where}: {Datatype} is not a string type");
    }

    private (long, long) CheckRows(long start, long stop)
    {
        if (!Datatype.IsSupported)
            throw new Hdf5UnsupportedException($"{Where}: datatype class {Datatype.Class} is not supported");
        if (_space.IsNull) return (0, 0);
        if (stop < 0) stop = Rows;
        if (start < 0 || start > stop || stop > Rows)
            throw new ArgumentOutOfRangeException(nameof(start), $"rows {start}–{stop} are outside {Path}'s {Rows} rows");
        return (start, stop);
    }

    private void Fill(Span<byte> output)
    {
        if (_fill is null) { output.Clear(); return; }
        for (int i = 0; i + _fill.Length <= output.Length; i += _fill.Length) _fill.CopyTo(output[i..]);
    }

    internal sealed record ChunkRef(long[] Offset, ulong Address, ulong Size, uint Mask);

    /// <summary>The stored chunks: their first element's coordinates, file address and stored (filtered) size.</summary>
    public async Task<IReadOnlyList<Hdf5Chunk>> ChunksAsync(CancellationToken ct = default)
    {
        if (_layout.Class != LayoutClass.Chunked) return [];
        var list = await (_chunks ??= ChunkListAsync(ct)).ConfigureAwait(false);
        var result = new List<Hdf5Chunk>(list.Count);
        foreach (var c in list)
            if (c.Address != H5Reader.Undefined) result.Add(new Hdf5Chunk(c.Offset, (long)c.Address, (long)c.Size));
        return result;
    }

    private async Task ReadChunkedAsync(Memory<byte> output, long start, long stop, CancellationToken ct)
    {
        FilterPipeline.CheckSupported(_filters, Where);
        var chunks = await (_chunks ??= ChunkListAsync(ct)).ConfigureAwait(false);
        long c0 = (long)_layout.ChunkDims[0];
        var wanted = new List<ChunkRef>();
        foreach (var c in chunks)
        {
            if (c.Address == H5Reader.Undefined || c.Offset[0] >= stop || c.Offset[0] + c0 <= start) continue;
            for (int d = 0; d < c.Offset.Length; d++)
                if (c.Offset[d] < 0 || c.Offset[d] % (long)_layout.ChunkDims[d] != 0 || c.Offset[d] >= (long)Math.Max(_space.Dims[d], 1))
                    throw new Hdf5Exception($"{Where}: the chunk index names a chunk at ({string.Join(",", c.Offset)}), which is off the chunk grid; the file is damaged");
            wanted.Add(c);
        }
        long expected = (stop - 1) / c0 - start / c0 + 1;
        for (int d = 1; d < _space.Rank; d++) expected *= ((long)_space.Dims[d] + (long)_layout.ChunkDims[d] - 1) / (long)_layout.ChunkDims[d];
        if (wanted.Count < expected) Fill(output.Span);
        if (wanted.Count == 0) return;

        int chunkBytes = checked((int)ChunkElements() * Datatype.Size);
        // A chunk this read uses in part may be in the cache (the neighbouring range read it); one it
        // decodes in part goes there.
        var cache = File.ChunkCache;
        long rows = Rows;
        bool Partial(ChunkRef c) => c.Offset[0] < start || Math.Min(c.Offset[0] + c0, rows) > stop;
        if (cache is not null)
        {
            wanted.RemoveAll(c =>
            {
                if (!Partial(c) || cache.TryGet(File, c.Address) is not { } cached) return false;
                CopyChunk(cached, c.Offset, output.Span, start, stop);
                return true;
            });
            if (wanted.Count == 0) return;
        }
        // Coalesce: chunks sorted by address, ranges merged across gaps up to CoalesceGap.
        wanted.Sort((a, b) => a.Address.CompareTo(b.Address));
        var ranges = new List<(ulong Start, ulong End, int First, int Count)>();
        for (int i = 0; i < wanted.Count; i++)
        {
            var c = wanted[i];
            File.Context.CheckRange(c.Address, c.Size, $"{Where}: chunk at {string.Join(",", c.Offset)}");
            if (ranges.Count > 0 && c.Address <= ranges[^1].End + (ulong)File.CoalesceGap && c.Address >= ranges[^1].Start)
            {
                var r = ranges[^1];
                ranges[^1] = (r.Start, Math.Max(r.End, c.Address + c.Size), r.First, r.Count + 1);
            }
            else ranges.Add((c.Address, c.Address + c.Size, i, 1));
        }
        // A local file is read range after range on the caller's thread; a remote one, a few ranges at once.
        if (File.Context.Source.IsLocal || ranges.Count == 1)
        {
            foreach (var range in ranges) await ReadRange(range).ConfigureAwait(false);
            return;
        }
        using var gate = new SemaphoreSlim(Math.Max(1, File.MaxConcurrentReads));
        var tasks = new List<Task>(ranges.Count);
        foreach (var range in ranges)
            tasks.Add(Task.Run(async () =>
            {
                await gate.WaitAsync(ct).ConfigureAwait(false);
                try { await ReadRange(range).ConfigureAwait(false); }
                finally { gate.Release(); }
            }, ct));
        await Task.WhenAll(tasks).ConfigureAwait(false);

        async Task ReadRange((ulong Start, ulong End, int First, int Count) range)
        {
            byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(checked((int)(range.End - range.Start)));
            byte[] decoded = System.Buffers.ArrayPool<byte>.Shared.Rent(chunkBytes);
            try
            {
                await File.Context.Source.ReadAsync((long)range.Start, buffer.AsMemory(0, (int)(range.End - range.Start)), ct).ConfigureAwait(false);
                for (int k = range.First; k < range.First + range.Count; k++)
                {
                    var c = wanted[k];
                    var stored = buffer.AsSpan((int)(c.Address - range.Start), (int)c.Size);
                    bool keep = cache is not null && Partial(c);
                    ReadOnlySpan<byte> chunk;
                    if (_filters.Length == 0)
                    {
                        if (stored.Length != chunkBytes) throw new Hdf5Exception($"{Where}: chunk at ({string.Join(",", c.Offset)}): {stored.Length} bytes stored, {chunkBytes} expected");
                        chunk = stored;
                        if (keep) cache!.Add(File, c.Address, stored.ToArray());
                    }
                    else
                    {
                        // A chunk to keep is decoded into its own array, which the cache then holds.
                        byte[] target = keep ? new byte[chunkBytes] : decoded;
                        FilterPipeline.Decode(_filters, c.Mask, stored, target.AsSpan(0, chunkBytes), Datatype.Size, $"{Where}: chunk at ({string.Join(",", c.Offset)})");
                        chunk = target.AsSpan(0, chunkBytes);
                        if (keep) cache!.Add(File, c.Address, target);
                    }
                    CopyChunk(chunk, c.Offset, output.Span, start, stop);
                }
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
                System.Buffers.ArrayPool<byte>.Shared.Return(decoded);
            }
        }
    }

    private long ChunkElements()
    {
        long n = 1;
        foreach (ulong d in _layout.ChunkDims) n = checked(n * (long)d);
        return n;
    }

    /// <summary>Copies the part of a decoded chunk that falls in rows [start, stop) into the output (C order).</summary>
    private void CopyChunk(ReadOnlySpan<byte> chunk, long[] offset, Span<byte> output, long start, long stop)
    {
        int rank = _space.Rank;
        int es = Datatype.Size;
        var dims = _space.Dims;
        var cd = _layout.ChunkDims;
        // Index box of the chunk intersected with the selection.
        Span<long> lo = stackalloc long[rank];
        Span<long> hi = stackalloc long[rank];
        for (int d = 0; d < rank; d++)
        {
            lo[d] = offset[d];
            hi[d] = Math.Min(offset[d] + (long)cd[d], (long)dims[d]);
        }
        lo[0] = Math.Max(lo[0], start);
        hi[0] = Math.Min(hi[0], stop);
        if (lo[0] >= hi[0]) return;
        for (int d = 1; d < rank; d++) if (lo[d] >= hi[d]) return;
        long run = (hi[rank - 1] - lo[rank - 1]) * es;
        Span<long> idx = stackalloc long[rank];
        lo.CopyTo(idx);
        while (true)
        {
            long src = 0, dst = 0;
            for (int d = 0; d < rank; d++)
            {
                src = src * (long)cd[d] + (idx[d] - offset[d]);
                dst = dst * (d == 0 ? 1 : (long)dims[d]) + (d == 0 ? idx[0] - start : idx[d]);
            }
            chunk.Slice((int)(src * es), (int)run).CopyTo(output.Slice((int)(dst * es)));
            int k = rank - 2;
            while (k >= 0)
            {
                if (++idx[k] < hi[k]) break;
                idx[k] = lo[k];
                k--;
            }
            if (k < 0) break;
        }
    }

    private async Task<List<ChunkRef>> ChunkListAsync(CancellationToken ct)
    {
        var ctx = File.Context;
        int rank = _space.Rank;
        var list = new List<ChunkRef>();
        ulong rawBytes = (ulong)(ChunkElements() * Datatype.Size);
        if (_layout.Address == H5Reader.Undefined) return list;
        switch (_layout.Index)
        {
            case ChunkIndexType.BTreeV1:
                await BTreeV1.CollectAsync(ctx, _layout.Address, 1, Path, (key, child) =>
                {
                    var r = ctx.Reader(key, $"{Where}: chunk key");
                    uint size = r.U32();
                    uint mask = r.U32();
                    var offset = new long[rank];
                    for (int d = 0; d < rank; d++) offset[d] = (long)r.U64();
                    list.Add(new ChunkRef(offset, child, size, mask));
                }, ct, rank).ConfigureAwait(false);
                break;
            case ChunkIndexType.SingleChunk:
                list.Add(new ChunkRef(new long[rank], _layout.Address, _layout.SingleChunkFiltered ? _layout.SingleChunkFilteredSize : rawBytes, _layout.SingleChunkFilterMask));
                break;
            case ChunkIndexType.Implicit:
            {
                long n = GridCount();
                for (long i = 0; i < n; i++) list.Add(new ChunkRef(GridOffset(i), _layout.Address + (ulong)i * rawBytes, rawBytes, 0));
                break;
            }
            case ChunkIndexType.FixedArray:
                await FixedArrayAsync(list, rawBytes, ct).ConfigureAwait(false);
                break;
            case ChunkIndexType.BTreeV2:
                foreach (var rec in await BTreeV2.RecordsAsync(ctx, _layout.Address, Path, ct).ConfigureAwait(false))
                {
                    var r = ctx.Reader(rec, $"{Where}: chunk record");
                    ulong address = r.Offset();
                    ulong size = rawBytes;
                    uint mask = 0;
                    if (_filters.Length > 0)
                    {
                        size = r.UVar(rec.Length - ctx.OffsetSize - 4 - 8 * rank);
                        mask = r.U32();
                    }
                    var offset = new long[rank];
                    for (int d = 0; d < rank; d++) offset[d] = (long)r.U64() * (long)_layout.ChunkDims[d];
                    list.Add(new ChunkRef(offset, address, size, mask));
                }
                break;
            case ChunkIndexType.ExtensibleArray:
                foreach (var (index, element) in await ExtensibleArray.ElementsAsync(ctx, _layout.Address, Path, ct).ConfigureAwait(false))
                {
                    var r = ctx.Reader(element, $"{Where}: chunk entry");
                    ulong address = r.Offset();
                    if (address == H5Reader.Undefined) continue;
                    ulong size = rawBytes;
                    uint mask = 0;
                    if (_filters.Length > 0)
                    {
                        size = r.UVar(element.Length - ctx.OffsetSize - 4);
                        mask = r.U32();
                    }
                    list.Add(new ChunkRef(UnlimitedFirstOffset(index), address, size, mask));
                }
                break;
            default:
                throw new Hdf5UnsupportedException($"{Where}: chunk index {(int)_layout.Index} is not supported");
        }
        return list;
    }

    /// <summary>The chunk grid over the maximum dimensions where they are fixed (as fixed arrays and implicit indexes count chunks).</summary>
    private long[] GridDims()
    {
        int rank = _space.Rank;
        var g = new long[rank];
        for (int d = 0; d < rank; d++)
        {
            ulong extent = _space.MaxDims is { } m && m[d] != H5Reader.Undefined ? m[d] : _space.Dims[d];
            g[d] = (long)((extent + _layout.ChunkDims[d] - 1) / _layout.ChunkDims[d]);
        }
        return g;
    }

    private long GridCount()
    {
        long n = 1;
        foreach (long g in GridDims()) n = checked(n * g);
        return n;
    }

    private long[] GridOffset(long linear)
    {
        var g = GridDims();
        var offset = new long[g.Length];
        for (int d = g.Length - 1; d >= 0; d--)
        {
            offset[d] = linear % g[d] * (long)_layout.ChunkDims[d];
            linear /= g[d];
        }
        return offset;
    }

    /// <summary>
    /// The chunk offset of an extensible array index: chunks are numbered in row-major order with
    /// the unlimited dimension moved to the front (it alone has no fixed extent).
    /// </summary>
    private long[] UnlimitedFirstOffset(long linear)
    {
        int rank = _space.Rank;
        var max = _space.MaxDims ?? _space.Dims;
        int unlimited = Array.IndexOf(max, H5Reader.Undefined);
        if (unlimited < 0) unlimited = 0;
        var order = new List<int> { unlimited };
        for (int d = 0; d < rank; d++) if (d != unlimited) order.Add(d);
        var offset = new long[rank];
        for (int k = rank - 1; k >= 1; k--)
        {
            int d = order[k];
            long g = (long)((max[d] + _layout.ChunkDims[d] - 1) / _layout.ChunkDims[d]);
            offset[d] = linear % g * (long)_layout.ChunkDims[d];
            linear /= g;
        }
        offset[unlimited] = linear * (long)_layout.ChunkDims[unlimited];
        return offset;
    }

    private async Task FixedArrayAsync(List<ChunkRef> list, ulong rawBytes, CancellationToken ct)
    {
        var ctx = File.Context;
        string what = $"{Where}: fixed array index at {_layout.Address}";
        ctx.CheckAddress(_layout.Address, what);
        var head = await ctx.Metadata.ReadAsync((long)_layout.Address, 16 + ctx.LengthSize + ctx.OffsetSize, ct).ConfigureAwait(false);
        var r = ctx.Reader(head.Span, what);
        r.Signature("FAHD");
        if (r.U8() != 0) throw r.Error("version is not 0");
        int client = r.U8();
        int entrySize = r.U8();
        int pageBits = r.U8();
        ulong entries = r.Length();
        ulong dataBlock = r.Offset();
        Checksum.VerifyAt(head.Span, r.Position, what);
        if ((long)entries != GridCount()) throw new Hdf5Exception($"{what}: {entries} entries for {GridCount()} chunks");
        if (entries == 0 || dataBlock == H5Reader.Undefined) return;
        string dwhat = $"{Where}: fixed array data block at {dataBlock}";
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
        b.Skip(2 + ctx.OffsetSize + bitmap);
        if (!paged) Checksum.VerifyAt(block.Span, (int)total - 4, dwhat);
        else { Checksum.VerifyAt(block.Span, prefix + bitmap, dwhat); b.Skip(4); }
        for (ulong i = 0; i < entries; i++)
        {
            if (paged && i > 0 && i % pageEntries == 0) b.Skip(4);
            ulong address = b.Offset();
            ulong size = rawBytes;
            uint mask = 0;
            if (client == 1)
            {
                size = b.UVar(entrySize - ctx.OffsetSize - 4);
                mask = b.U32();
            }
            list.Add(new ChunkRef(GridOffset((long)i), address, size, mask));
        }
    }
}

/// <summary>One stored chunk of a dataset.</summary>
public sealed record Hdf5Chunk(long[] Offset, long Address, long StoredSize);
