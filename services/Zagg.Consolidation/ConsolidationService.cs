using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Zagg.Contracts;
using Zagg.Messaging;
using Zagg.Runs;

namespace Zagg.Consolidation;

/// <summary>
/// Tracks every cell of a run (CellsDispatched, CellAggregated, and Fault&lt;AggregateCell&gt; for a cell whose last
/// attempt failed) in the run's ledger in the store; when every planned cell has a record, the run library consolidates
/// the store and writes the run report, and this publishes RunCompleted. A cell reported twice is counted once; a
/// restart loses nothing. Also ends a run whose catalog, template or dispatch step gave up (its message faulted after
/// the retries, or at once for a permanent failure): RunCompleted with "step: reason", written once here.
/// </summary>
public sealed class RunTracker(RunConsolidator consolidator, ILogger<RunTracker> log) :
    IConsumer<CellsDispatched>, IConsumer<CellAggregated>, IConsumer<Fault<AggregateCell>>,
    IConsumer<Fault<RunRequested>>, IConsumer<Fault<CatalogReady>>, IConsumer<Fault<TemplateReady>>
{
    public Task Consume(ConsumeContext<CellsDispatched> context) =>
        consolidator.DispatchedAsync(context.Message, c => Completed(context, c), context.CancellationToken);

    public Task Consume(ConsumeContext<CellAggregated> context)
    {
        var m = context.Message;
        return consolidator.CellAsync(m.RunId, m.Store, CellRecord.From(m), c => Completed(context, c), context.CancellationToken);
    }

    public Task Consume(ConsumeContext<Fault<AggregateCell>> context)
    {
        var fault = context.Message;
        var m = fault.Message;
        var record = CellRecord.Failed(m, Faults.Reason(fault), Faults.Attempts(fault), Faults.Host(fault));
        log.LogError("Run {RunId}: cell {Cell} {Reason}", m.RunId, m.ParentMorton, record.Reason);
        return consolidator.CellAsync(m.RunId, m.Store, record, c => Completed(context, c), context.CancellationToken);
    }

    public Task Consume(ConsumeContext<Fault<RunRequested>> context) =>
        Stop(context, context.Message, context.Message.Message.RunId, context.Message.Message.Spec, RunPlanner.CatalogStep);

    public Task Consume(ConsumeContext<Fault<CatalogReady>> context) =>
        Stop(context, context.Message, context.Message.Message.RunId, context.Message.Message.Spec, RunPlanner.TemplateStep);

    public Task Consume(ConsumeContext<Fault<TemplateReady>> context) =>
        Stop(context, context.Message, context.Message.Message.RunId, context.Message.Message.Spec, RunPlanner.DispatchStep);

    private Task Stop(ConsumeContext context, Fault fault, Guid runId, RunSpec spec, string step)
    {
        var stopped = RunCompleted.Stopped(runId, spec, step, Faults.Reason(fault));
        log.LogError("Run {RunId}: {Error}", runId, stopped.Error);
        return context.Publish(stopped, context.CancellationToken);
    }

    private Task Completed(ConsumeContext context, RunCompleted completed)
    {
        log.LogInformation("Run {RunId} complete: {Summary}; report {Report}", completed.RunId, completed.Summary, completed.Report);
        return context.Publish(completed, context.CancellationToken);
    }
}

/// <summary>Consolidation's endpoint: queue zagg-consolidation, Zagg's retry policy and contract filter.</summary>
public sealed class RunTrackerDefinition(MessagingOptions options)
    : ZaggConsumerDefinition<RunTracker>(options, Queues.Consolidation, FailurePolicy.IsPermanent);

public static class ConsolidationService
{
    public const string Name = "Zagg.Consolidation";

    public static void AddConsolidationService(this IBusRegistrationConfigurator x)
    {
        x.AddSingleton<RunConsolidator>();
        x.AddConsumer<RunTracker, RunTrackerDefinition>();
    }
}
