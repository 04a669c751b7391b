using Zagg.Contracts;
using Zagg.Messaging.Sqs;

namespace Zagg.Lambda.Handlers;

/// <summary>
/// A cell's outcome through the SQS transport's own <see cref="SqsSender"/>: the same routing (the consolidation
/// service's queue, and the run's follow queue when the cause names one), envelope and batch resends as every service.
/// </summary>
public sealed class SqsCellResultSender(SqsSender sender) : ICellResultSender
{
    /// <summary>The consolidation queue's URL (looked up at init, so a missing queue is an init error), or null when it does not exist.</summary>
    public Task<string?> ConsolidationQueueUrlAsync(CancellationToken ct) =>
        sender.Queues.FindAsync(sender.Queues.Names.Of(Messaging.Queues.Consolidation), ct);

    /// <inheritdoc/>
    public Task SendAggregatedAsync(CellAggregated result, SqsEnvelope cause, CancellationToken ct) =>
        sender.PublishAsync([result], cause, ct);

    /// <inheritdoc/>
    public Task SendFailedAsync(AggregateCell cell, SqsEnvelope cause, Exception error, int attempt, CancellationToken ct) =>
        sender.PublishAsync([SqsFault<AggregateCell>.Create(cell, cause.MessageId, error, attempt)], cause, ct);
}
