namespace Zagg.Hdf5;

/// <summary>
/// Decoded chunks kept for the next read that needs them again — the HDF5 library's "raw data chunk
/// cache", shared by any number of files under one byte budget, least recently used out first.
/// </summary>
/// <remarks>
/// A read keeps only the chunks it used in part: a row range that starts or ends inside a chunk is
/// where the neighbouring range (the next parent cell along a track) starts or ends too, while a
/// chunk read whole is not asked for again. Entries are never changed or pooled, so a reader may
/// still copy from one that has just been evicted. Thread-safe.
/// </remarks>
public sealed class Hdf5ChunkCache
{
    private readonly record struct Key(Hdf5File File, ulong Address);

    private readonly Dictionary<Key, LinkedListNode<(Key Key, byte[] Data)>> _entries = [];
    private readonly LinkedList<(Key Key, byte[] Data)> _recent = new();
    private long _bytes, _hits, _misses;

    /// <param name="capacityBytes">The most decoded bytes held at once; a chunk larger than this is not kept.</param>
    public Hdf5ChunkCache(long capacityBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacityBytes);
        CapacityBytes = capacityBytes;
    }

    public long CapacityBytes { get; }

    /// <summary>Decoded bytes held now.</summary>
    public long Bytes { get { lock (_entries) return _bytes; } }

    /// <summary>Chunks found here instead of fetched and decoded again.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Chunks looked for and not found.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    internal byte[]? TryGet(Hdf5File file, ulong address)
    {
        lock (_entries)
        {
            if (_entries.TryGetValue(new Key(file, address), out var node))
            {
                _recent.Remove(node);
                _recent.AddFirst(node);
                _hits++;
                return node.Value.Data;
            }
            _misses++;
            return null;
        }
    }

    /// <summary>Whether a chunk is held, without counting a hit or a miss (a prefetch asking what it may skip).</summary>
    internal bool Contains(Hdf5File file, ulong address)
    {
        lock (_entries) return _entries.ContainsKey(new Key(file, address));
    }

    internal void Add(Hdf5File file, ulong address, byte[] decoded)
    {
        if (decoded.Length > CapacityBytes) return;
        var key = new Key(file, address);
        lock (_entries)
        {
            if (_entries.ContainsKey(key)) return;
            _entries[key] = _recent.AddFirst((key, decoded));
            _bytes += decoded.Length;
            while (_bytes > CapacityBytes && _recent.Last is { } oldest)
                Remove(oldest);
        }
    }

    /// <summary>Drops a file's chunks (when it closes).</summary>
    internal void Forget(Hdf5File file)
    {
        lock (_entries)
        {
            for (var node = _recent.First; node is not null;)
            {
                var next = node.Next;
                if (ReferenceEquals(node.Value.Key.File, file)) Remove(node);
                node = next;
            }
        }
    }

    private void Remove(LinkedListNode<(Key Key, byte[] Data)> node)
    {
        _recent.Remove(node);
        _entries.Remove(node.Value.Key);
        _bytes -= node.Value.Data.Length;
    }
}
