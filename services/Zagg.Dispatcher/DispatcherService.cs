using MassTransit;
using Microsoft.Extensions.Logging;
using Zagg.Contracts;
using Zagg.Messaging;
using Zagg.Messaging.Sqs;
using Zagg.Runs;

namespace Zagg.Dispatcher;

/// <summary>
/// TemplateReady → the run library plans the run (its cells, honouring max-cells and morton-cell, largest first; the
/// plan written to the run's ledger) → CellsDispatched, then one AggregateCell per cell sent to the worker queue.
/// </summary>
public sealed class TemplateReadyConsumer(ILogger<TemplateReadyConsumer> log) : IConsumer<TemplateReady>
{
    public async Task Consume(ConsumeContext<TemplateReady> context)
    {
        var ct = context.CancellationToken;
        var dispatch = await RunPlanner.DispatchAsync(context.Message, ct).ConfigureAwait(false);
        await context.Publish(dispatch.Dispatched, ct).ConfigureAwait(false);
        var workers = await context.GetSendEndpoint(Queues.WorkerAddress).ConfigureAwait(false);
        foreach (var cell in dispatch.Cells)
            await workers.Send(cell, ct).ConfigureAwait(false);
        log.LogInformation("Run {RunId}: {Cells} cells dispatched to {Queue}", dispatch.Dispatched.RunId, dispatch.Cells.Count, Queues.Worker);
    }
}

/// <summary>
/// The same step on SQS: TemplateReady → <see cref="RunPlanner.DispatchAsync"/> → CellsDispatched and one AggregateCell
/// per cell to the worker queue (sent in batches of 10 after the handler returns).
/// </summary>
public sealed class TemplateReadyHandler(ILogger<TemplateReadyConsumer> log) : ISqsHandler<TemplateReady>
{
    public async Task HandleAsync(TemplateReady message, SqsHandlerContext context)
    {
        var dispatch = await RunPlanner.DispatchAsync(message, context.CancellationToken).ConfigureAwait(false);
        context.Publish(dispatch.Dispatched);
        foreach (var cell in dispatch.Cells) context.Publish(cell);
        log.LogInformation("Run {RunId}: {Cells} cells dispatched to {Queue}", dispatch.Dispatched.RunId, dispatch.Cells.Count, Queues.Worker);
    }
}

/// <summary>The dispatcher's endpoint: queue zagg-dispatcher, Zagg's retry policy and contract filter.</summary>
public sealed class TemplateReadyConsumerDefinition(MessagingOptions options)
    : ZaggConsumerDefinition<TemplateReadyConsumer>(options, Queues.Dispatcher, FailurePolicy.IsPermanent);

public static class DispatcherService
{
    public const string Name = "Zagg.Dispatcher";

    public static void AddDispatcherService(this IBusRegistrationConfigurator x) => x.AddConsumer<TemplateReadyConsumer, TemplateReadyConsumerDefinition>();

    /// <summary>The service on SQS: TemplateReady from queue zagg-dispatcher.</summary>
    public static void AddDispatcherHandlers(this SqsHandlerRegistry x) => x.Handle<TemplateReady, TemplateReadyHandler>(Queues.Dispatcher, FailurePolicy.IsPermanent);
}
