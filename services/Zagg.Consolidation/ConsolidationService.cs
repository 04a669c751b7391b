using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Zagg.Contracts;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Zagg.Messaging;
using Zagg.Messaging.Sqs;
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
        var m = context.Message.Message;
        return consolidator.CellAsync(m.RunId, m.Store, FailedCell(context.Message, log), c => Completed(context, c), context.CancellationToken);
    }

    public Task Consume(ConsumeContext<Fault<RunRequested>> context) =>
        context.Publish(Stopped(context.Message, context.Message.Message.RunId, context.Message.Message.Spec, RunPlanner.CatalogStep, log), context.CancellationToken);

    public Task Consume(ConsumeContext<Fault<CatalogReady>> context) =>
        context.Publish(Stopped(context.Message, context.Message.Message.RunId, context.Message.Message.Spec, RunPlanner.TemplateStep, log), context.CancellationToken);

    public Task Consume(ConsumeContext<Fault<TemplateReady>> context) =>
        context.Publish(Stopped(context.Message, context.Message.Message.RunId, context.Message.Message.Spec, RunPlanner.DispatchStep, log), context.CancellationToken);

    private Task Completed(ConsumeContext context, RunCompleted completed)
    {
        LogCompleted(log, completed);
        return context.Publish(completed, context.CancellationToken);
    }

    // What both transports' adapters do with a fault and a completed run: written once, here.

    /// <summary>The failed cell a <c>Fault&lt;AggregateCell&gt;</c> reports (logged).</summary>
    internal static CellRecord FailedCell(Fault<AggregateCell> fault, ILogger log)
    {
        var m = fault.Message;
        var record = CellRecord.Failed(m, Faults.Reason(fault), Faults.Attempts(fault), Faults.Host(fault));
        log.LogError("Run {RunId}: cell {Cell} {Reason}", m.RunId, m.ParentMorton, record.Reason);
        return record;
    }

    /// <summary>The RunCompleted of a run whose <paramref name="step"/> gave up (logged).</summary>
    internal static RunCompleted Stopped(Fault fault, Guid runId, RunSpec spec, string step, ILogger log)
    {
        var stopped = RunCompleted.Stopped(runId, spec, step, Faults.Reason(fault));
        log.LogError("Run {RunId}: {Error}", runId, stopped.Error);
        return stopped;
    }

    internal static void LogCompleted(ILogger log, RunCompleted completed) =>
        log.LogInformation("Run {RunId} complete: {Summary}; report {Report}", completed.RunId, completed.Summary, completed.Report);
}

/// <summary>The same tracking on SQS: the run library's <see cref="RunConsolidator"/> and <see cref="RunTracker"/>'s fault handling.</summary>
public sealed class RunTrackerHandler(RunConsolidator consolidator, ILogger<RunTracker> log) :
    ISqsHandler<CellsDispatched>, ISqsHandler<CellAggregated>, ISqsHandler<SqsFault<AggregateCell>>,
    ISqsHandler<SqsFault<RunRequested>>, ISqsHandler<SqsFault<CatalogReady>>, ISqsHandler<SqsFault<TemplateReady>>
{
    public Task HandleAsync(CellsDispatched message, SqsHandlerContext context) =>
        consolidator.DispatchedAsync(message, c => Completed(context, c), context.CancellationToken);

    public Task HandleAsync(CellAggregated message, SqsHandlerContext context) =>
        consolidator.CellAsync(message.RunId, message.Store, CellRecord.From(message), c => Completed(context, c), context.CancellationToken);

    public Task HandleAsync(SqsFault<AggregateCell> message, SqsHandlerContext context) =>
        consolidator.CellAsync(message.Message.RunId, message.Message.Store, RunTracker.FailedCell(message, log), c => Completed(context, c), context.CancellationToken);

    public Task HandleAsync(SqsFault<RunRequested> message, SqsHandlerContext context) =>
        Publish(context, RunTracker.Stopped(message, message.Message.RunId, message.Message.Spec, RunPlanner.CatalogStep, log));

    public Task HandleAsync(SqsFault<CatalogReady> message, SqsHandlerContext context) =>
        Publish(context, RunTracker.Stopped(message, message.Message.RunId, message.Message.Spec, RunPlanner.TemplateStep, log));

    public Task HandleAsync(SqsFault<TemplateReady> message, SqsHandlerContext context) =>
        Publish(context, RunTracker.Stopped(message, message.Message.RunId, message.Message.Spec, RunPlanner.DispatchStep, log));

    private static Task Publish(SqsHandlerContext context, RunCompleted completed)
    {
        context.Publish(completed);
        return Task.CompletedTask;
    }

    private Task Completed(SqsHandlerContext context, RunCompleted completed)
    {
        RunTracker.LogCompleted(log, completed);
        return Publish(context, completed);
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

    /// <summary>The service on SQS: the run's events and the steps' faults from queue zagg-consolidation.</summary>
    public static void AddConsolidationHandlers(this SqsHandlerRegistry x)
    {
        x.Services.TryAddSingleton<RunConsolidator>();
        x.Handle<CellsDispatched, RunTrackerHandler>(Queues.Consolidation, FailurePolicy.IsPermanent)
            .Handle<CellAggregated, RunTrackerHandler>(Queues.Consolidation, FailurePolicy.IsPermanent)
            .Handle<SqsFault<AggregateCell>, RunTrackerHandler>(Queues.Consolidation, FailurePolicy.IsPermanent)
            .Handle<SqsFault<RunRequested>, RunTrackerHandler>(Queues.Consolidation, FailurePolicy.IsPermanent)
            .Handle<SqsFault<CatalogReady>, RunTrackerHandler>(Queues.Consolidation, FailurePolicy.IsPermanent)
            .Handle<SqsFault<TemplateReady>, RunTrackerHandler>(Queues.Consolidation, FailurePolicy.IsPermanent);
    }
}
