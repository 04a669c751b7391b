namespace Zagg.Hdf5.IO;

/// <summary>
/// Random-access bytes: a local file, an HTTP(S) object read with Range requests, an S3 object.
/// Implementations count what they fetch so callers can see the cost of a query.
/// </summary>
public interface IByteSource : IAsyncDisposable
{
    /// <summary>A name for messages (a path or URL without credentials).</summary>
    string Name { get; }

    /// <summary>Total length in bytes.</summary>
    long Length { get; }

    /// <summary>Reads exactly <paramref name="destination"/>.Length bytes at <paramref name="offset"/>.</summary>
    ValueTask ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken = default);

    /// <summary>Requests made and bytes fetched so far.</summary>
    ByteSourceStatistics Statistics { get; }

    /// <summary>
    /// True when reads cost no more than the work around them (a local file, memory): then
    /// concurrent requests gain nothing, and readers process ranges one after another.
    /// </summary>
    bool IsLocal => false;
}

/// <summary>Thread-safe counters of a source's requests and bytes.</summary>
public sealed class ByteSourceStatistics
{
    private long _requests;
    private long _bytes;

    public long Requests => Interlocked.Read(ref _requests);
    public long Bytes => Interlocked.Read(ref _bytes);

    public void Record(long bytes)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _bytes, bytes);
    }

    public override string ToString() => $"{Requests} requests, {Bytes} bytes";
}
