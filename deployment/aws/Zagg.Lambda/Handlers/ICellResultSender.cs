using Zagg.Contracts;

namespace Zagg.Lambda.Handlers;

/// <summary>Where a cell's outcome goes: the consolidation service's queue.</summary>
public interface ICellResultSender
{
    /// <summary>Sends the cell's CellAggregated.</summary>
    Task SendAggregatedAsync(CellAggregated result, CancellationToken ct);

    /// <summary>Sends the cell's final failure (its last attempt, or a failure retrying cannot mend).</summary>
    /// <param name="cell">The cell.</param>
    /// <param name="reason">Why, in one line (never a credential).</param>
    /// <param name="attempts">How many times the cell was tried.</param>
    Task SendFailedAsync(AggregateCell cell, string reason, int attempts, CancellationToken ct);
}
