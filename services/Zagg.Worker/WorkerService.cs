using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Zagg.Contracts;
using Zagg.Pipeline;
using Zagg.Runs;
using Zagg.ServiceDefaults.Messaging;

namespace Zagg.Worker;

/// <summary>
/// AggregateCell → the pipeline library aggregates the cell and writes its chunk → CellAggregated.
/// Failures are retried with backoff; after the last attempt the worker publishes CellFailed and the
/// message goes to the error queue (zagg-worker_error).
/// </summary>
public sealed class AggregateCellConsumer(CellWorker worker, MessagingOptions options, ILogger<AggregateCellConsumer> log) : IConsumer<AggregateCell>
{
    public static readonly Type[] Permanent = [typeof(Zagg.Pipeline.Config.ConfigException), typeof(ContractVersionException)];

    public async Task Consume(ConsumeContext<AggregateCell> context)
    {
        // Aggregating a cell of local granules runs without yielding; the transport delivers the next
        // message only when Consume returns its task, so leave its thread first (else cells run one by one).
        await Task.Yield();
        var m = context.Message;
        if (context.SentTime is DateTime sent && context.GetRetryAttempt() == 0)
            PipelineTelemetry.QueueLatency.Record(Math.Max(0, (DateTime.UtcNow - sent).TotalSeconds));
        try
        {
            ContractVersion.Check(m.Version, nameof(AggregateCell));
            bool again = context.ReceiveContext.Redelivered || context.GetRetryAttempt() > 0;
            var result = await worker.ProcessAsync(m, again, context.CancellationToken).ConfigureAwait(false);
            await context.Publish(result, context.CancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Attempts.IsFinal(context, options, e, Permanent))
        {
            int attempts = Attempts.Of(context);
            log.LogError("Run {RunId}: cell {Cell} failed after {Attempts} attempt(s): {Reason}", m.RunId, m.ParentMorton, attempts, e.Message);
            PipelineTelemetry.Cells.Add(1, new KeyValuePair<string, object?>("outcome", "failed"));
            await context.Publish(new CellFailed
            {
                RunId = m.RunId, ChunkIndex = m.ChunkIndex, ParentMorton = m.ParentMorton, Error = e.Message, Attempts = attempts,
                GranuleCount = m.Granules.Count, Worker = CellWorker.Identity, Store = m.Store,
            }, context.CancellationToken).ConfigureAwait(false);
            throw; // to the error queue, for an operator to look at or move back
        }
        catch (CellFailedException e)
        {
            log.LogWarning("Run {RunId}: cell {Cell} attempt {Attempt} failed, will retry: {Reason}", m.RunId, m.ParentMorton, Attempts.Of(context), e.Message);
            throw;
        }
    }
}

public sealed class AggregateCellConsumerDefinition : ZaggConsumerDefinition<AggregateCellConsumer>
{
    public AggregateCellConsumerDefinition(MessagingOptions options) : base(options, Queues.Worker, AggregateCellConsumer.Permanent) =>
        ConcurrentMessageLimit = options.WorkerConcurrency;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<AggregateCellConsumer> consumer, IRegistrationContext context)
    {
        // A worker works on this many cells at once, and holds no more: if it dies, little waits for redelivery.
        endpoint.PrefetchCount = Options.WorkerConcurrency;
        endpoint.ConcurrentMessageLimit = Options.WorkerConcurrency;
        base.ConfigureConsumer(endpoint, consumer, context);
    }
}

public static class WorkerService
{
    public const string Name = "Zagg.Worker";

    public static void AddWorkerService(this IBusRegistrationConfigurator x)
    {
        x.AddSingleton<CellWorker>();
        x.AddConsumer<AggregateCellConsumer, AggregateCellConsumerDefinition>();
    }
}
