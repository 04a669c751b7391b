using System.Collections.Concurrent;

namespace Zagg.Hdf5.IO;

/// <summary>
/// Metadata is small and scattered; remote sources make each fetch expensive. This cache reads
/// aligned blocks (64 KiB by default) once and serves every metadata read from them. A block whose
/// fetch failed is forgotten, so a transient source error does not outlive its read.
/// </summary>
internal sealed class MetadataCache(IByteSource source, int blockSize = 64 * 1024)
{
    private readonly ConcurrentDictionary<long, Task<byte[]>> _blocks = new();

    public IByteSource Source => source;

    /// <summary>The metadata blocks fetched (a subset of the source's own counts).</summary>
    public ByteSourceStatistics Statistics { get; } = new();

    /// <summary>The bytes [address, address + length), or fewer where the file ends first.</summary>
    public async ValueTask<ReadOnlyMemory<byte>> ReadAsync(long address, int length, CancellationToken ct = default)
    {
        if (address < 0 || address >= source.Length)
            throw new Hdf5Exception($"{source.Name}: address {address} is outside the file ({source.Length} bytes)");
        length = (int)Math.Min(length, source.Length - address);
        long first = address / blockSize, last = (address + length - 1) / blockSize;
        if (first == last)
        {
            byte[] block = await Block(first, ct).ConfigureAwait(false);
            return block.AsMemory((int)(address - first * blockSize), length);
        }
        var result = new byte[length];
        for (long b = first; b <= last; b++)
        {
            byte[] block = await Block(b, ct).ConfigureAwait(false);
            long blockStart = b * blockSize;
            long from = Math.Max(address, blockStart), to = Math.Min(address + length, blockStart + block.Length);
            block.AsSpan((int)(from - blockStart), (int)(to - from)).CopyTo(result.AsSpan((int)(from - address)));
        }
        return result;
    }

    private async Task<byte[]> Block(long index, CancellationToken ct)
    {
        var fetch = _blocks.GetOrAdd(index, i => Fetch(i, ct));
        try { return await fetch.ConfigureAwait(false); }
        catch
        {
            // A failed or cancelled fetch is not remembered: the next read asks the source again.
            _blocks.TryRemove(new KeyValuePair<long, Task<byte[]>>(index, fetch));
            throw;
        }
    }

    private async Task<byte[]> Fetch(long index, CancellationToken ct)
    {
        long start = index * blockSize;
        var block = new byte[(int)Math.Min(blockSize, source.Length - start)];
        await source.ReadAsync(start, block, ct).ConfigureAwait(false);
        Statistics.Record(block.Length);
        return block;
    }
}
