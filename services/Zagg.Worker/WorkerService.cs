using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Zagg.Contracts;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Zagg.Messaging;
using Zagg.Messaging.Sqs;
using Zagg.Pipeline;
using Zagg.Runs;

namespace Zagg.Worker;

/// <summary>
/// AggregateCell → the run library's <see cref="CellWorker"/> aggregates the cell and writes its chunk → CellAggregated;
/// a redelivered cell the run ledger records as aggregated is acknowledged without being done again (<see cref="CellWorker.IsRecordedAsync"/>).
/// A failure is retried with backoff (not when <see cref="FailurePolicy"/> calls it permanent); after the last attempt
/// MassTransit publishes <c>Fault&lt;AggregateCell&gt;</c> (consolidation reports the cell failed) and moves the message to
/// zagg-worker_error.
/// </summary>
public sealed class AggregateCellConsumer(CellWorker worker) : IConsumer<AggregateCell>
{
    public async Task Consume(ConsumeContext<AggregateCell> context)
    {
        // Aggregating a cell of local granules runs without yielding; the transport delivers the next
        // message only when Consume returns its task, so leave its thread first (else cells run one by one).
        await Task.Yield();
        int attempt = context.GetRetryAttempt();
        if (context.SentTime is DateTime sent && attempt == 0)
            PipelineTelemetry.QueueLatency.Record(Math.Max(0, (DateTime.UtcNow - sent).TotalSeconds));
        bool again = context.ReceiveContext.Redelivered || attempt > 0;
        // A cell the ledger records as aggregated (its worker killed before acknowledging): acknowledged, not done again.
        if (again && await CellWorker.IsRecordedAsync(context.Message, context.CancellationToken).ConfigureAwait(false)) return;
        var result = await worker.ProcessAsync(context.Message, again, context.CancellationToken).ConfigureAwait(false);
        await context.Publish(result, context.CancellationToken).ConfigureAwait(false);
    }
}

/// <summary>
/// The same step on SQS (and the Lambda's): AggregateCell → <see cref="CellWorker.ProcessAsync"/> → CellAggregated; a
/// redelivered message (a worker died holding it, or an attempt failed) is processed as MassTransit's retry is, unless the
/// run ledger records its cell as aggregated (<see cref="CellWorker.IsRecordedAsync"/>).
/// </summary>
public sealed class AggregateCellHandler(CellWorker worker) : ISqsHandler<AggregateCell>
{
    public async Task HandleAsync(AggregateCell message, SqsHandlerContext context)
    {
        if (!context.Redelivered && context.SentTime != default)
            PipelineTelemetry.QueueLatency.Record(Math.Max(0, (DateTime.UtcNow - context.SentTime).TotalSeconds));
        if (context.Redelivered && await CellWorker.IsRecordedAsync(message, context.CancellationToken).ConfigureAwait(false)) return;
        var result = await worker.ProcessAsync(message, context.Redelivered, context.CancellationToken).ConfigureAwait(false);
        context.Publish(result);
    }
}

/// <summary>
/// The worker's endpoint: queue zagg-worker, Zagg's retry policy and contract filter, and as many cells at once (and
/// prefetched) as <see cref="MessagingOptions.WorkerConcurrency"/>: if the worker dies, little waits for redelivery.
/// </summary>
public sealed class AggregateCellConsumerDefinition : ZaggConsumerDefinition<AggregateCellConsumer>
{
    public AggregateCellConsumerDefinition(MessagingOptions options) : base(options, Queues.Worker, FailurePolicy.IsPermanent) =>
        ConcurrentMessageLimit = options.WorkerConcurrency;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<AggregateCellConsumer> consumer, IRegistrationContext context)
    {
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

    /// <summary>
    /// For a host that runs this worker in its own process and knows a run's plan before the run's first AggregateCell
    /// arrives (zagg run's in-memory transport): the worker's <see cref="CellWorker.LocateAheadAsync"/>, which opens and
    /// locates the local granules of the run's cells, beginning with those it will be sent first. A hint: the cells still come through the bus and
    /// report what they meet, a failed granule included.
    /// </summary>
    /// <param name="services">The host's services (after <see cref="AddWorkerService"/>).</param>
    /// <param name="runId">The run.</param>
    /// <param name="config">The run's config reference, as its messages carry it.</param>
    /// <param name="parentOrder">The catalog's parent order, as its messages carry it.</param>
    /// <param name="cells">Each cell's resolved granule locations, in the order the dispatcher sends the cells.</param>
    /// <param name="cellsAtOnce">The cells the worker takes at once (<see cref="MessagingOptions.WorkerConcurrency"/>).</param>
    /// <param name="ct">Stops the hint before its next granule.</param>
    /// <returns>The granules located.</returns>
    /// <exception cref="InvalidOperationException">The services hold no worker.</exception>
    public static Task<int> LocateAheadAsync(IServiceProvider services, Guid runId, ConfigReference config, int parentOrder,
        IReadOnlyList<IReadOnlyList<string>> cells, int cellsAtOnce, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.GetRequiredService<CellWorker>().LocateAheadAsync(runId, config, parentOrder, cells, cellsAtOnce, ct);
    }

    /// <summary>The service on SQS: AggregateCell from queue zagg-worker, <see cref="MessagingOptions.WorkerConcurrency"/> cells at once.</summary>
    public static void AddWorkerHandlers(this SqsHandlerRegistry x)
    {
        x.Services.TryAddSingleton<CellWorker>();
        x.Handle<AggregateCell, AggregateCellHandler>(Queues.Worker, FailurePolicy.IsPermanent, x.Options.WorkerConcurrency);
    }
}
