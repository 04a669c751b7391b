using System.Buffers;
using Zagg.Hdf5.Filters;
using Zagg.Hdf5.Format;

namespace Zagg.Hdf5.Chunks;

/// <summary>
/// Reads rows [start, stop) of a chunked dataset: plans which chunks overlap the rows (checking each
/// lies on the chunk grid), serves partly-used chunks from the file's decoded-chunk cache and chunks a
/// <see cref="ChunkPrefetch"/> fetched ahead from its bytes, coalesces the rest into byte ranges (sorted by
/// address, merged across gaps up to <see cref="Hdf5File.CoalesceGap"/>),
/// reads the ranges (one after another for a local source, a few at once for a remote one), runs the
/// filter pipeline per chunk, and copies each chunk's selected part into the output.
/// </summary>
internal sealed class ChunkedRead(Hdf5File file, Dataspace space, DataLayout layout, Filter[] filters, Hdf5Datatype type, byte[]? fill, string where)
{
    /// <param name="chunks">The dataset's chunk list (from its <see cref="ChunkIndex"/>).</param>
    /// <param name="output">Exactly the bytes of rows [start, stop).</param>
    /// <exception cref="Hdf5Exception">A chunk off the grid, out of the file, of the wrong size, or failing to decode.</exception>
    /// <exception cref="Hdf5SourceException">The source could not deliver a range.</exception>
    public async Task ReadAsync(IReadOnlyList<ChunkRef> chunks, Memory<byte> output, long start, long stop, CancellationToken ct)
    {
        var wanted = Plan(chunks, start, stop, out bool complete);
        if (!complete) FillValue(output.Span);
        if (wanted.Count == 0) return;

        var grid = new ChunkGrid(space, layout);
        int chunkBytes = checked((int)grid.ChunkElements * type.Size);
        long c0 = (long)layout.ChunkDims[0];
        // A chunk this read uses in part may be in the cache (the neighbouring range read it); one it
        // decodes in part goes there.
        var cache = file.ChunkCache;
        long rows = space.Rank == 0 ? 1 : (long)space.Dims[0];
        bool Partial(ChunkRef c) => c.Offset[0] < start || Math.Min(c.Offset[0] + c0, rows) > stop;
        if (cache is not null)
        {
            wanted.RemoveAll(c =>
            {
                if (!Partial(c) || cache.TryGet(file, c.Address) is not { } cached) return false;
                Copy(cached, c.Offset, output.Span, start, stop);
                return true;
            });
            if (wanted.Count == 0) return;
        }
        // Chunks a ChunkPrefetch fetched ahead are decoded from its bytes; only the rest are asked of the source.
        if (file.HasPrefetched)
        {
            byte[]? scratch = null;
            try
            {
                wanted.RemoveAll(c =>
                {
                    if (!file.Prefetched.TryGetValue(c.Address, out var stored) || (ulong)stored.Length != c.Size) return false;
                    Decode(c, stored.Span, scratch ??= ArrayPool<byte>.Shared.Rent(chunkBytes), chunkBytes, output.Span, start, stop, Partial(c));
                    return true;
                });
            }
            finally { if (scratch is not null) ArrayPool<byte>.Shared.Return(scratch); }
            if (wanted.Count == 0) return;
        }
        var ranges = Coalesce(wanted);
        // A local file is read range after range on the caller's thread; a remote one, a few ranges at once.
        if (file.Context.Source.IsLocal || ranges.Count == 1)
        {
            foreach (var range in ranges) await ReadRange(range).ConfigureAwait(false);
            return;
        }
        using var gate = new SemaphoreSlim(Math.Max(1, file.MaxConcurrentReads));
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
            byte[] buffer = ArrayPool<byte>.Shared.Rent(checked((int)(range.End - range.Start)));
            byte[] decoded = ArrayPool<byte>.Shared.Rent(chunkBytes);
            try
            {
                await file.Context.Source.ReadAsync((long)range.Start, buffer.AsMemory(0, (int)(range.End - range.Start)), ct).ConfigureAwait(false);
                for (int k = range.First; k < range.First + range.Count; k++)
                {
                    var c = wanted[k];
                    Decode(c, buffer.AsSpan((int)(c.Address - range.Start), (int)c.Size), decoded, chunkBytes, output.Span, start, stop, Partial(c));
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
                ArrayPool<byte>.Shared.Return(decoded);
            }
        }
    }

    /// <summary>
    /// Runs the filter pipeline over one stored chunk (into <paramref name="decoded"/>, or into an array of its own that
    /// the chunk cache then keeps when <paramref name="keep"/>) and copies its selected part into the output.
    /// </summary>
    private void Decode(ChunkRef c, ReadOnlySpan<byte> stored, byte[] decoded, int chunkBytes, Span<byte> output, long start, long stop, bool keep)
    {
        var cache = file.ChunkCache;
        keep &= cache is not null;
        ReadOnlySpan<byte> chunk;
        if (filters.Length == 0 || layout.DontFilterPartialEdgeChunks && IsPartialEdge(c.Offset))
        {
            if (stored.Length != chunkBytes) throw new Hdf5Exception($"{where}: chunk at ({string.Join(",", c.Offset)}): {stored.Length} bytes stored, {chunkBytes} expected");
            chunk = stored;
            if (keep) cache!.Add(file, c.Address, stored.ToArray());
        }
        else
        {
            // A chunk to keep is decoded into its own array, which the cache then holds.
            byte[] target = keep ? new byte[chunkBytes] : decoded;
            FilterPipeline.Decode(filters, c.Mask, stored, target.AsSpan(0, chunkBytes), type.Size, $"{where}: chunk at ({string.Join(",", c.Offset)})");
            chunk = target.AsSpan(0, chunkBytes);
            if (keep) cache!.Add(file, c.Address, target);
        }
        Copy(chunk, c.Offset, output, start, stop);
    }

    /// <summary>
    /// The stored chunks overlapping rows [start, stop); <paramref name="complete"/> is false when
    /// some chunk of the selection was never written (its elements read as the fill value).
    /// </summary>
    private List<ChunkRef> Plan(IReadOnlyList<ChunkRef> chunks, long start, long stop, out bool complete)
    {
        long c0 = (long)layout.ChunkDims[0];
        var wanted = new List<ChunkRef>();
        foreach (var c in chunks)
        {
            if (c.Address == H5Reader.Undefined || c.Offset[0] >= stop || c.Offset[0] + c0 <= start) continue;
            for (int d = 0; d < c.Offset.Length; d++)
                if (c.Offset[d] < 0 || c.Offset[d] % (long)layout.ChunkDims[d] != 0 || c.Offset[d] >= (long)Math.Max(space.Dims[d], 1))
                    throw new Hdf5Exception($"{where}: the chunk index names a chunk at ({string.Join(",", c.Offset)}), which is off the chunk grid; the file is damaged");
            wanted.Add(c);
        }
        long expected = (stop - 1) / c0 - start / c0 + 1;
        for (int d = 1; d < space.Rank; d++) expected *= ((long)space.Dims[d] + (long)layout.ChunkDims[d] - 1) / (long)layout.ChunkDims[d];
        complete = wanted.Count >= expected;
        return wanted;
    }

    /// <summary>Sorts the chunks by address (in place) and merges them into ranges across gaps up to CoalesceGap.</summary>
    private List<(ulong Start, ulong End, int First, int Count)> Coalesce(List<ChunkRef> wanted)
    {
        wanted.Sort((a, b) => a.Address.CompareTo(b.Address));
        var ranges = new List<(ulong Start, ulong End, int First, int Count)>();
        for (int i = 0; i < wanted.Count; i++)
        {
            var c = wanted[i];
            file.Context.CheckRange(c.Address, c.Size, $"{where}: chunk at {string.Join(",", c.Offset)}");
            if (ranges.Count > 0 && c.Address <= ranges[^1].End + (ulong)file.CoalesceGap && c.Address >= ranges[^1].Start)
            {
                var r = ranges[^1];
                ranges[^1] = (r.Start, Math.Max(r.End, c.Address + c.Size), r.First, r.Count + 1);
            }
            else ranges.Add((c.Address, c.Address + c.Size, i, 1));
        }
        return ranges;
    }

    /// <summary>True for a chunk that reaches past the dataspace in some dimension.</summary>
    private bool IsPartialEdge(long[] offset)
    {
        for (int d = 0; d < offset.Length; d++)
            if ((ulong)offset[d] + layout.ChunkDims[d] > space.Dims[d]) return true;
        return false;
    }

    private void Copy(ReadOnlySpan<byte> chunk, long[] offset, Span<byte> output, long start, long stop)
        => HyperslabCopy.Copy(chunk, offset, layout.ChunkDims, space.Dims, type.Size, output, start, stop);

    /// <summary>Fills the output with the fill value (zeros when the dataset defines none).</summary>
    public void FillValue(Span<byte> output)
    {
        if (fill is null) { output.Clear(); return; }
        for (int i = 0; i + fill.Length <= output.Length; i += fill.Length) fill.CopyTo(output[i..]);
    }
}
