using System.Buffers.Binary;
using Zagg.Hdf5.Format;
using Zagg.Hdf5.IO;

namespace Zagg.Hdf5.Tests;

/// <summary>One field of an HDF5 structure in a file: where, how wide (bytes), and what it is (for the case's name).</summary>
internal readonly record struct Field(int Offset, int Width, string Name);

/// <summary>
/// The fields of a file written by libhdf5, for the structure-aware fuzzer: a small walker, independent of the reader's
/// parsing code, that locates the superblock, every object header (the reader gives only their addresses) and its
/// messages' fields (dataspace, datatype, fill value, layout, filter pipeline, links, attributes, continuations),
/// and the B-tree, heap, symbol node, global heap, fixed/extensible array and fractal heap structures by their
/// signatures (HDF5 File Format Specification 3.0, sections II–IV). It also knows which byte ranges a metadata
/// checksum covers, so a mutated field can be given a valid checksum again and reach the parser behind it.
/// </summary>
internal sealed class Hdf5Structure
{
    private readonly byte[] _data;
    private int _o = 8, _l = 8;

    public List<Field> Fields { get; } = [];

    /// <summary>Checksummed ranges [Start, End): the lookup3 checksum of those bytes is stored at End.</summary>
    public List<(int Start, int End)> Checksummed { get; } = [];

    /// <summary>Addresses of the structures found, as values an address field may be given.</summary>
    public List<long> Addresses { get; } = [];

    /// <summary>Stored chunks' byte ranges.</summary>
    public List<(int Start, int Length)> Chunks { get; } = [];

    private Hdf5Structure(byte[] data) => _data = data;

    /// <summary>Walks <paramref name="data"/> (a whole, valid file) with the help of the reader for object addresses and chunks.</summary>
    public static async Task<Hdf5Structure> WalkAsync(byte[] data)
    {
        var s = new Hdf5Structure(data);
        s.Superblock();
        await using var file = await Hdf5File.OpenAsync(new MemoryByteSource(data, "walk.h5"));
        var queue = new Queue<Hdf5Object>();
        var seen = new HashSet<ulong>();
        queue.Enqueue(file.Root);
        while (queue.Count > 0)
        {
            var o = queue.Dequeue();
            if (!seen.Add(o.Address)) continue;
            s.ObjectHeader((int)o.Address);
            if (o is Hdf5Group g) foreach (var c in await g.ChildrenAsync()) queue.Enqueue(c);
            else if (o is Hdf5Dataset d && d.ChunkShape is not null)
                foreach (var c in await d.ChunksAsync()) s.Chunks.Add(((int)c.Address, (int)c.StoredSize));
        }
        s.Signatures();
        return s;
    }

    private void Add(int at, int width, string name)
    {
        if (at >= 0 && width > 0 && at + width <= _data.Length) Fields.Add(new Field(at, width, name));
    }

    private ulong U(int at, int width)
    {
        if (at < 0 || at + width > _data.Length) return 0;
        ulong v = 0;
        for (int i = width - 1; i >= 0; i--) v = v << 8 | _data[at + i];
        return v;
    }

    private void Superblock()
    {
        int v = _data[8];
        Add(8, 1, "superblock version");
        if (v <= 1)
        {
            Add(9, 1, "free-space version"); Add(10, 1, "root symbol table version"); Add(12, 1, "shared header version");
            Add(13, 1, "size of offsets"); Add(14, 1, "size of lengths");
            _o = _data[13]; _l = _data[14];
            Add(16, 2, "group leaf K"); Add(18, 2, "group internal K"); Add(20, 4, "file consistency flags");
            int p = 24;
            if (v == 1) { Add(24, 2, "indexed storage K"); p = 28; }
            foreach (var n in new[] { "base address", "free-space address", "end-of-file address", "driver info address" }) { Add(p, _o, n); p += _o; }
            SymbolTableEntry(p, "root");
        }
        else
        {
            Add(9, 1, "size of offsets"); Add(10, 1, "size of lengths"); Add(11, 1, "file consistency flags");
            _o = _data[9]; _l = _data[10];
            int p = 12;
            foreach (var n in new[] { "base address", "superblock extension address", "end-of-file address", "root object header address" }) { Add(p, _o, n); p += _o; }
            Checksummed.Add((0, p));
        }
    }

    private void SymbolTableEntry(int p, string what)
    {
        Add(p, _o, $"{what} entry link name offset"); Add(p + _o, _o, $"{what} entry object header address");
        Add(p + 2 * _o, 4, $"{what} entry cache type"); Add(p + 2 * _o + 8, _o, $"{what} entry scratch B-tree address");
        Add(p + 3 * _o + 8, _o, $"{what} entry scratch heap address");
    }

    private void ObjectHeader(int a)
    {
        Addresses.Add(a);
        if (a + 16 > _data.Length) return;
        if (_data[a] == 'O' && _data[a + 1] == 'H' && _data[a + 2] == 'D' && _data[a + 3] == 'R')
        {
            byte flags = _data[a + 5];
            Add(a + 4, 1, "OHDR version"); Add(a + 5, 1, "OHDR flags");
            int p = a + 6;
            if ((flags & 0x20) != 0) p += 16;
            if ((flags & 0x10) != 0) { Add(p, 2, "max compact attributes"); Add(p + 2, 2, "min dense attributes"); p += 4; }
            int w = 1 << (flags & 3);
            Add(p, w, "OHDR chunk 0 size");
            int size = (int)U(p, w);
            p += w;
            Checksummed.Add((a, p + size));
            MessagesV2(p, size, (flags & 0x04) != 0, 0);
        }
        else if (_data[a] == 1)
        {
            Add(a, 1, "object header v1 version"); Add(a + 2, 2, "object header message count"); Add(a + 4, 4, "object header reference count");
            Add(a + 8, 4, "object header size");
            MessagesV1(a + 16, (int)U(a + 8, 4), 0);
        }
    }

    private void MessagesV2(int p, int size, bool order, int depth)
    {
        int end = Math.Min(p + size, _data.Length), header = order ? 6 : 4;
        while (p + header <= end)
        {
            int type = _data[p], length = (int)U(p + 1, 2);
            Add(p, 1, "message type"); Add(p + 1, 2, "message size"); Add(p + 3, 1, "message flags");
            Message(type, p + header, length, 2, depth);
            p += header + length;
        }
    }

    private void MessagesV1(int p, int size, int depth)
    {
        int end = Math.Min(p + size, _data.Length);
        while (p + 8 <= end)
        {
            int type = (int)U(p, 2), length = (int)U(p + 2, 2);
            Add(p, 2, "message type"); Add(p + 2, 2, "message size"); Add(p + 4, 1, "message flags");
            Message(type, p + 8, length, 1, depth);
            p += 8 + length;
        }
    }

    private void Message(int type, int b, int size, int headerVersion, int depth)
    {
        if (b + size > _data.Length || size <= 0) return;
        switch (type)
        {
            case 0x01: // dataspace
            {
                int v = _data[b], rank = _data[b + 1], flags = _data[b + 2];
                Add(b, 1, "dataspace version"); Add(b + 1, 1, "dataspace rank"); Add(b + 2, 1, "dataspace flags");
                int p = v == 1 ? b + 8 : b + 4;
                if (v == 2) Add(b + 3, 1, "dataspace type");
                for (int i = 0; i < rank; i++) Add(p + i * _l, _l, $"dimension {i}");
                if ((flags & 1) != 0) for (int i = 0; i < rank; i++) Add(p + (rank + i) * _l, _l, $"max dimension {i}");
                break;
            }
            case 0x03: // datatype
                Add(b, 1, "datatype class and version"); Add(b + 1, 1, "datatype bit field 0"); Add(b + 2, 1, "datatype bit field 1");
                Add(b + 4, 4, "datatype size"); Add(b + 8, 2, "datatype bit offset"); Add(b + 10, 2, "datatype precision");
                Add(b + 12, 1, "exponent location"); Add(b + 13, 1, "exponent size"); Add(b + 14, 1, "mantissa location");
                Add(b + 15, 1, "mantissa size"); Add(b + 16, 4, "exponent bias");
                break;
            case 0x05: // fill value
                Add(b, 1, "fill value version");
                if (_data[b] == 3) { Add(b + 1, 1, "fill value flags"); Add(b + 2, 4, "fill value size"); }
                else { Add(b + 1, 1, "space allocation time"); Add(b + 2, 1, "fill value write time"); Add(b + 3, 1, "fill value defined"); Add(b + 4, 4, "fill value size"); }
                break;
            case 0x08: Layout(b); break;
            case 0x0B: Filters(b); break;
            case 0x0C: // attribute
                Add(b, 1, "attribute version"); Add(b + 1, 1, "attribute flags"); Add(b + 2, 2, "attribute name size");
                Add(b + 4, 2, "attribute datatype size"); Add(b + 6, 2, "attribute dataspace size");
                if (_data[b] == 3) Add(b + 8, 1, "attribute name encoding");
                break;
            case 0x10: // continuation
            {
                Add(b, _o, "continuation address"); Add(b + _o, _l, "continuation length");
                int a = (int)U(b, _o), length = (int)U(b + _o, _l);
                if (depth > 64 || a <= 0 || a + length > _data.Length) break;
                if (headerVersion == 2)
                {
                    Checksummed.Add((a, a + length - 4));
                    MessagesV2(a + 4, length - 8, false, depth + 1);
                }
                else MessagesV1(a, length, depth + 1);
                break;
            }
            case 0x11: Add(b, _o, "symbol table B-tree address"); Add(b + _o, _o, "symbol table heap address"); break;
            case 0x02: // link info
            {
                int flags = _data[b + 1], p = b + 2;
                Add(b, 1, "link info version"); Add(b + 1, 1, "link info flags");
                if ((flags & 1) != 0) { Add(p, 8, "max creation index"); p += 8; }
                Add(p, _o, "fractal heap address"); Add(p + _o, _o, "name index B-tree address");
                if ((flags & 2) != 0) Add(p + 2 * _o, _o, "creation order index address");
                break;
            }
            case 0x06: // link
            {
                int flags = _data[b + 1], p = b + 2;
                Add(b, 1, "link version"); Add(b + 1, 1, "link flags");
                bool hard = true;
                if ((flags & 8) != 0) { Add(p, 1, "link type"); hard = _data[p] == 0; p++; }
                if ((flags & 4) != 0) { Add(p, 8, "link creation order"); p += 8; }
                if ((flags & 0x10) != 0) { Add(p, 1, "link name encoding"); p++; }
                int w = 1 << (flags & 3);
                Add(p, w, "link name length");
                int n = (int)U(p, w);
                p += w + n;
                if (hard) Add(p, _o, "link address");
                break;
            }
            case 0x15: // attribute info
            {
                int flags = _data[b + 1], p = b + 2;
                Add(b, 1, "attribute info version"); Add(b + 1, 1, "attribute info flags");
                if ((flags & 1) != 0) { Add(p, 2, "max attribute creation index"); p += 2; }
                Add(p, _o, "attribute fractal heap address"); Add(p + _o, _o, "attribute name B-tree address");
                break;
            }
            default:
                for (int k = 0; k < Math.Min(size, 16); k++) Add(b + k, 1, $"message 0x{type:x2} byte {k}");
                break;
        }
    }

    private void Layout(int b)
    {
        int v = _data[b];
        Add(b, 1, "layout version"); Add(b + 1, 1, "layout class");
        int cls = _data[b + 1];
        if (v < 3) { for (int k = 2; k < 24; k++) Add(b + k, 1, $"layout v{v} byte {k}"); return; }
        if (cls == 0) { Add(b + 2, 2, "compact size"); return; }
        if (cls == 1) { Add(b + 2, _o, "contiguous address"); Add(b + 2 + _o, _l, "contiguous size"); return; }
        if (cls != 2) return;
        if (v == 3)
        {
            int rank = _data[b + 2];
            Add(b + 2, 1, "chunk rank"); Add(b + 3, _o, "chunk B-tree address");
            for (int i = 0; i < rank; i++) Add(b + 3 + _o + 4 * i, 4, $"chunk dimension {i}");
            return;
        }
        int r = _data[b + 3], enc = _data[b + 4], p = b + 5;
        Add(b + 2, 1, "chunk flags"); Add(b + 3, 1, "chunk rank"); Add(b + 4, 1, "chunk dimension size");
        for (int i = 0; i < r; i++) { Add(p, enc, $"chunk dimension {i}"); p += enc; }
        int index = _data[Math.Min(p, _data.Length - 1)];
        Add(p, 1, "chunk index type");
        p++;
        switch (index)
        {
            case 1:
                if ((_data[b + 2] & 2) != 0) { Add(p, _l, "single chunk filtered size"); Add(p + _l, 4, "single chunk filter mask"); p += _l + 4; }
                break;
            case 3: Add(p, 1, "fixed array page bits"); p++; break;
            case 4:
                Add(p, 1, "extensible array max bits"); Add(p + 1, 1, "index elements"); Add(p + 2, 1, "min pointers");
                Add(p + 3, 1, "min elements"); Add(p + 4, 1, "page bits"); p += 5;
                break;
            case 5: Add(p, 4, "v2 B-tree node size"); Add(p + 4, 1, "split percent"); Add(p + 5, 1, "merge percent"); p += 6; break;
        }
        Add(p, _o, "chunk index address");
    }

    private void Filters(int b)
    {
        int v = _data[b], n = _data[b + 1];
        Add(b, 1, "filter pipeline version"); Add(b + 1, 1, "filter count");
        int p = v == 1 ? b + 8 : b + 2;
        for (int i = 0; i < n && p + 8 <= _data.Length; i++)
        {
            int id = (int)U(p, 2);
            Add(p, 2, $"filter {i} id");
            int q = p + 2, nameLength = 0;
            if (v == 1 || id >= 256) { Add(q, 2, $"filter {i} name length"); nameLength = (int)U(q, 2); q += 2; }
            Add(q, 2, $"filter {i} flags"); Add(q + 2, 2, $"filter {i} value count");
            int values = (int)U(q + 2, 2);
            q += 4;
            q += v == 1 ? (nameLength + 7) & ~7 : nameLength;
            for (int k = 0; k < values; k++) Add(q + 4 * k, 4, $"filter {i} value {k}");
            q += 4 * values;
            if (v == 1 && values % 2 == 1) q += 4;
            p = q;
        }
    }

    private static readonly string[] Checked = ["BTHD", "BTIN", "BTLF", "FAHD", "FADB", "EAHD", "EAIB", "EASB", "EADB", "FRHP", "FHDB", "FHIB", "FSHD", "FSSE", "SMTB", "SMLI"];

    private void Signatures()
    {
        for (int p = 0; p + 8 <= _data.Length; p++)
        {
            string sig = System.Text.Encoding.ASCII.GetString(_data, p, 4);
            switch (sig)
            {
                case "TREE":
                {
                    Addresses.Add(p);
                    Add(p + 4, 1, "TREE node type"); Add(p + 5, 1, "TREE level"); Add(p + 6, 2, "TREE entries used");
                    Add(p + 8, _o, "TREE left sibling"); Add(p + 8 + _o, _o, "TREE right sibling");
                    int q = p + 8 + 2 * _o, used = (int)U(p + 6, 2);
                    if (_data[p + 4] == 0)
                        for (int i = 0; i < used; i++) { Add(q, _l, $"TREE key {i}"); Add(q + _l, _o, $"TREE child {i}"); q += _l + _o; }
                    else
                        for (int k = 0; k < 48; k++) Add(q + k, 1, $"TREE chunk key byte {k}");
                    break;
                }
                case "HEAP":
                    Addresses.Add(p);
                    Add(p + 4, 1, "HEAP version"); Add(p + 8, _l, "HEAP data segment size"); Add(p + 8 + _l, _l, "HEAP free list offset");
                    Add(p + 8 + 2 * _l, _o, "HEAP data segment address");
                    break;
                case "SNOD":
                {
                    Addresses.Add(p);
                    Add(p + 4, 1, "SNOD version"); Add(p + 6, 2, "SNOD symbol count");
                    int used = (int)U(p + 6, 2);
                    for (int i = 0; i < Math.Min(used, 8); i++) SymbolTableEntry(p + 8 + i * (2 * _o + 24), $"SNOD {i}");
                    break;
                }
                case "GCOL":
                {
                    Addresses.Add(p);
                    Add(p + 4, 1, "GCOL version"); Add(p + 8, _l, "GCOL collection size");
                    int q = p + 8 + _l, end = (int)Math.Min((ulong)_data.Length, (ulong)p + U(p + 8, _l));
                    for (int i = 0; i < 16 && q + 8 + _l <= end; i++)
                    {
                        if (U(q, 2) == 0) break;
                        Add(q, 2, $"GCOL object {i} index"); Add(q + 2, 2, $"GCOL object {i} references"); Add(q + 8, _l, $"GCOL object {i} size");
                        q += 8 + _l + (int)((U(q + 8, _l) + 7) & ~7UL);
                    }
                    break;
                }
                default:
                    if (Array.IndexOf(Checked, sig) >= 0) Checksummed2(p, sig);
                    break;
            }
        }
    }

    private void Checksummed2(int p, string sig)
    {
        Addresses.Add(p);
        Add(p + 4, 1, $"{sig} version");
        Add(p + 5, 1, $"{sig} type or client id");
        switch (sig)
        {
            case "BTHD":
                Add(p + 6, 4, "BTHD node size"); Add(p + 10, 2, "BTHD record size"); Add(p + 12, 2, "BTHD depth");
                Add(p + 14, 1, "BTHD split percent"); Add(p + 15, 1, "BTHD merge percent"); Add(p + 16, _o, "BTHD root address");
                Add(p + 16 + _o, 2, "BTHD root record count"); Add(p + 18 + _o, _l, "BTHD total records");
                break;
            case "FAHD":
                Add(p + 6, 1, "FAHD entry size"); Add(p + 7, 1, "FAHD page bits"); Add(p + 8, _l, "FAHD max entries");
                Add(p + 8 + _l, _o, "FAHD data block address");
                break;
            case "EAHD":
                Add(p + 6, 1, "EAHD element size"); Add(p + 7, 1, "EAHD max element bits"); Add(p + 8, 1, "EAHD index block elements");
                Add(p + 9, 1, "EAHD data block min elements"); Add(p + 10, 1, "EAHD secondary block min pointers"); Add(p + 11, 1, "EAHD page bits");
                for (int i = 0; i < 6; i++) Add(p + 12 + i * _l, _l, $"EAHD statistic {i}");
                Add(p + 12 + 6 * _l, _o, "EAHD index block address");
                break;
            case "FRHP":
            {
                Add(p + 5, 2, "FRHP heap ID length"); Add(p + 7, 2, "FRHP filter length"); Add(p + 9, 1, "FRHP flags");
                Add(p + 10, 4, "FRHP max managed object size");
                int q = p + 14;
                string[] names = ["next huge id", "huge B-tree address", "free space", "free space manager address", "managed space", "allocated managed space", "iterator offset", "managed objects", "huge size", "huge objects", "tiny size", "tiny objects"];
                for (int i = 0; i < names.Length; i++) { int w = i is 1 or 3 ? _o : _l; Add(q, w, "FRHP " + names[i]); q += w; }
                Add(q, 2, "FRHP table width"); Add(q + 2, _l, "FRHP starting block size"); Add(q + 2 + _l, _l, "FRHP max direct block size");
                Add(q + 2 + 2 * _l, 2, "FRHP max heap size bits"); Add(q + 4 + 2 * _l, 2, "FRHP starting rows"); Add(q + 6 + 2 * _l, _o, "FRHP root block address");
                Add(q + 6 + 2 * _l + _o, 2, "FRHP current rows");
                break;
            }
            default:
                Add(p + 6, _o, $"{sig} header address");
                for (int k = 6 + _o; k < 6 + _o + 32; k++) Add(p + k, 1, $"{sig} byte {k}");
                break;
        }
        // The checksum closes the structure: the first end whose lookup3 matches the four bytes after it.
        for (int e = p + 8; e + 4 <= _data.Length && e <= p + 16384; e++)
            if (Checksum.Lookup3(_data.AsSpan(p, e - p)) == BinaryPrimitives.ReadUInt32LittleEndian(_data.AsSpan(e)))
            {
                Checksummed.Add((p, e));
                for (int k = 6; k < e - p; k++) Add(p + k, 1, $"{sig} body byte {k}");
                break;
            }
    }

    /// <summary>Restores the checksum of every checksummed range that holds a byte in [at, at + width).</summary>
    public void FixChecksums(byte[] data, int at, int width)
    {
        foreach (var (start, end) in Checksummed)
            if (at < end && at + width > start && end + 4 <= data.Length)
                BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(end), Checksum.Lookup3(data.AsSpan(start, end - start)));
    }
}
