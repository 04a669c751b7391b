using Zagg.Hdf5.IO;

namespace Zagg.Hdf5.Format;

/// <summary>What every structure parser needs: the source, its metadata cache and the file's sizes.</summary>
internal sealed class H5Context
{
    public required IByteSource Source { get; init; }
    public required MetadataCache Metadata { get; init; }
    public required int OffsetSize { get; init; }
    public required int LengthSize { get; init; }
    public required ulong BaseAddress { get; init; }

    /// <summary>
    /// The end of allocation (EOA): the end-of-file address the superblock records (relative to the base address, which
    /// is 0 here). libhdf5 reads nothing at or past it, though the file may be longer (HDF5 File Format Specification
    /// 3.0, II.A "End of File Address"; H5C__verify_len_eoa for metadata, H5FD_read for raw data). Never more than the
    /// file's length: a shorter file is refused at open as truncated.
    /// </summary>
    public required ulong EndOfAllocation { get; init; }

    public string Name => Source.Name;

    public H5Reader Reader(ReadOnlySpan<byte> data, string what) => new(data, OffsetSize, LengthSize, what);

    /// <summary>Refuses an object address that is undefined or at or past the end of allocation, as libhdf5 does.</summary>
    /// <exception cref="Hdf5Exception">"WHAT: address A is past the end of allocation (EOA …)", or outside the file.</exception>
    public void CheckAddress(ulong address, string what)
    {
        if (address >= EndOfAllocation) ThrowPastEnd(address, 0, what);
    }

    /// <summary>Refuses bytes [address, address + length) that do not all lie before the end of allocation (or over 2 GiB).</summary>
    /// <exception cref="Hdf5Exception">"WHAT: L bytes at A run past the end of allocation (EOA …)", or of the file.</exception>
    public void CheckRange(ulong address, ulong length, string what)
    {
        if (address >= EndOfAllocation || length > EndOfAllocation - address || length > int.MaxValue) ThrowPastEnd(address, length, what);
    }

    private void ThrowPastEnd(ulong address, ulong length, string what)
    {
        ulong size = (ulong)Source.Length;
        if (address == H5Reader.Undefined || address >= size)
            throw new Hdf5Exception($"{what}: address {(address == H5Reader.Undefined ? "undefined" : address.ToString())} is outside the file ({size} bytes); the file is truncated or damaged");
        if (address >= EndOfAllocation)
            throw new Hdf5Exception($"{what}: address {address} is past the end of allocation (EOA {EndOfAllocation}, the end-of-file address the superblock records; the file has {size} bytes); the file is damaged");
        if (length > size - address)
            throw new Hdf5Exception($"{what}: {length} bytes at {address} run past the end of the file ({size} bytes)");
        if (length > EndOfAllocation - address)
            throw new Hdf5Exception($"{what}: {length} bytes at {address} run past the end of allocation (EOA {EndOfAllocation}, the end-of-file address the superblock records; the file has {size} bytes); the file is damaged");
        throw new Hdf5Exception($"{what}: {length} bytes at {address} are more than 2 GiB");
    }
}

/// <summary>The superblock: format version, sizes, and where the root group is.</summary>
internal sealed record Superblock(int Version, int OffsetSize, int LengthSize, ulong BaseAddress, ulong EndOfFile, ulong RootObjectHeader, ulong RootSymbolTableBTree, ulong RootSymbolTableHeap)
{
    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'H', (byte)'D', (byte)'F', 0x0d, 0x0a, 0x1a, 0x0a];

    public static async ValueTask<Superblock> ReadAsync(MetadataCache cache, CancellationToken ct)
    {
        var source = cache.Source;
        // The superblock sits at 0, 512, 1024, 2048, … (a user block may precede it).
        for (long at = 0; at < source.Length; at = at == 0 ? 512 : at * 2)
        {
            var head = await cache.ReadAsync(at, 8, ct).ConfigureAwait(false);
            if (head.Length == 8 && head.Span.SequenceEqual(Signature))
                return await ParseAsync(cache, at, ct).ConfigureAwait(false);
        }
        throw new Hdf5Exception($"{source.Name}: not an HDF5 file (no superblock signature at 0, 512, 1024, …)");
    }

    private static async ValueTask<Superblock> ParseAsync(MetadataCache cache, long at, CancellationToken ct)
    {
        string what = $"{cache.Source.Name}: superblock";
        var data = await cache.ReadAsync(at, 256, ct).ConfigureAwait(false);
        var r = new H5Reader(data.Span, 8, 8, what);
        r.Skip(8);
        int version = r.U8();
        if (version is 0 or 1)
        {
            r.Skip(4); // free-space, root symbol table, reserved, shared header versions
            int offsetSize = r.U8(), lengthSize = r.U8();
            CheckSizes(offsetSize, lengthSize, what);
            r.Skip(1 + 2 + 2 + 4);
            if (version == 1) r.Skip(4);
            r = new H5Reader(data.Span, offsetSize, lengthSize, what);
            r.Seek(version == 1 ? 28 : 24);
            ulong baseAddress = r.Offset();
            r.Offset(); // free-space info
            ulong eof = r.Offset();
            r.Offset(); // driver info
            // Root group symbol table entry: name offset (a length, as libhdf5 encodes it), header address,
            // cache type, reserved, scratch.
            r.Length();
            ulong header = r.Offset();
            uint cacheType = r.U32();
            r.Skip(4);
            ulong btree = H5Reader.Undefined, heap = H5Reader.Undefined;
            if (cacheType == 1)
            {
                btree = r.Offset();
                heap = r.Offset();
            }
            return new Superblock(version, offsetSize, lengthSize, baseAddress, eof, header, btree, heap);
        }
        if (version is 2 or 3)
        {
            int offsetSize = r.U8(), lengthSize = r.U8();
            CheckSizes(offsetSize, lengthSize, what);
            r.Skip(1);
            r = new H5Reader(data.Span, offsetSize, lengthSize, what);
            r.Seek(12);
            ulong baseAddress = r.Offset();
            r.Offset(); // superblock extension
            ulong eof = r.Offset();
            ulong root = r.Offset();
            int end = r.Position;
            Checksum.VerifyAt(data.Span, end, what);
            return new Superblock(version, offsetSize, lengthSize, baseAddress, eof, root, H5Reader.Undefined, H5Reader.Undefined);
        }
        throw new Hdf5UnsupportedException($"{what}: version {version} is not supported (0–3 are)");
    }

    private static void CheckSizes(int offsetSize, int lengthSize, string what)
    {
        if (offsetSize is not (2 or 4 or 8) || lengthSize is not (2 or 4 or 8))
            throw new Hdf5Exception($"{what}: sizes of offsets {offsetSize} and lengths {lengthSize} must be 2, 4 or 8");
    }
}
