using Zagg.Contracts;
using Zagg.Messaging.Sqs;

namespace Zagg.Lambda.Handlers;

/// <summary>Where a cell's outcome goes: the consolidation service's queue (and the run's follow queue).</summary>
public interface ICellResultSender
{
    /// <summary>Sends the cell's CellAggregated.</summary>
    /// <param name="result">The result.</param>
    /// <param name="cause">The AggregateCell's envelope (its follow queue and trace carry over).</param>
    Task SendAggregatedAsync(CellAggregated result, SqsEnvelope cause, CancellationToken ct);

    /// <summary>Sends the cell's final failure (its last attempt, or a failure retrying cannot mend) as a Fault&lt;AggregateCell&gt;.</summary>
    /// <param name="cell">The cell.</param>
    /// <param name="cause">The AggregateCell's envelope.</param>
    /// <param name="error">The failure (its message is one line, never a credential).</param>
    /// <param name="attempt">The attempt that failed: the message's SQS receive count.</param>
    Task SendFailedAsync(AggregateCell cell, SqsEnvelope cause, Exception error, int attempt, CancellationToken ct);
}
