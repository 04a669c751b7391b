using System.Numerics;
using Zagg.Hdf5.Chunks;
using Zagg.Hdf5.Filters;
using Zagg.Hdf5.Format;

namespace Zagg.Hdf5;

/// <summary>
/// A dataset: a typed, shaped array stored compact, contiguous or chunked (HDF5 File Format
/// Specification 3.0, IV.A.2.i "Data Layout Message"). Reads select rows of the first dimension and
/// touch only the chunks that overlap them: the chunk index kinds live in <c>Chunks/</c> (one type
/// each), read planning and decoding in <see cref="ChunkedRead"/>, the copy in <see cref="HyperslabCopy"/>.
/// </summary>
public sealed class Hdf5Dataset : Hdf5Object
{
    private readonly Dataspace _space;
    private readonly DataLayout _layout;
    private readonly Filter[] _filters;
    private readonly FillValueMessage _fill;
    private Task<List<ChunkRef>>? _chunks;
    private ChunkedRead? _reader;

    private Hdf5Dataset(Hdf5File file, string path, ulong address, Hdf5Datatype type, Dataspace space, DataLayout layout, Filter[] filters, FillValueMessage fill)
        : base(file, path, address)
    {
        Datatype = type;
        _space = space;
        _layout = layout;
        _filters = filters;
        _fill = fill;
    }

    public Hdf5Datatype Datatype { get; }

    /// <summary>Empty for a scalar and for a null dataspace (see <see cref="IsNull"/>).</summary>
    public long[] Shape => Array.ConvertAll(_space.Dims, d => (long)d);

    /// <summary>
    /// True for a null dataspace (H5S_NULL, h5py.Empty): the dataset holds no elements at all, not even the one a
    /// scalar holds; it has no shape NumPy can give (h5py reads it as <c>h5py.Empty</c>). Reads of it return nothing.
    /// </summary>
    public bool IsNull => _space.IsNull;

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

    /// <summary>
    /// The fill value the dataset defines, its bytes in the dataset's byte order; null when it defines none or the
    /// default (zeros). Elements never written read as it unless its write time is "never" (then as zeros, what h5py
    /// gives); see <see cref="FillValueMessage"/>.
    /// </summary>
    public ReadOnlyMemory<byte>? FillValue => _fill.Value is { } value ? new ReadOnlyMemory<byte>(value) : (ReadOnlyMemory<byte>?)null;

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
        var fill = FillValueMessage.Parse(header, ctx, type.Size, where);
        if (Saturating.Multiply(space.ElementCount, (ulong)Math.Max(1, type.Size)) > 1UL << 62)
            throw new Hdf5Exception($"{where}: {space.ElementCount} elements of {type.Size} bytes are implausibly large; the file is damaged");
        if (layout.Class == LayoutClass.Chunked)
        {
            if (layout.ChunkElementSize != (ulong)type.Size)
                throw new Hdf5Exception($"{where}: the chunked layout's element size {layout.ChunkElementSize} differs from the datatype's {(type.Oversized ? "more than 2 GiB" : $"{type.Size} bytes")}; the file is damaged");
            ulong chunkBytes = (ulong)Math.Max(1, type.Size);
            foreach (ulong d in layout.ChunkDims)
            {
                if (d == 0) throw new Hdf5Exception($"{where}: a chunk dimension is 0");
                chunkBytes = Saturating.Multiply(chunkBytes, d);
                if (chunkBytes > MaxChunkBytes) throw new Hdf5Exception($"{where}: chunks of {string.Join(" x ", layout.ChunkDims)} elements are larger than {MaxChunkBytes >> 20} MiB; the file is damaged or beyond this reader");
            }
        }
        return new Hdf5Dataset(file, path, header.Address, type, space, layout, filters, fill);
    }

    /// <summary>The largest chunk this reader decodes (HDF5 itself caps chunks at 4 GiB).</summary>
    private const long MaxChunkBytes = 1L << 30;

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
        ulong bytes = Saturating.Multiply(Saturating.Multiply((ulong)(stop - start), (ulong)RowElements), (ulong)Datatype.Size);
        if (bytes > (ulong)Array.MaxLength)
            throw new Hdf5Exception($"{Where}: rows {start} to {stop} hold more than the {Array.MaxLength} bytes one read can return: a damaged dimension, or a dataset beyond this reader");
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
                if (_layout.Address == H5Reader.Undefined) { Unallocated(output.Span); return; }
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
        if (Datatype.Class == Hdf5TypeClass.String) return ValueDecoder.FixedStrings(raw, Datatype);
        if (Datatype.IsVariableLengthString) return await ValueDecoder.VariableStringsAsync(File, raw, Datatype.Size, ct).ConfigureAwait(false);
        throw new Hdf5Exception($"{Where}: {Datatype} is not a string type");
    }

    private (long, long) CheckRows(long start, long stop)
    {
        if (!Datatype.IsSupported)
            throw new Hdf5UnsupportedException($"{Where}: datatype {(Datatype.IsOversized ? Datatype.NumpyDescr : $"class {Datatype.Class}")} is not supported");
        if (_space.IsNull) return (0, 0);
        if (stop < 0) stop = Rows;
        if (start < 0 || start > stop || stop > Rows)
            throw new ArgumentOutOfRangeException(nameof(start), $"rows {start}–{stop} are outside {Path}'s {Rows} rows");
        return (start, stop);
    }

    /// <summary>The stored chunks: their first element's coordinates, file address and stored (filtered) size.</summary>
    public async Task<IReadOnlyList<Hdf5Chunk>> ChunksAsync(CancellationToken ct = default)
    {
        if (_layout.Class != LayoutClass.Chunked) return [];
        var list = await ChunkListAsync(ct).ConfigureAwait(false);
        var result = new List<Hdf5Chunk>(list.Count);
        foreach (var c in list)
            if (c.Address != H5Reader.Undefined) result.Add(new Hdf5Chunk(c.Offset, (long)c.Address, (long)c.Size));
        return result;
    }

    /// <summary>The chunked-read machinery of this dataset (planning, cache, coalescing, decoding, copying).</summary>
    private ChunkedRead Reader => _reader ??= new ChunkedRead(File, _space, _layout, _filters, Datatype, _fill.Unwritten, Where);

    private async Task ReadChunkedAsync(Memory<byte> output, long start, long stop, CancellationToken ct)
    {
        FilterPipeline.CheckSupported(_filters, Where);
        if (_layout.Address == H5Reader.Undefined) { Unallocated(output.Span); return; }
        var chunks = await ChunkListAsync(ct).ConfigureAwait(false);
        await Reader.ReadAsync(chunks, output, start, stop, ct).ConfigureAwait(false);
    }

    /// <summary>Reads a dataset whose storage was never allocated: as libhdf5 reads it (see <see cref="FillValueMessage"/>).</summary>
    /// <exception cref="Hdf5Exception">The dataset defines no fill value (libhdf5 refuses the read too).</exception>
    private void Unallocated(Span<byte> output)
    {
        if (_fill.RefusesUnallocated)
            throw new Hdf5Exception($"{Where}: no data was ever written and the dataset defines no fill value (libhdf5: \"dataset doesn't exist, no data can be read\")");
        Reader.FillValue(output);
    }

    /// <summary>The chunk list, read from the dataset's chunk index once; a failed read is not remembered.</summary>
    internal async Task<List<ChunkRef>> ChunkListAsync(CancellationToken ct)
    {
        var task = _chunks ??= ReadChunkListAsync(ct);
        try { return await task.ConfigureAwait(false); }
        catch
        {
            _ = Interlocked.CompareExchange(ref _chunks, null, task);
            throw;
        }
    }

    private Task<List<ChunkRef>> ReadChunkListAsync(CancellationToken ct)
    {
        if (_layout.Address == H5Reader.Undefined) return Task.FromResult(new List<ChunkRef>());
        var grid = new ChunkGrid(_space, _layout);
        var input = new ChunkIndexInput(File.Context, _layout, grid, (ulong)(grid.ChunkElements * Datatype.Size), _filters.Length > 0, Path, Where);
        return Chunks.ChunkIndex.For(_layout.Index, Where).ListAsync(input, ct);
    }
}

/// <summary>One stored chunk of a dataset.</summary>
public sealed record Hdf5Chunk(long[] Offset, long Address, long StoredSize);
