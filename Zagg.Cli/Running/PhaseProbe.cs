using System.Diagnostics;

namespace Zagg.Cli.Running;

/// <summary>
/// The fixed cost of a run, phase by phase (<c>ZAGG_TRACE_PHASES=1</c>, the switch that also prints each cell's phases):
/// at each boundary (runtime to Main, command line parsed, config and catalog read; host built, bus started — on a
/// thread-pool thread, beside the config and catalog, for an in-memory run —, first publish, run, stop, exit) one line on
/// standard error with the process's CPU time (user + system, <see cref="Process.TotalProcessorTime"/>) and wall time
/// since the previous mark (whichever thread wrote it) and since the process started, in milliseconds, and the
/// methods JIT-compiled so far with their compilation time (<see cref="System.Runtime.JitInfo"/>) and the GCs of each
/// generation with their total pause. Off, a mark costs one static boolean test. Each message's start and end are <see cref="Zagg.Messaging.RunTimeline"/>'s.
/// </summary>
internal static class PhaseProbe
{
    private static readonly bool On = Environment.GetEnvironmentVariable("ZAGG_TRACE_PHASES") == "1";
    private static double _lastCpu, _lastWall;

    /// <summary>Writes the phase that ends here, named <paramref name="name"/>.</summary>
    public static void Mark(string name)
    {
        if (!On) return;
        using var p = Process.GetCurrentProcess();
        double cpu = p.TotalProcessorTime.TotalMilliseconds;
        double wall = (DateTime.Now - p.StartTime).TotalMilliseconds;
        Console.Error.WriteLine($"zagg-trace: phase {name} cpu {cpu - _lastCpu:F0} ms wall {wall - _lastWall:F0} ms (since start: cpu {cpu:F0} ms, wall {wall:F0} ms; JIT {System.Runtime.JitInfo.GetCompiledMethodCount()} methods, {System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds:F0} ms; GCs {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}, paused {GC.GetTotalPauseDuration().TotalMilliseconds:F0} ms)");
        _lastCpu = cpu;
        _lastWall = wall;
    }
}
