using Amazon.SQS;
using Zagg.Lambda.Handlers;
using Zagg.Lambda.Runtime;
using Zagg.Lambda.Sqs;
using Zagg.Messaging;
using Zagg.Messaging.Sqs;
using Zagg.Runs;

namespace Zagg.Lambda;

/// <summary>The function's composition: settings → the role's record handler inside the SQS batch handler.</summary>
public static class LambdaFunction
{
    /// <summary>The handler for <paramref name="settings"/>' role; checks that the deployment's consolidation queue exists.</summary>
    /// <exception cref="LambdaSettingsException">The consolidation queue cannot be found.</exception>
    public static async Task<ILambdaHandler> CreateAsync(LambdaSettings settings, TextWriter log, CancellationToken ct)
    {
        Uri? endpoint = null;
        if (settings.SqsEndpoint is not null && (!Uri.TryCreate(settings.SqsEndpoint, UriKind.Absolute, out endpoint) || endpoint.Scheme is not ("http" or "https")))
            throw new LambdaSettingsException($"AWS_ENDPOINT_URL_SQS must be an http:// or https:// URL, not '{MessagingOptions.Redact(settings.SqsEndpoint)}'");
        var messaging = new MessagingOptions
        {
            Transport = "sqs",
            SqsPrefix = settings.SqsPrefix,
            SqsEndpoint = endpoint,
            SqsRegion = settings.Region,
        };
        var sqs = SqsBus.CreateClient(messaging);
        var names = new SqsQueueNames(settings.SqsPrefix);
        var sender = new SqsCellResultSender(new SqsSender(new SqsQueueDirectory(sqs, names, settings.MaxReceives, messaging.SqsVisibilityTimeout)));
        string? consolidation;
        try { consolidation = await sender.ConsolidationQueueUrlAsync(ct).ConfigureAwait(false); }
        catch (AmazonSQSException e)
        {
            sqs.Dispose();
            throw new LambdaSettingsException($"the consolidation queue {names.Of(Messaging.Queues.Consolidation)} cannot be found ({e.ErrorCode}): check ZAGG_SQS_PREFIX and the deployment");
        }
        if (consolidation is null)
        {
            sqs.Dispose();
            throw new LambdaSettingsException($"the consolidation queue {names.Of(Messaging.Queues.Consolidation)} does not exist: check ZAGG_SQS_PREFIX and the deployment");
        }
        var worker = new CellWorker();
        return new Owned(new SqsBatchHandler(new AggregateCellHandler(worker, sender, settings.MaxReceives, log), log), worker, sqs);
    }

    /// <summary>The handler with what it owns, disposed when the loop ends.</summary>
    private sealed class Owned(ILambdaHandler inner, CellWorker worker, IDisposable sqs) : ILambdaHandler, IAsyncDisposable
    {
        public Task<byte[]> HandleAsync(LambdaInvocation invocation, CancellationToken ct) => inner.HandleAsync(invocation, ct);

        public async ValueTask DisposeAsync()
        {
            await worker.DisposeAsync().ConfigureAwait(false);
            sqs.Dispose();
        }
    }
}
