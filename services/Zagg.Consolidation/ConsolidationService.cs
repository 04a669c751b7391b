using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Zagg.Contracts;
using Zagg.Runs;
using Zagg.ServiceDefaults.Messaging;

namespace Zagg.Consolidation;

/// <summary>
/// Tracks every cell of a run (CellsDispatched, CellAggregated, CellFailed) in the run's ledger in
/// the store; when every planned cell has a result, consolidates the store, writes the run report
/// and publishes RunCompleted. A cell reported twice is counted once; a restart loses nothing.
/// </summary>
public sealed class RunTracker(RunConsolidator consolidator, ILogger<RunTracker> log) :
    IConsumer<CellsDispatched>, IConsumer<CellAggregated>, IConsumer<CellFailed>
{
    public Task Consume(ConsumeContext<CellsDispatched> context)
    {
        ContractVersion.Check(context.Message.Version, nameof(CellsDispatched));
        return consolidator.DispatchedAsync(context.Message, c => Completed(context, c), context.CancellationToken);
    }

    public Task Consume(ConsumeContext<CellAggregated> context)
    {
        var m = context.Message;
        ContractVersion.Check(m.Version, nameof(CellAggregated));
        return consolidator.CellAsync(m.RunId, m.Store, CellRecord.From(m), c => Completed(context, c), context.CancellationToken);
    }

    public Task Consume(ConsumeContext<CellFailed> context)
    {
        var m = context.Message;
        ContractVersion.Check(m.Version, nameof(CellFailed));
        return consolidator.CellAsync(m.RunId, m.Store, CellRecord.From(m), c => Completed(context, c), context.CancellationToken);
    }

    private Task Completed(ConsumeContext context, RunCompleted completed)
    {
        log.LogInformation("Run {RunId} complete: {Summary}; report {Report}", completed.RunId, completed.Summary, completed.Report);
        return context.Publish(completed, context.CancellationToken);
    }
}

public sealed class RunTrackerDefinition(MessagingOptions options)
    : ZaggConsumerDefinition<RunTracker>(options, Queues.Consolidation, [typeof(ContractVersionException)]);

public static class ConsolidationService
{
    public const string Name = "Zagg.Consolidation";

    public static void AddConsolidationService(this IBusRegistrationConfigurator x)
    {
        x.AddSingleton<RunConsolidator>();
        x.AddConsumer<RunTracker, RunTrackerDefinition>();
    }
}
