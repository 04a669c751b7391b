using MassTransit;
using Microsoft.Extensions.Logging;
using Zagg.Contracts;
using Zagg.Messaging;
using Zagg.Messaging.Sqs;
using Zagg.Runs;

namespace Zagg.Catalog;

/// <summary>
/// RunRequested → the run library checks the catalog against the config → CatalogReady. A failure that outlasts the
/// retries (or is permanent: a wrong config, catalog or selection) faults; consolidation ends the run with its reason.
/// </summary>
public sealed class RunRequestedConsumer(ILogger<RunRequestedConsumer> log) : IConsumer<RunRequested>
{
    public async Task Consume(ConsumeContext<RunRequested> context)
    {
        var ready = await RunPlanner.CheckCatalogAsync(context.Message, line => log.LogInformation("Run {RunId}: {Wait}", context.Message.RunId, line), context.CancellationToken).ConfigureAwait(false);
        log.LogInformation("Run {RunId}: catalog {Catalog} has {Cells} cells of order {Order}", ready.RunId, ready.Spec.Catalog, ready.CatalogCells, ready.ParentOrder);
        await context.Publish(ready, context.CancellationToken).ConfigureAwait(false);
    }
}

/// <summary>The same step on SQS: RunRequested → <see cref="RunPlanner.CheckCatalogAsync"/> → CatalogReady.</summary>
public sealed class RunRequestedHandler(ILogger<RunRequestedConsumer> log) : ISqsHandler<RunRequested>
{
    public async Task HandleAsync(RunRequested message, SqsHandlerContext context)
    {
        var ready = await RunPlanner.CheckCatalogAsync(message, line => log.LogInformation("Run {RunId}: {Wait}", message.RunId, line), context.CancellationToken).ConfigureAwait(false);
        log.LogInformation("Run {RunId}: catalog {Catalog} has {Cells} cells of order {Order}", ready.RunId, ready.Spec.Catalog, ready.CatalogCells, ready.ParentOrder);
        context.Publish(ready);
    }
}

/// <summary>The catalog service's endpoint: queue zagg-catalog, Zagg's retry policy and contract filter.</summary>
public sealed class RunRequestedConsumerDefinition(MessagingOptions options)
    : ZaggConsumerDefinition<RunRequestedConsumer>(options, Queues.Catalog, FailurePolicy.IsPermanent);

public static class CatalogService
{
    public const string Name = "Zagg.Catalog";

    public static void AddCatalogService(this IBusRegistrationConfigurator x) => x.AddConsumer<RunRequestedConsumer, RunRequestedConsumerDefinition>();

    /// <summary>The service on SQS: RunRequested from queue zagg-catalog.</summary>
    public static void AddCatalogHandlers(this SqsHandlerRegistry x) => x.Handle<RunRequested, RunRequestedHandler>(Queues.Catalog, FailurePolicy.IsPermanent);
}
