using MassTransit;
using Microsoft.Extensions.Logging;
using Zagg.Contracts;
using Zagg.Runs;
using Zagg.ServiceDefaults.Messaging;
using Zagg.Zarr;
using Zagg.Pipeline.Output;
using Zagg.Zarr.Stores;

namespace Zagg.Template;

/// <summary>CatalogReady → the store's hierarchy and array metadata → TemplateReady. Idempotent per run: a redelivered CatalogReady never clears cells already written.</summary>
public sealed class CatalogReadyConsumer(MessagingOptions options, ILogger<CatalogReadyConsumer> log) : IConsumer<CatalogReady>
{
    public static readonly Type[] Permanent = [.. RunFailures.Permanent, typeof(ZarrException)];

    public async Task Consume(ConsumeContext<CatalogReady> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        try
        {
            ContractVersion.Check(m.Version, nameof(CatalogReady));
            var config = ConfigReferences.Load(m.Spec.Config);
            var store = ZarrStores.Open(m.Spec.Store);
            var ledger = new RunLedger(store, m.RunId);
            if (!await ledger.HasTemplateAsync(ct).ConfigureAwait(false))
            {
                await DggsStore.CreateAsync(store, config.ToTemplate(m.ParentOrder, m.CatalogCells), m.Spec.Selection.Overwrite, ct).ConfigureAwait(false);
                await ledger.MarkTemplateAsync(ct).ConfigureAwait(false);
                log.LogInformation("Run {RunId}: template written to {Store}", m.RunId, store.Name);
            }
            await context.Publish(new TemplateReady
            {
                RunId = m.RunId, Spec = m.Spec, ParentOrder = m.ParentOrder, ChildOrder = config.Grid.ChildOrder, CatalogCells = m.CatalogCells,
            }, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (Attempts.IsFinal(context, options, e, Permanent))
        {
            log.LogError("Run {RunId}: the template step failed: {Reason}", m.RunId, e.Message);
            await context.Publish(RunFailures.Completed(m.RunId, m.Spec, "template", e), ct).ConfigureAwait(false);
        }
    }
}

public sealed class CatalogReadyConsumerDefinition(MessagingOptions options)
    : ZaggConsumerDefinition<CatalogReadyConsumer>(options, Queues.Template, CatalogReadyConsumer.Permanent);

public static class TemplateService
{
    public const string Name = "Zagg.Template";

    public static void AddTemplateService(this IBusRegistrationConfigurator x) => x.AddConsumer<CatalogReadyConsumer, CatalogReadyConsumerDefinition>();
}
