using Zagg.Hdf5.Format;

namespace Zagg.Hdf5.Chunks;

/// <summary>
/// The geometry of a chunked dataset: its dataspace cut into chunks of the layout's shape.
/// Fixed-array and implicit indexes number chunks in row-major order over the maximum dimensions
/// where they are fixed; extensible arrays move the unlimited dimension to the front (HDF5 File
/// Format Specification 3.0, IV.A.2.i, layout version 4).
/// </summary>
internal sealed class ChunkGrid(Dataspace space, DataLayout layout)
{
    public int Rank => space.Rank;

    /// <summary>The chunk shape, elements per dimension.</summary>
    public ulong[] ChunkDims => layout.ChunkDims;

    /// <summary>Elements in one chunk.</summary>
    public long ChunkElements
    {
        get
        {
            long n = 1;
            foreach (ulong d in layout.ChunkDims) n = checked(n * (long)d);
            return n;
        }
    }

    /// <summary>Chunks per dimension, over the maximum dimensions where they are fixed.</summary>
    public long[] Dims()
    {
        int rank = space.Rank;
        var g = new long[rank];
        for (int d = 0; d < rank; d++)
        {
            ulong extent = space.MaxDims is { } m && m[d] != H5Reader.Undefined ? m[d] : space.Dims[d];
            ulong chunks = extent / layout.ChunkDims[d] + (extent % layout.ChunkDims[d] != 0 ? 1UL : 0UL);
            if (chunks > int.MaxValue)
                throw new Hdf5Exception($"dimension {d}: {chunks} chunks of {layout.ChunkDims[d]} over an extent of {extent}; the chunk grid is implausibly large, the file is damaged");
            g[d] = (long)chunks;
        }
        return g;
    }

    /// <summary>Chunks per dimension over the current extent (the dataspace's dimensions), at most <see cref="Dims"/>.</summary>
    public long[] ExtentDims()
    {
        var max = Dims();
        var e = new long[max.Length];
        for (int d = 0; d < e.Length; d++)
        {
            ulong extent = space.Dims[d];
            ulong chunks = extent / layout.ChunkDims[d] + (extent % layout.ChunkDims[d] != 0 ? 1UL : 0UL);
            e[d] = (long)Math.Min(chunks, (ulong)max[d]);
        }
        return e;
    }

    /// <summary>Chunks in the grid.</summary>
    public long Count()
    {
        ulong n = 1;
        foreach (long g in Dims())
        {
            n = Saturating.Multiply(n, (ulong)g);
            if (n > long.MaxValue) throw new Hdf5Exception($"more than {long.MaxValue} chunks: the chunk grid is implausibly large, the file is damaged");
        }
        return (long)n;
    }

    /// <summary>The first element of the chunk numbered <paramref name="linear"/> in row-major order.</summary>
    public long[] Offset(long linear)
    {
        var g = Dims();
        var offset = new long[g.Length];
        for (int d = g.Length - 1; d >= 0; d--)
        {
            offset[d] = linear % g[d] * (long)layout.ChunkDims[d];
            linear /= g[d];
        }
        return offset;
    }

    /// <summary>
    /// The chunk offset of an extensible array index: chunks are numbered in row-major order with
    /// the unlimited dimension moved to the front (it alone has no fixed extent).
    /// </summary>
    public long[] UnlimitedFirstOffset(long linear)
    {
        int rank = space.Rank;
        var max = space.MaxDims ?? space.Dims;
        int unlimited = Array.IndexOf(max, H5Reader.Undefined);
        if (unlimited < 0) unlimited = 0;
        var order = new List<int> { unlimited };
        for (int d = 0; d < rank; d++) if (d != unlimited) order.Add(d);
        var offset = new long[rank];
        for (int k = rank - 1; k >= 1; k--)
        {
            int d = order[k];
            long g = (long)((max[d] + layout.ChunkDims[d] - 1) / layout.ChunkDims[d]);
            offset[d] = linear % g * (long)layout.ChunkDims[d];
            linear /= g;
        }
        offset[unlimited] = linear * (long)layout.ChunkDims[unlimited];
        return offset;
    }
}
