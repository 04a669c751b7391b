namespace Zagg.Hdf5.IO;

/// <summary>
/// The gap across which two byte ranges are worth fetching as one request: the bytes a request's own transfer would
/// carry in the time one more request waits for its first byte, i.e. latency × bandwidth, both measured from the
/// requests so far. Reading a gap shorter than that costs less than the round trip it saves; a longer one, more.
/// </summary>
/// <remarks>
/// <para>Latency is the smallest time to first byte of the last <see cref="LatencyWindow"/> requests: the round trip
/// itself, without the queueing a busy server or a busy client adds to some of them. Bandwidth is the rate one
/// request's body arrived at (bytes over the time from first to last byte), which, under a per-worker bound of
/// concurrent requests sharing one link, is that link's share per request — the share a merged range would get too;
/// it is an exponentially weighted moving average (weight <see cref="Smoothing"/> for the newest request) of seconds
/// per byte, so one body that arrived "at once" moves it by a fifth, not to infinity, and the estimate follows a
/// network that changes.</para>
/// <para>Before <see cref="MinSamples"/> requests with a body of at least <see cref="MinSampleBytes"/> have been
/// measured, the gap is <see cref="DefaultGap"/> (1 MiB: an S3 GET's ~20–50 ms first byte at a few tens of MB/s per
/// connection, in region). The estimate is bounded to [<see cref="MinGap"/>, <see cref="MaxGap"/>] so a single
/// odd measurement (a body served from a cache in microseconds, a stalled one) cannot make every range one request,
/// nor forbid coalescing. Thread-safe.</para>
/// </remarks>
public sealed class CoalesceGapEstimator
{
    /// <summary>The gap before enough requests have been measured (1 MiB).</summary>
    public const int DefaultGap = 1 << 20;

    /// <summary>The smallest gap the estimate gives (32 KiB).</summary>
    public const int MinGap = 32 << 10;

    /// <summary>The largest gap the estimate gives (16 MiB).</summary>
    public const int MaxGap = 16 << 20;

    /// <summary>Measured requests needed before the estimate replaces the default.</summary>
    public const int MinSamples = 4;

    /// <summary>A body shorter than this says too little about bandwidth (its time is mostly scheduling): 16 KiB.</summary>
    public const int MinSampleBytes = 16 << 10;

    /// <summary>The newest measurement's weight in the bandwidth's moving average.</summary>
    public const double Smoothing = 0.2;

    /// <summary>Latency is the smallest time to first byte among this many latest requests.</summary>
    public const int LatencyWindow = 16;

    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly double[] _latencies = new double[LatencyWindow];
    private double _secondsPerByte;
    private int _samples;

    /// <param name="time">The clock requests are timed with (tests give a fake one; null: the system's).</param>
    public CoalesceGapEstimator(TimeProvider? time = null) => _time = time ?? TimeProvider.System;

    /// <summary>Requests measured so far (with a body of at least <see cref="MinSampleBytes"/>).</summary>
    public int Samples { get { lock (_lock) return _samples; } }

    /// <summary>The estimated time to first byte, or null before any measurement.</summary>
    public TimeSpan? Latency { get { lock (_lock) return _samples == 0 ? null : TimeSpan.FromSeconds(LatencySeconds()); } }

    /// <summary>The smallest of the latest time-to-first-byte measurements (under the lock).</summary>
    private double LatencySeconds()
    {
        double min = double.MaxValue;
        for (int i = 0; i < Math.Min(_samples, LatencyWindow); i++) min = Math.Min(min, _latencies[i]);
        return min;
    }

    /// <summary>The estimated bandwidth of one request in bytes per second, or null before any measurement.</summary>
    public double? BytesPerSecond { get { lock (_lock) return _samples == 0 ? null : 1 / _secondsPerByte; } }

    /// <summary>The gap in bytes: latency × bandwidth within [<see cref="MinGap"/>, <see cref="MaxGap"/>], or <see cref="DefaultGap"/> before <see cref="MinSamples"/> measurements.</summary>
    public int Gap
    {
        get
        {
            lock (_lock)
            {
                if (_samples < MinSamples) return DefaultGap;
                double gap = LatencySeconds() / _secondsPerByte;
                return double.IsNaN(gap) ? DefaultGap : (int)Math.Clamp(gap, MinGap, MaxGap);
            }
        }
    }

    /// <summary>
    /// The gap for ranges fetched <paramref name="concurrency"/> at a time rather than one after another: a range
    /// fetched beside others costs about 1/concurrency of a round trip of wall time, so merging it pays only across
    /// 1/concurrency of the gap; never less than <see cref="MinGap"/> (below it a request's own overhead — headers,
    /// a GET's price — outweighs the bytes saved).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="concurrency"/> &lt; 1.</exception>
    public static int ForConcurrent(int gap, int concurrency)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        return Math.Max(MinGap, gap / concurrency);
    }

    /// <summary>A timestamp of this estimator's clock, taken as a request is sent.</summary>
    public long Start() => _time.GetTimestamp();

    /// <summary>
    /// Records a request sent at <paramref name="started"/> (<see cref="Start"/>) whose first byte came after
    /// <paramref name="firstByte"/> and whose last byte of <paramref name="bytes"/> has just arrived.
    /// </summary>
    public void Completed(long started, TimeSpan firstByte, long bytes)
    {
        var total = _time.GetElapsedTime(started);
        Record(firstByte, total - firstByte, bytes);
    }

    /// <summary>Records one request: its time to first byte, the time its body took, and the body's length.</summary>
    public void Record(TimeSpan firstByte, TimeSpan transfer, long bytes)
    {
        if (bytes < MinSampleBytes || firstByte < TimeSpan.Zero) return;
        // A body that arrived "at once" went faster than the clock resolves: take one tick as its time.
        double seconds = Math.Max(transfer.TotalSeconds, 1.0 / TimeSpan.TicksPerSecond);
        double perByte = seconds / bytes;
        lock (_lock)
        {
            _latencies[_samples % LatencyWindow] = firstByte.TotalSeconds;
            _secondsPerByte = _samples == 0 ? perByte : _secondsPerByte + Smoothing * (perByte - _secondsPerByte);
            _samples++;
        }
    }
}
