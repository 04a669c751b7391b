namespace Zagg.Hdf5.Chunks;

/// <summary>
/// One chunk as a chunk index records it (HDF5 File Format Specification 3.0, IV.A.2.i "Data
/// Layout Message", and the index structures of III.A.1, VII.A–C).
/// </summary>
/// <param name="Offset">The chunk's first element, per dimension (elements, not chunks).</param>
/// <param name="Address">The stored chunk's file address; <c>H5Reader.Undefined</c> when never written.</param>
/// <param name="Size">Stored (filtered) size in bytes.</param>
/// <param name="Mask">Filter mask: bit i set skips filter i of the pipeline for this chunk.</param>
internal sealed record ChunkRef(long[] Offset, ulong Address, ulong Size, uint Mask);
