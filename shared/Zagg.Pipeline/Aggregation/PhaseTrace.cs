using System.Diagnostics;

namespace Zagg.Pipeline.Aggregation;

/// <summary>
/// Per-cell phase times for profiling (<c>ZAGG_TRACE_PHASES=1</c>): one line per cell on standard error — open
/// (granules opened, metadata parsed), locate (coordinates read, decoded and located), read (variables and quality
/// flag read and decoded), wait (the ordered pass waiting for granules fetched on other threads), keep (the filter and
/// copy into the cell's columns), compute (sort, reducers, casts; with a pyramid split into the child order with its
/// children's states, the quantile columns keyed by value, and the coarser orders with their sorts by value and the parent's state) — in milliseconds of wall time summed over the threads
/// that did it; the most bytes the run's shared groups held (SharedGroups) and the process's GC counts, pause and allocations. Off, it costs
/// one static boolean test per phase.
/// </summary>
internal sealed class PhaseTrace
{
    /// <summary>Whether <c>ZAGG_TRACE_PHASES=1</c> asked for the trace (read once per process).</summary>
    public static readonly bool Enabled = Environment.GetEnvironmentVariable("ZAGG_TRACE_PHASES") == "1";

    public long Open, Locate, Read, Wait, Keep, Compute, ComputeChild, ComputeSort, ComputeLevels;

    /// <summary>The current timestamp when tracing, else 0.</summary>
    public static long Now() => Enabled ? Stopwatch.GetTimestamp() : 0;

    /// <summary>The time since <paramref name="since"/> in Stopwatch ticks when tracing, else 0.</summary>
    public static long Since(long since) => Enabled ? Stopwatch.GetTimestamp() - since : 0;

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    /// <summary>Writes the line of a cell's store write (encode and write every chunk).</summary>
    public static void WriteStore(long parent, long ticks)
        => Console.Error.WriteLine($"zagg-trace: cell {parent} thread {Environment.CurrentManagedThreadId} write {Ms(ticks):F0} ms");

    /// <summary>Writes the cell's line.</summary>
    public void Write(long parent, int granules, int points, double seconds, long sharedPeak)
        => Console.Error.WriteLine(
            $"zagg-trace: cell {parent} thread {Environment.CurrentManagedThreadId} granules {granules} points {points} total {seconds * 1000:F0} ms: " +
            $"open {Ms(Open):F0} locate {Ms(Locate):F0} read {Ms(Read):F0} (ordered pass waiting {Ms(Wait):F0}) keep {Ms(Keep):F0} compute {Ms(Compute):F0}" +
            (ComputeSort + ComputeLevels > 0 ? $" (child order {Ms(ComputeChild):F0} keyed by value {Ms(ComputeSort):F0} coarser orders {Ms(ComputeLevels):F0})" : "") + "; " +
            $"shared groups' peak {sharedPeak >> 20} MB; GC {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} " +
            $"pause {GC.GetTotalPauseDuration().TotalMilliseconds:F0} ms allocated {GC.GetTotalAllocatedBytes() >> 20} MB");
}
