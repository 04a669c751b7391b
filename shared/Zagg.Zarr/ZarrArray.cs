using Zagg.Zarr.Codecs;
using Zagg.Zarr.Stores;

namespace Zagg.Zarr;

/// <summary>
/// A Zarr v3 array in a store: whole chunks written and read as little-endian element bytes in C
/// order (edge chunks at full chunk size, as the format stores them), and reads of rows along the
/// first dimension.
/// </summary>
public sealed class ZarrArray
{
    private readonly CodecPipeline _codecs;

    private ZarrArray(IZarrStore store, string path, ArrayMetadata metadata)
    {
        Store = store;
        Path = path;
        Metadata = metadata;
        _codecs = CodecPipeline.Build(metadata.Codecs, metadata.DataType, metadata.ChunkShape, metadata.FillValue, $"{store.Name}: {path}");
    }

    public IZarrStore Store { get; }
    public string Path { get; }
    public ArrayMetadata Metadata { get; }

    public int ElementSize => Metadata.DataType.Size();
    public int ChunkElements => Metadata.ChunkShape.Aggregate(1, (a, b) => checked(a * b));
    public int ChunkBytes => checked(ChunkElements * ElementSize);

    /// <summary>Chunks per dimension.</summary>
    public long[] ChunkGrid => Metadata.Shape.Select((s, d) => (s + Metadata.ChunkShape[d] - 1) / Metadata.ChunkShape[d]).ToArray();

    public long ChunkCount => ChunkGrid.Aggregate(1L, (a, b) => a * b);

    public static async Task<ZarrArray> CreateAsync(IZarrStore store, string path, ArrayMetadata metadata, CancellationToken ct = default)
    {
        var array = new ZarrArray(store, path, metadata); // validates the codecs first
        await store.SetAsync(ZarrJson.KeyOf(path), ZarrJson.Encode(metadata.ToJson()), ct).ConfigureAwait(false);
        return array;
    }

    public static async Task<ZarrArray> OpenAsync(IZarrStore store, string path, CancellationToken ct = default)
    {
        string where = $"{store.Name}: {(path.Length == 0 ? "/" : path)}";
        byte[] json = await store.GetAsync(ZarrJson.KeyOf(path), ct).ConfigureAwait(false)
            ?? throw new ZarrException($"{where}: no array here (no zarr.json)");
        return FromMetadata(store, path, ArrayMetadata.FromJson(ZarrJson.Decode(json, where), where));
    }

    /// <summary>An array whose metadata is already read (e.g. from a consolidated listing, <see cref="ZarrHierarchy.NodesAsync"/>); nothing is fetched.</summary>
    /// <exception cref="ZarrException">The metadata names a codec chain this library cannot run.</exception>
    public static ZarrArray FromMetadata(IZarrStore store, string path, ArrayMetadata metadata) => new(store, path, metadata);

    public string ChunkKey(ReadOnlySpan<long> chunk)
    {
        string prefix = Path.Length == 0 ? "" : Path + "/";
        if (chunk.Length == 0) return prefix + "c";
        var parts = new string[chunk.Length];
        for (int i = 0; i < chunk.Length; i++) parts[i] = chunk[i].ToString(System.Globalization.CultureInfo.InvariantCulture);
        return prefix + "c" + Metadata.Separator + string.Join(Metadata.Separator, parts);
    }

    /// <summary>Encodes and stores one chunk (a whole shard when sharded). Rewriting it writes the same bytes.</summary>
    public async Task WriteChunkAsync(long[] chunk, ReadOnlyMemory<byte> data, CancellationToken ct = default)
    {
        CheckChunk(chunk);
        if (data.Length != ChunkBytes) throw new ArgumentException($"{Path}: a chunk holds {ChunkBytes} bytes, {data.Length} given");
        await Store.SetAsync(ChunkKey(chunk), _codecs.Encode(data), ct).ConfigureAwait(false);
    }

    /// <summary>One chunk's element bytes; the fill value where the chunk was never written.</summary>
    public async Task<byte[]> ReadChunkAsync(long[] chunk, CancellationToken ct = default)
    {
        CheckChunk(chunk);
        byte[]? stored = await Store.GetAsync(ChunkKey(chunk), ct).ConfigureAwait(false);
        if (stored is null) return FilledChunk();
        return _codecs.Decode(stored, ChunkBytes, $"{Store.Name}: {ChunkKey(chunk)}");
    }

    public async Task<bool> ChunkExistsAsync(long[] chunk, CancellationToken ct = default)
        => await Store.ExistsAsync(ChunkKey(chunk), ct).ConfigureAwait(false);

    /// <summary>Rows [start, stop) of the first dimension (all of a 0-d array), little-endian, C order.</summary>
    public async Task<byte[]> ReadAsync(long start = 0, long stop = -1, CancellationToken ct = default)
    {
        var shape = Metadata.Shape;
        var cs = Metadata.ChunkShape;
        if (shape.Length == 0) return await ReadChunkAsync([], ct).ConfigureAwait(false);
        if (stop < 0) stop = shape[0];
        if (start < 0 || start > stop || stop > shape[0]) throw new ArgumentOutOfRangeException(nameof(start), $"rows {start}–{stop} are outside {Path}'s {shape[0]} rows");
        long rowElements = shape.Skip(1).Aggregate(1L, (a, b) => a * b);
        var output = new byte[checked((stop - start) * rowElements * ElementSize)];
        if (output.Length == 0) return output;
        var grid = ChunkGrid;
        int rank = shape.Length;
        var chunk = new long[rank];
        for (long c0 = start / cs[0]; c0 <= (stop - 1) / cs[0]; c0++)
        {
            chunk[0] = c0;
            // Every chunk of this slab: iterate the other dimensions' chunk indices.
            var rest = new long[rank];
            while (true)
            {
                for (int d = 1; d < rank; d++) chunk[d] = rest[d];
                byte[] data = await ReadChunkAsync((long[])chunk.Clone(), ct).ConfigureAwait(false);
                Place(data, chunk, output, start, stop);
                int k = rank - 1;
                while (k >= 1 && ++rest[k] == grid[k]) { rest[k] = 0; k--; }
                if (k < 1) break;
            }
        }
        return output;
    }

    private void Place(byte[] chunkData, long[] chunk, byte[] output, long start, long stop)
    {
        var shape = Metadata.Shape;
        var cs = Metadata.ChunkShape;
        int rank = shape.Length, es = ElementSize;
        var lo = new long[rank];
        var hi = new long[rank];
        for (int d = 0; d < rank; d++)
        {
            lo[d] = chunk[d] * cs[d];
            hi[d] = Math.Min(lo[d] + cs[d], shape[d]);
        }
        long origin0 = lo[0];
        lo[0] = Math.Max(lo[0], start);
        hi[0] = Math.Min(hi[0], stop);
        if (lo[0] >= hi[0]) return;
        var idx = (long[])lo.Clone();
        long run = (hi[rank - 1] - lo[rank - 1]) * es;
        while (true)
        {
            long src = 0, dst = 0;
            for (int d = 0; d < rank; d++)
            {
                src = src * cs[d] + (idx[d] - (d == 0 ? origin0 : chunk[d] * cs[d]));
                dst = dst * (d == 0 ? 1 : shape[d]) + (d == 0 ? idx[0] - start : idx[d]);
            }
            Array.Copy(chunkData, src * es, output, dst * es, run);
            int k = rank - 2;
            while (k >= 0 && ++idx[k] == hi[k]) { idx[k] = lo[k]; k--; }
            if (k < 0) break;
        }
    }

    public byte[] FilledChunk() => ZarrDataTypes.Repeat(Metadata.FillValue, ChunkBytes / Metadata.FillValue.Length);

    private void CheckChunk(long[] chunk)
    {
        var grid = ChunkGrid;
        if (chunk.Length != grid.Length) throw new ArgumentException($"{Path}: chunk index has {chunk.Length} dimensions, the array {grid.Length}");
        for (int d = 0; d < grid.Length; d++)
            if (chunk[d] < 0 || chunk[d] >= grid[d]) throw new ArgumentOutOfRangeException(nameof(chunk), $"{Path}: chunk {string.Join(",", chunk)} is outside the grid [{string.Join(",", grid)}]");
    }
}
