namespace Zagg.Hdf5.IO;

/// <summary>Bytes already in memory (tests, small downloaded objects).</summary>
public sealed class MemoryByteSource(ReadOnlyMemory<byte> data, string name = "memory") : IByteSource
{
    public string Name => name;
    public long Length => data.Length;
    public ByteSourceStatistics Statistics { get; } = new();

    public bool IsLocal => true;

    public ValueTask ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (offset < 0 || offset + destination.Length > data.Length)
            throw new Hdf5Exception($"{name}: read of {destination.Length} bytes at {offset} is past the end ({data.Length} bytes); the file is truncated or damaged");
        data.Slice((int)offset, destination.Length).CopyTo(destination);
        Statistics.Record(destination.Length);
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
