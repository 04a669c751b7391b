using System.Collections.Concurrent;

namespace Zagg.Hdf5.IO;

/// <summary>
/// Metadata is small and scattered; remote sources make each fetch expensive. This cache reads
/// aligned blocks once and serves every metadata read from them: 64 KiB blocks from a remote source (a handful of
/// round trips for a file's metadata), one 4 KiB page from a local one (<see cref="BlockSizeFor"/>). A block whose
/// fetch failed is forgotten, so a transient source error does not outlive its read.
/// </summary>
internal sealed class MetadataCache(IByteSource source, int blockSize)
{
    /// <summary>A remote source's block: one request brings the neighbouring structures too.</summary>
    public const int RemoteBlockSize = 64 * 1024;

    /// <summary>
    /// A local source's block: one page. A local read costs a system call and a copy from the page cache, not a round
    /// trip, and a writer such as libhdf5 places each dataset's header and chunk index beside its chunks: 64 KiB blocks
    /// copied ~0.97 MB of each bench/e2e dense granule's 1.36 MB as metadata (58 MB for 60 granules, read again as
    /// chunks), pages copy what the structures need.
    /// </summary>
    public const int LocalBlockSize = 4 * 1024;

    /// <summary>The block size for a source: <see cref="LocalBlockSize"/> when it is local, else <see cref="RemoteBlockSize"/>.</summary>
    public static int BlockSizeFor(IByteSource source) => source.IsLocal ? LocalBlockSize : RemoteBlockSize;

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
            // A block read already: its bytes without a state machine's task or a closure (every structure read asks).
            byte[] block = _blocks.TryGetValue(first, out var known) && known.IsCompletedSuccessfully ? known.Result : await Block(first, ct).ConfigureAwait(false);
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
        var fetch = _blocks.GetOrAdd(index, static (i, state) => state.Cache.Fetch(i, state.Ct), (Cache: this, Ct: ct));
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
