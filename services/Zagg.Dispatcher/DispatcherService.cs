using MassTransit;
using Microsoft.Extensions.Logging;
using Zagg.Contracts;
using Zagg.Runs;
using Zagg.ServiceDefaults.Messaging;
using Zagg.Zarr.Stores;

namespace Zagg.Dispatcher;

/// <summary>
/// TemplateReady → the run's plan (its cells, honouring max-cells and morton-cell, largest first)
/// written to the run's ledger → CellsDispatched → one AggregateCell per cell to the worker queue.
/// </summary>
public sealed class TemplateReadyConsumer(MessagingOptions options, ILogger<TemplateReadyConsumer> log) : IConsumer<TemplateReady>
{
    public async Task Consume(ConsumeContext<TemplateReady> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        try
        {
            ContractVersion.Check(m.Version, nameof(TemplateReady));
            var config = ConfigReferences.Load(m.Spec.Config);
            var catalog = await RunPlanner.LoadCatalogAsync(m.Spec.Catalog, ct).ConfigureAwait(false);
            var cells = RunPlanner.Select(catalog, m.Spec.Selection, config);
            var ledger = new RunLedger(ZarrStores.Open(m.Spec.Store), m.RunId);
            await ledger.WritePlanAsync(new RunPlan(cells, m.Spec.RequestedAt), ct).ConfigureAwait(false);
            await context.Publish(new CellsDispatched { RunId = m.RunId, Store = m.Spec.Store, Cells = cells.Count, RequestedAt = m.Spec.RequestedAt }, ct).ConfigureAwait(false);
            var workers = await context.GetSendEndpoint(Queues.WorkerAddress).ConfigureAwait(false);
            foreach (var cell in cells)
                await workers.Send(RunPlanner.Message(m.RunId, m.Spec, m, cell), ct).ConfigureAwait(false);
            log.LogInformation("Run {RunId}: {Cells} cells dispatched to {Queue}", m.RunId, cells.Count, Queues.Worker);
        }
        catch (Exception e) when (Attempts.IsFinal(context, options, e, RunFailures.Permanent))
        {
            log.LogError("Run {RunId}: the dispatch step failed: {Reason}", m.RunId, e.Message);
            await context.Publish(RunFailures.Completed(m.RunId, m.Spec, "dispatch", e), ct).ConfigureAwait(false);
        }
    }
}

public sealed class TemplateReadyConsumerDefinition(MessagingOptions options)
    : ZaggConsumerDefinition<TemplateReadyConsumer>(options, Queues.Dispatcher, RunFailures.Permanent);

public static class DispatcherService
{
    public const string Name = "Zagg.Dispatcher";

    public static void AddDispatcherService(this IBusRegistrationConfigurator x) => x.AddConsumer<TemplateReadyConsumer, TemplateReadyConsumerDefinition>();
}
