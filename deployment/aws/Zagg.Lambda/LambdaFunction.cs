using Amazon;
using Amazon.SQS;
using Zagg.Contracts;
using Zagg.Lambda.Handlers;
using Zagg.Lambda.Runtime;
using Zagg.Lambda.Sqs;
using Zagg.Runs;

namespace Zagg.Lambda;

/// <summary>The function's composition: settings → the role's record handler inside the SQS batch handler.</summary>
public static class LambdaFunction
{
    /// <summary>The handler for <paramref name="settings"/>' role.</summary>
    public static ILambdaHandler Create(LambdaSettings settings, TextWriter log)
    {
        var config = new AmazonSQSConfig();
        if (settings.SqsEndpoint is not null) config.ServiceURL = settings.SqsEndpoint;
        else if (settings.Region is not null) config.RegionEndpoint = RegionEndpoint.GetBySystemName(settings.Region);
        var sqs = new AmazonSQSClient(config);
        var worker = new CellWorker();
        var cells = new AggregateCellHandler(worker, m => ContractJson.Deserialize<AggregateCell>(m.Body),
            new SqsCellResultSender(sqs, settings.ResultQueueUrl), settings.MaxReceives, log);
        return new Owned(new SqsBatchHandler(cells, log), worker, sqs);
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
