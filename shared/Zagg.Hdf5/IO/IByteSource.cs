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

    /// <summary>
    /// Ranges closer than this many bytes are worth fetching as one request: for a remote source, latency × bandwidth
    /// as measured so far (<see cref="CoalesceGapEstimator"/>); else <see cref="CoalesceGapEstimator.DefaultGap"/>.
    /// </summary>
    int CoalesceGap => CoalesceGapEstimator.DefaultGap;
}

/// <summary>
/// Thread-safe counters of a source's requests: how many, the bytes they fetched, how many were tried again, and for
/// remote sources the summed time to first byte and time spent waiting for a slot under the concurrency bound.
/// </summary>
public sealed class ByteSourceStatistics
{
    private static readonly AsyncLocal<ByteSourceStatistics?> CurrentScope = new();

    /// <summary>
    /// The statistics that remote requests made in the current asynchronous flow also count into (a cell's, set by
    /// <see cref="CollectInto"/>), or null. A request counts where the flow that made it was: work shared between flows
    /// (a granule opened for one cell and used by the next) counts for the flow that started it.
    /// </summary>
    public static ByteSourceStatistics? Current => CurrentScope.Value;

    /// <summary>Makes <paramref name="statistics"/> the <see cref="Current"/> ones of this flow until the result is disposed.</summary>
    public static IDisposable CollectInto(ByteSourceStatistics statistics)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        var previous = CurrentScope.Value;
        CurrentScope.Value = statistics;
        return new Scope(previous);
    }

    private sealed class Scope(ByteSourceStatistics? previous) : IDisposable
    {
        public void Dispose() => CurrentScope.Value = previous;
    }

    private long _requests;
    private long _bytes;

    /// <summary>When these statistics began (a <see cref="System.Diagnostics.Stopwatch"/> timestamp): a request trace's origin.</summary>
    internal long Origin { get; } = System.Diagnostics.Stopwatch.GetTimestamp();
    private long _retries;
    private long _firstByteTicks;
    private long _waitTicks;

    public long Requests => Interlocked.Read(ref _requests);
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Requests tried again after a transient failure (not counted in <see cref="Requests"/>).</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Summed time from sending each request to its response headers.</summary>
    public TimeSpan TimeToFirstByte => TimeSpan.FromTicks(Interlocked.Read(ref _firstByteTicks));

    /// <summary>Summed time requests waited for a free slot.</summary>
    public TimeSpan Wait => TimeSpan.FromTicks(Interlocked.Read(ref _waitTicks));

    public void Record(long bytes)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _bytes, bytes);
    }

    /// <summary>Records a completed remote request.</summary>
    public void Record(long bytes, TimeSpan firstByte, TimeSpan wait)
    {
        Record(bytes);
        Interlocked.Add(ref _firstByteTicks, firstByte.Ticks);
        Interlocked.Add(ref _waitTicks, wait.Ticks);
    }

    /// <summary>Records a retry.</summary>
    public void RecordRetry() => Interlocked.Increment(ref _retries);

    public override string ToString() => Retries == 0 ? $"{Requests} requests, {Bytes} bytes" : $"{Requests} requests, {Bytes} bytes, {Retries} retries";
}
