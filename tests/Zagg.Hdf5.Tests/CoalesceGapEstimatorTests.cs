using Xunit;
using Zagg.Hdf5.IO;

namespace Zagg.Hdf5.Tests;

/// <summary>
/// The coalescing gap: the documented default until enough requests are measured, then latency × bandwidth timed on a
/// fake clock, within its bounds, and shared among requests that run at once.
/// </summary>
public class CoalesceGapEstimatorTests
{
    /// <summary>A clock that moves only when told.</summary>
    private sealed class FakeClock : TimeProvider
    {
        public long Ticks;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => Ticks;
        public void Advance(TimeSpan by) => Ticks += by.Ticks;
    }

    /// <summary>One request timed on the clock: its first byte after <paramref name="latency"/>, its body at <paramref name="bytesPerSecond"/>.</summary>
    private static void Request(CoalesceGapEstimator gaps, FakeClock clock, TimeSpan latency, long bytes, double bytesPerSecond)
    {
        long sent = gaps.Start();
        clock.Advance(latency + TimeSpan.FromSeconds(bytes / bytesPerSecond));
        gaps.Completed(sent, latency, bytes);
    }

    [Fact]
    public void Before_enough_requests_the_gap_is_the_documented_default()
    {
        var clock = new FakeClock();
        var gaps = new CoalesceGapEstimator(clock);
        Assert.Equal(1 << 20, gaps.Gap);
        Assert.Null(gaps.Latency);
        for (int i = 0; i < CoalesceGapEstimator.MinSamples - 1; i++) Request(gaps, clock, TimeSpan.FromMilliseconds(5), 1 << 20, 1e9);
        Assert.Equal(CoalesceGapEstimator.DefaultGap, gaps.Gap);
        // Bodies too short to say anything about bandwidth are not samples.
        Request(gaps, clock, TimeSpan.FromMilliseconds(5), 100, 1e9);
        Assert.Equal(CoalesceGapEstimator.MinSamples - 1, gaps.Samples);
        Assert.Equal(CoalesceGapEstimator.DefaultGap, gaps.Gap);
    }

    [Fact]
    public void The_gap_is_latency_times_bandwidth_as_measured()
    {
        var clock = new FakeClock();
        var gaps = new CoalesceGapEstimator(clock);
        // 40 ms to first byte, 10 MB/s: 400 kB.
        for (int i = 0; i < 8; i++) Request(gaps, clock, TimeSpan.FromMilliseconds(40), 1_000_000, 10e6);
        Assert.Equal(40, gaps.Latency!.Value.TotalMilliseconds, 6);
        Assert.Equal(10e6, gaps.BytesPerSecond!.Value, 1);
        Assert.InRange(gaps.Gap, 399_990, 400_010);
        // The latency is the round trip without queueing: one slow first byte does not move it.
        Request(gaps, clock, TimeSpan.FromMilliseconds(900), 1_000_000, 10e6);
        Assert.InRange(gaps.Gap, 399_990, 400_010);
        // A faster network moves the bandwidth towards it, a fifth at a time.
        Request(gaps, clock, TimeSpan.FromMilliseconds(40), 1_000_000, 20e6);
        Assert.Equal(1 / (0.8 / 10e6 + 0.2 / 20e6), gaps.BytesPerSecond!.Value, 1);
    }

    [Fact]
    public void The_gap_stays_within_its_bounds()
    {
        var clock = new FakeClock();
        var fast = new CoalesceGapEstimator(clock);
        // A body that arrives "at once" over a slow round trip: no more than the upper bound.
        for (int i = 0; i < 8; i++) Request(fast, clock, TimeSpan.FromSeconds(2), 1 << 20, double.PositiveInfinity);
        Assert.Equal(CoalesceGapEstimator.MaxGap, fast.Gap);
        var near = new CoalesceGapEstimator(clock);
        // Microseconds to first byte: no less than the lower bound.
        for (int i = 0; i < 8; i++) Request(near, clock, TimeSpan.FromTicks(1), 1 << 20, 1e8);
        Assert.Equal(CoalesceGapEstimator.MinGap, near.Gap);
    }

    [Fact]
    public void Requests_that_run_at_once_share_the_gap_down_to_its_floor()
    {
        Assert.Equal(1 << 15, CoalesceGapEstimator.ForConcurrent(1 << 20, 32));
        Assert.Equal(1 << 17, CoalesceGapEstimator.ForConcurrent(1 << 20, 8));
        Assert.Equal(CoalesceGapEstimator.MinGap, CoalesceGapEstimator.ForConcurrent(1 << 16, 32));
        Assert.Throws<ArgumentOutOfRangeException>(() => CoalesceGapEstimator.ForConcurrent(1 << 20, 0));
    }
}
