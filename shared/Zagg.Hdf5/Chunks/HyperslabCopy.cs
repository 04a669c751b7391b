namespace Zagg.Hdf5.Chunks;

/// <summary>
/// Copies the part of a decoded chunk that falls in a row selection into the output. Both are C
/// order (row-major): the chunk over its own shape, the output over rows [start, stop) of the
/// dataset's full shape in the other dimensions.
/// </summary>
internal static class HyperslabCopy
{
    /// <param name="chunk">The decoded chunk: ∏ chunkDims elements of <paramref name="elementSize"/> bytes.</param>
    /// <param name="offset">The chunk's first element per dimension.</param>
    /// <param name="chunkDims">The chunk shape.</param>
    /// <param name="dims">The dataset's shape (an edge chunk is cut at it).</param>
    /// <param name="elementSize">Bytes per element.</param>
    /// <param name="output">Rows [start, stop) of the dataset.</param>
    /// <param name="start">First row of the selection.</param>
    /// <param name="stop">Row after the selection.</param>
    public static void Copy(ReadOnlySpan<byte> chunk, long[] offset, ulong[] chunkDims, ulong[] dims, int elementSize, Span<byte> output, long start, long stop)
    {
        int rank = dims.Length;
        int es = elementSize;
        var cd = chunkDims;
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
}
