using MassTransit;
using Microsoft.Extensions.Logging;
using Zagg.Contracts;
using Zagg.Runs;
using Zagg.ServiceDefaults.Messaging;

namespace Zagg.Catalog;

/// <summary>RunRequested → reads and checks the catalog against the config → CatalogReady (or RunCompleted with the reason).</summary>
public sealed class RunRequestedConsumer(MessagingOptions options, ILogger<RunRequestedConsumer> log) : IConsumer<RunRequested>
{
    public async Task Consume(ConsumeContext<RunRequested> context)
    {
        var m = context.Message;
        try
        {
            ContractVersion.Check(m.Version, nameof(RunRequested));
            var config = ConfigReferences.Load(m.Spec.Config);
            var catalog = await RunPlanner.LoadCatalogAsync(m.Spec.Catalog, context.CancellationToken).ConfigureAwait(false);
            var ready = RunPlanner.CatalogReady(m.RunId, m.Spec, config, catalog);
            log.LogInformation("Run {RunId}: catalog {Catalog} has {Cells} cells of order {Order}", m.RunId, m.Spec.Catalog, ready.CatalogCells, ready.ParentOrder);
            await context.Publish(ready, context.CancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Attempts.IsFinal(context, options, e, RunFailures.Permanent))
        {
            log.LogError("Run {RunId}: the catalog step failed: {Reason}", m.RunId, e.Message);
            await context.Publish(RunFailures.Completed(m.RunId, m.Spec, "catalog", e), context.CancellationToken).ConfigureAwait(false);
        }
    }
}

public sealed class RunRequestedConsumerDefinition(MessagingOptions options)
    : ZaggConsumerDefinition<RunRequestedConsumer>(options, Queues.Catalog, RunFailures.Permanent);

public static class CatalogService
{
    public const string Name = "Zagg.Catalog";

    public static void AddCatalogService(this IBusRegistrationConfigurator x) => x.AddConsumer<RunRequestedConsumer, RunRequestedConsumerDefinition>();
}
