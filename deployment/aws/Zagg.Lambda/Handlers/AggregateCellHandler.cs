using System.Diagnostics;
using Zagg.Contracts;
using Zagg.Lambda.Runtime;
using Zagg.Lambda.Sqs;
using Zagg.Messaging.Sqs;
using Zagg.Runs;

namespace Zagg.Lambda.Handlers;

/// <summary>
/// The worker role: one SQS message = one AggregateCell in the SQS transport's envelope → the run library's
/// <see cref="CellWorker"/> (the same one the worker service calls) → its CellAggregated to consolidation; the message is
/// acknowledged only after the result is sent. Idempotent on redelivery: a cell the run ledger already records as
/// succeeded is acknowledged without being aggregated or written again (and a cell processed twice writes the same
/// bytes anyway). A failure that retrying cannot mend (<see cref="CellFailedException.Permanent"/>), or any failure on
/// the message's last receive (<see cref="MaxReceives"/>, the queue's redrive maxReceiveCount), sends the cell's
/// Fault&lt;AggregateCell&gt; to consolidation, then fails the record, so the message ends in the dead-letter queue.
/// After every cell the worker's granules and caches are released: a warm container keeps nothing from one cell to the next.
/// </summary>
public sealed class AggregateCellHandler(CellWorker worker, ICellResultSender results, int maxReceives, TextWriter log) : ISqsRecordHandler
{
    /// <summary>The queue's redrive maxReceiveCount: the receive after which the message goes to the dead-letter queue.</summary>
    public int MaxReceives { get; } = maxReceives;

    /// <exception cref="CellFailedException">The cell failed (the message stays on the queue).</exception>
    /// <exception cref="SqsEnvelopeException">The body is not an envelope holding an AggregateCell.</exception>
    public async Task HandleAsync(SqsMessage message, CancellationToken ct)
    {
        var envelope = SqsEnvelope.Parse(message.Body);
        if (envelope.Open() is not AggregateCell cell)
            throw new SqsEnvelopeException($"message {envelope.MessageId}: {envelope.MessageType} is not an AggregateCell");
        int receive = message.ReceiveCount;
        ActivityContext.TryParse(envelope.TraceParent, envelope.TraceState, isRemote: true, out var parent);
        using var activity = LambdaLoop.Source.StartActivity("zagg.lambda.cell", ActivityKind.Consumer, parent);
        activity?.SetTag("zagg.catalog_index", cell.CatalogIndex).SetTag("messaging.message.id", message.MessageId).SetTag("zagg.receive", receive);
        try
        {
            if (receive > 1 && await CellWorker.IsRecordedAsync(cell, ct).ConfigureAwait(false))
            {
                log.WriteLine($"zagg-lambda: cell {cell.CatalogIndex} of run {cell.RunId:N} is already done (receive {receive}): acknowledged");
                return;
            }
            CellAggregated result;
            try
            {
                result = await worker.ProcessAsync(cell, redelivered: receive > 1, ct).ConfigureAwait(false);
            }
            catch (CellFailedException e) when (e.Permanent || receive >= MaxReceives)
            {
                activity?.SetStatus(ActivityStatusCode.Error, e.Message);
                await results.SendFailedAsync(cell, envelope, e, receive, ct).ConfigureAwait(false);
                throw;
            }
            await results.SendAggregatedAsync(result, envelope, ct).ConfigureAwait(false);
        }
        finally
        {
            await worker.RetireRunsAsync().ConfigureAwait(false);
        }
    }
}
