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
    private long _end = long.MaxValue;

    /// <summary>
    /// Bounds every later read by the end of allocation the superblock records (at most the file's length): a read at
    /// or past it is refused, a read running past it is cut at it, as libhdf5 cuts a speculative metadata load
    /// (H5C__verify_len_eoa). Called once, after the superblock is read and before any other structure is.
    /// </summary>
    public void EndAllocationAt(long endOfAllocation) => _end = endOfAllocation;

    public IByteSource Source => source;

    /// <summary>The metadata blocks fetched (a subset of the source's own counts).</summary>
    public ByteSourceStatistics Statistics { get; } = new();

    /// <summary>The bytes [address, address + length), or fewer where the file or its allocation ends first.</summary>
    /// <exception cref="Hdf5Exception">The address is at or past the end of the file or of its allocation.</exception>
    public async ValueTask<ReadOnlyMemory<byte>> ReadAsync(long address, int length, CancellationToken ct = default)
    {
        long end = Math.Min(source.Length, _end);
        if (address < 0 || address >= end)
            throw new Hdf5Exception(end < source.Length
                ? $"{source.Name}: address {address} is past the end of allocation (EOA {end}, the end-of-file address the superblock records)"
                : $"{source.Name}: address {address} is outside the file ({source.Length} bytes)");
        length = (int)Math.Min(length, end - address);
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
