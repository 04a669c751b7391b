using System.Text.RegularExpressions;
using Zagg.Runs;

namespace Zagg.Cli.Running;

/// <summary>
/// What of a worker process's log reaches zagg's terminal: its warnings and errors, one line each, without .NET stack
/// traces; a cell's fault is left out, because the run says it itself (<c>zagg: cell WORD: failed …</c>).
/// </summary>
internal static partial class WorkerLogLines
{
    private static readonly string CellFault = typeof(CellFailedException).FullName + ": ";

    /// <summary>The line as shown, or null when it is not shown.</summary>
    /// <param name="line">One line of the worker's console log (the simple console formatter's single-line form, or one
    /// line of a multi-line entry).</param>
    public static string? Shown(string line)
    {
        // MassTransit logs the fault a worker raises for a failed cell (R-FAULT, with the exception): the run reports
        // that cell's failure with its reason, so this would be the same failure again with a stack trace.
        if (line.Contains(" R-FAULT ", StringComparison.Ordinal) && line.Contains(CellFault, StringComparison.Ordinal)) return null;
        var frame = StackFrame().Match(line);
        if (!frame.Success) return line;
        // A line that is only a stack frame goes; a log line keeps its message and its exception's, not the stack.
        return frame.Index == 0 ? null : line[..frame.Index];
    }

    [GeneratedRegex(@"\s+at [^\s(]+\(")]
    private static partial Regex StackFrame();
}
