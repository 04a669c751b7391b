using Zagg.Contracts;
using Zagg.Lambda.Sqs;
using Zagg.Runs;
using Zagg.Zarr.Stores;

namespace Zagg.Lambda.Handlers;

/// <summary>
/// The worker role: one SQS message = one AggregateCell → the run library's <see cref="CellWorker"/> (the same one the
/// worker service calls) → its CellAggregated to consolidation; the message is acknowledged only after the result is
/// sent. Idempotent on redelivery: a cell the run ledger already records as succeeded is acknowledged without being
/// aggregated or written again (and a cell processed twice writes the same bytes anyway). A failure that retrying cannot
/// mend, or the message's last receive (<see cref="MaxReceives"/>, the queue's redrive maxReceiveCount), sends the
/// cell's failure to consolidation, then fails the record, so the message ends in the dead-letter queue. After every
/// cell the worker's granules and caches are released: a warm container holds nothing from one cell to the next.
/// </summary>
public sealed class AggregateCellHandler(CellWorker worker, Func<SqsMessage, AggregateCell> read, ICellResultSender results, int maxReceives, TextWriter log) : ISqsRecordHandler
{
    /// <summary>The queue's redrive maxReceiveCount: the receive after which the message goes to the dead-letter queue.</summary>
    public int MaxReceives { get; } = maxReceives;

    /// <exception cref="CellFailedException">The cell failed (the message stays on the queue).</exception>
    /// <exception cref="System.Text.Json.JsonException">The body is not an AggregateCell.</exception>
    public async Task HandleAsync(SqsMessage message, CancellationToken ct)
    {
        var cell = read(message);
        int receive = message.ReceiveCount;
        try
        {
            if (receive > 1 && await new RunLedger(ZarrStores.Open(cell.Store), cell.RunId).ReadCellAsync(cell.CatalogIndex, ct).ConfigureAwait(false) is { Succeeded: true })
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
                await results.SendFailedAsync(cell, e.Message, receive, ct).ConfigureAwait(false);
                throw;
            }
            await results.SendAggregatedAsync(result, ct).ConfigureAwait(false);
        }
        finally
        {
            await worker.RetireRunsAsync().ConfigureAwait(false);
        }
    }
}
