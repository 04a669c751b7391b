using System.Diagnostics;
using MassTransit;
using Zagg.Contracts;

namespace Zagg.Messaging;

/// <summary>
/// Where a run's wall time goes, for profiling (<c>ZAGG_TRACE_PHASES=1</c>, the switch that also prints the command's
/// phases and each cell's): one line on standard error per message a consumer starts and ends, and per
/// <see cref="Mark"/>, with the time since the process started and the process's CPU time (user + system), in
/// milliseconds: <c>zagg-trace: at WALL ms cpu CPU ms thread N: WHAT</c>. Off, a mark costs one static boolean test
/// and the bus has no observer.
/// </summary>
public static class RunTimeline
{
    /// <summary>Whether <c>ZAGG_TRACE_PHASES=1</c> asked for the trace (read once per process).</summary>
    public static readonly bool Enabled = Environment.GetEnvironmentVariable("ZAGG_TRACE_PHASES") == "1";

    private static readonly DateTime ProcessStart = Enabled ? Process.GetCurrentProcess().StartTime : default;

    /// <summary>Writes <paramref name="what"/> with the wall and CPU time since the process started.</summary>
    public static void Mark(string what)
    {
        if (!Enabled) return;
        using var p = Process.GetCurrentProcess();
        Console.Error.WriteLine($"zagg-trace: at {(DateTime.Now - ProcessStart).TotalMilliseconds:F0} ms cpu {p.TotalProcessorTime.TotalMilliseconds:F0} ms thread {Environment.CurrentManagedThreadId}: {what}");
    }

    /// <summary>With the trace on, adds the observer that marks each consumed message's start and end.</summary>
    internal static void Observe(IBusRegistrationConfigurator x)
    {
        if (Enabled) x.AddConsumeObserver<ConsumeMarks>();
    }

    /// <summary>A message's name in the trace: its type, and the cell for the messages of one cell.</summary>
    internal static string Describe(object message) => message switch
    {
        AggregateCell a => $"AggregateCell {a.ParentMorton}",
        CellAggregated c => $"CellAggregated {c.ParentMorton}",
        _ => message.GetType().Name,
    };

    private sealed class ConsumeMarks : IConsumeObserver
    {
        public Task PreConsume<T>(ConsumeContext<T> context) where T : class
        {
            Mark($"consume {Describe(context.Message)} start (sent {(DateTime.UtcNow - (context.SentTime ?? DateTime.UtcNow)).TotalMilliseconds:F0} ms ago)");
            return Task.CompletedTask;
        }

        public Task PostConsume<T>(ConsumeContext<T> context) where T : class
        {
            Mark($"consume {Describe(context.Message)} end");
            return Task.CompletedTask;
        }

        public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class
        {
            Mark($"consume {Describe(context.Message)} fault");
            return Task.CompletedTask;
        }
    }
}
