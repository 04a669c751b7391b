using System.Buffers.Binary;
using System.Text.Json.Nodes;

namespace Zagg.Zarr.Codecs;

/// <summary>
/// sharding_indexed: a shard is its non-empty inner chunks, each encoded by the inner codecs and
/// concatenated, plus an index of (offset, nbytes) per inner chunk in C order, both 2^64−1 for an
/// empty one, encoded by the index codecs and stored at the end (or start).
/// </summary>
internal sealed class ShardingCodec : IArrayToBytes
{
    private readonly int[] _shard;
    private readonly int[] _inner;
    private readonly int[] _grid;
    private readonly int _count;
    private readonly int _elementSize;
    private readonly byte[] _fill;
    private readonly CodecPipeline _innerCodecs;
    private readonly CodecPipeline _indexCodecs;
    private readonly bool _indexAtEnd;
    private readonly int _indexBytes;

    private ShardingCodec(int[] shard, int[] inner, int elementSize, byte[] fill, CodecPipeline innerCodecs, CodecPipeline indexCodecs, bool atEnd, int indexBytes)
    {
        _shard = shard;
        _inner = inner;
        _grid = shard.Zip(inner, (s, i) => s / i).ToArray();
        _count = _grid.Aggregate(1, (a, b) => a * b);
        _elementSize = elementSize;
        _fill = fill;
        _innerCodecs = innerCodecs;
        _indexCodecs = indexCodecs;
        _indexAtEnd = atEnd;
        _indexBytes = indexBytes;
    }

    public static ShardingCodec Create(CodecSpec spec, ZarrDataType type, int[] shardShape, byte[] fill, string where)
    {
        var c = spec.Configuration ?? throw new ZarrException($"{where}: sharding_indexed needs a configuration");
        int[] inner = (c["chunk_shape"] as JsonArray)?.Select(n => n!.GetValue<int>()).ToArray()
            ?? throw new ZarrException($"{where}: sharding_indexed needs chunk_shape");
        if (inner.Length != shardShape.Length || inner.Where((v, i) => v <= 0 || shardShape[i] % v != 0).Any())
            throw new ZarrException($"{where}: inner chunk shape [{string.Join(",", inner)}] must divide the shard shape [{string.Join(",", shardShape)}]");
        var innerSpecs = (c["codecs"] as JsonArray)?.Select(n => CodecSpec.FromJson(n, where)).ToList() ?? [CodecSpec.Bytes()];
        var indexSpecs = (c["index_codecs"] as JsonArray)?.Select(n => CodecSpec.FromJson(n, where)).ToList() ?? [CodecSpec.Bytes(), CodecSpec.Crc32c()];
        string location = c["index_location"]?.GetValue<string>() ?? "end";
        if (location is not ("end" or "start")) throw new ZarrException($"{where}: index_location \"{location}\" is not start or end");
        int count = shardShape.Zip(inner, (s, i) => s / i).Aggregate(1, (a, b) => a * b);
        var innerCodecs = CodecPipeline.Build(innerSpecs, type, inner, fill, where + " (inner)");
        var indexCodecs = CodecPipeline.Build(indexSpecs, ZarrDataType.UInt64, [count, 2], new byte[8], where + " (index)");
        foreach (var s in indexSpecs)
            if (s.Name is not ("bytes" or "crc32c")) throw new ZarrException($"{where}: index codec \"{s.Name}\" would give the index a variable size; only bytes and crc32c are allowed");
        int indexBytes = 16 * count + 4 * indexSpecs.Count(s => s.Name == "crc32c");
        return new ShardingCodec(shardShape, inner, type.Size(), fill, innerCodecs, indexCodecs, location == "end", indexBytes);
    }

    public byte[] Encode(ReadOnlySpan<byte> shard)
    {
        int innerElements = _inner.Aggregate(1, (a, b) => a * b);
        var innerChunk = new byte[innerElements * _elementSize];
        var index = new byte[16 * _count];
        using var body = new MemoryStream();
        long offsetBase = _indexAtEnd ? 0 : _indexBytes;
        var coords = new int[_grid.Length];
        for (int k = 0; k < _count; k++)
        {
            int rest = k;
            for (int d = _grid.Length - 1; d >= 0; d--) { coords[d] = rest % _grid[d] * _inner[d]; rest /= _grid[d]; }
            Blocks.CopyOut(shard, _shard, coords, innerChunk, _inner, _elementSize);
            if (AllFill(innerChunk))
            {
                BinaryPrimitives.WriteUInt64LittleEndian(index.AsSpan(16 * k), ulong.MaxValue);
                BinaryPrimitives.WriteUInt64LittleEndian(index.AsSpan(16 * k + 8), ulong.MaxValue);
                continue;
            }
            byte[] encoded = _innerCodecs.Encode(innerChunk);
            BinaryPrimitives.WriteUInt64LittleEndian(index.AsSpan(16 * k), (ulong)(offsetBase + body.Length));
            BinaryPrimitives.WriteUInt64LittleEndian(index.AsSpan(16 * k + 8), (ulong)encoded.Length);
            body.Write(encoded);
        }
        byte[] encodedIndex = _indexCodecs.Encode(index);
        using var shardOut = new MemoryStream();
        if (!_indexAtEnd) shardOut.Write(encodedIndex);
        body.Position = 0;
        body.CopyTo(shardOut);
        if (_indexAtEnd) shardOut.Write(encodedIndex);
        return shardOut.ToArray();
    }

    public byte[] Decode(byte[] data, int chunkBytes, string where)
    {
        if (data.Length < _indexBytes) throw new ZarrException($"{where}: shard of {data.Length} bytes is shorter than its {_indexBytes}-byte index");
        byte[] rawIndex = _indexAtEnd ? data[^_indexBytes..] : data[.._indexBytes];
        byte[] index = _indexCodecs.Decode(rawIndex, 16 * _count, where + " (shard index)");
        var shard = new byte[chunkBytes];
        for (int i = 0; i < shard.Length; i += _elementSize) _fill.CopyTo(shard, i);
        var coords = new int[_grid.Length];
        int innerBytes = _inner.Aggregate(1, (a, b) => a * b) * _elementSize;
        for (int k = 0; k < _count; k++)
        {
            ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(index.AsSpan(16 * k));
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(index.AsSpan(16 * k + 8));
            if (offset == ulong.MaxValue && length == ulong.MaxValue) continue;
            if (offset > (ulong)data.Length || length > (ulong)data.Length - offset)
                throw new ZarrException($"{where}: inner chunk {k} at {offset}+{length} lies outside the {data.Length}-byte shard");
            byte[] inner = _innerCodecs.Decode(data.AsSpan((int)offset, (int)length).ToArray(), innerBytes, where + $" (inner chunk {k})");
            int rest = k;
            for (int d = _grid.Length - 1; d >= 0; d--) { coords[d] = rest % _grid[d] * _inner[d]; rest /= _grid[d]; }
            Blocks.CopyIn(inner, _inner, shard, _shard, coords, _elementSize);
        }
        return shard;
    }

    private bool AllFill(ReadOnlySpan<byte> chunk)
    {
        for (int i = 0; i < chunk.Length; i += _elementSize)
            if (!chunk.Slice(i, _elementSize).SequenceEqual(_fill)) return false;
        return true;
    }
}

/// <summary>Copies between a C-order array and a block of it, one innermost run at a time.</summary>
internal static class Blocks
{
    /// <summary>Copies the block at <paramref name="at"/> of shape <paramref name="blockShape"/> out of <paramref name="array"/> (shape <paramref name="shape"/>).</summary>
    public static void CopyOut(ReadOnlySpan<byte> array, int[] shape, int[] at, Span<byte> block, int[] blockShape, int elementSize)
    {
        int rank = shape.Length;
        Span<int> idx = stackalloc int[rank];
        int run = blockShape[rank - 1] * elementSize;
        do
        {
            var (a, b) = Offsets(shape, at, blockShape, idx, elementSize);
            array.Slice(a, run).CopyTo(block.Slice(b, run));
        } while (Next(idx, blockShape));
    }

    /// <summary>Copies a block of shape <paramref name="blockShape"/> into <paramref name="array"/> (shape <paramref name="shape"/>) at <paramref name="at"/>.</summary>
    public static void CopyIn(ReadOnlySpan<byte> block, int[] blockShape, Span<byte> array, int[] shape, int[] at, int elementSize)
    {
        int rank = shape.Length;
        Span<int> idx = stackalloc int[rank];
        int run = blockShape[rank - 1] * elementSize;
        do
        {
            var (a, b) = Offsets(shape, at, blockShape, idx, elementSize);
            block.Slice(b, run).CopyTo(array.Slice(a, run));
        } while (Next(idx, blockShape));
    }

    private static (int Array, int Block) Offsets(int[] shape, int[] at, int[] blockShape, ReadOnlySpan<int> idx, int elementSize)
    {
        long a = 0, b = 0;
        for (int d = 0; d < shape.Length; d++)
        {
            a = a * shape[d] + at[d] + idx[d];
            b = b * blockShape[d] + idx[d];
        }
        return ((int)(a * elementSize), (int)(b * elementSize));
    }

    /// <summary>Advances over every dimension but the last (which is copied as one run); false when done.</summary>
    private static bool Next(Span<int> idx, int[] blockShape)
    {
        for (int k = idx.Length - 2; k >= 0; k--)
        {
            if (++idx[k] < blockShape[k]) return true;
            idx[k] = 0;
        }
        return false;
    }
}
