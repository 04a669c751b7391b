using MassTransit;
using Microsoft.Extensions.Logging;
using Zagg.Contracts;
using Zagg.Messaging;
using Zagg.Messaging.Sqs;
using Zagg.Runs;

namespace Zagg.Template;

/// <summary>
/// CatalogReady → the run library writes the store's hierarchy and array metadata (once per run) → TemplateReady. A
/// failure that outlasts the retries (or is permanent: an existing store without overwrite) faults; consolidation ends
/// the run with its reason.
/// </summary>
public sealed class CatalogReadyConsumer(ILogger<CatalogReadyConsumer> log) : IConsumer<CatalogReady>
{
    public async Task Consume(ConsumeContext<CatalogReady> context)
    {
        var (ready, written) = await RunPlanner.WriteTemplateAsync(context.Message, context.CancellationToken).ConfigureAwait(false);
        if (written) log.LogInformation("Run {RunId}: template written to {Store}", ready.RunId, ready.Spec.Store);
        await context.Publish(ready, context.CancellationToken).ConfigureAwait(false);
    }
}

/// <summary>The same step on SQS: CatalogReady → <see cref="RunPlanner.WriteTemplateAsync"/> → TemplateReady.</summary>
public sealed class CatalogReadyHandler(ILogger<CatalogReadyConsumer> log) : ISqsHandler<CatalogReady>
{
    public async Task HandleAsync(CatalogReady message, SqsHandlerContext context)
    {
        var (ready, written) = await RunPlanner.WriteTemplateAsync(message, context.CancellationToken).ConfigureAwait(false);
        if (written) log.LogInformation("Run {RunId}: template written to {Store}", ready.RunId, ready.Spec.Store);
        context.Publish(ready);
    }
}

/// <summary>The template service's endpoint: queue zagg-template, Zagg's retry policy and contract filter.</summary>
public sealed class CatalogReadyConsumerDefinition(MessagingOptions options)
    : ZaggConsumerDefinition<CatalogReadyConsumer>(options, Queues.Template, FailurePolicy.IsPermanent);

public static class TemplateService
{
    public const string Name = "Zagg.Template";

    public static void AddTemplateService(this IBusRegistrationConfigurator x) => x.AddConsumer<CatalogReadyConsumer, CatalogReadyConsumerDefinition>();

    /// <summary>The service on SQS: CatalogReady from queue zagg-template.</summary>
    public static void AddTemplateHandlers(this SqsHandlerRegistry x) => x.Handle<CatalogReady, CatalogReadyHandler>(Queues.Template, FailurePolicy.IsPermanent);
}
