using Amazon.SQS;
using Amazon.SQS.Model;
using Zagg.Contracts;
using Zagg.Runs;

namespace Zagg.Lambda.Handlers;

/// <summary>
/// Sends a cell's outcome to the consolidation queue with AWSSDK.SQS: the contract's JSON (<see cref="ContractJson"/>)
/// as the body and its type in the <c>MessageType</c> attribute. A failure is a CellAggregated-shaped record with
/// <c>failed</c> set (the contracts have no CellFailed since version 2: MassTransit's Fault&lt;AggregateCell&gt; plays
/// that part on the broker). Interim wire form until the SQS transport's envelope (docs/messages.md) is merged.
/// </summary>
public sealed class SqsCellResultSender(IAmazonSQS sqs, string queueUrl) : ICellResultSender
{
    public Task SendAggregatedAsync(CellAggregated result, CancellationToken ct) =>
        SendAsync(nameof(CellAggregated), ContractJson.Serialize(result), ct);

    public Task SendFailedAsync(AggregateCell cell, string reason, int attempts, CancellationToken ct) =>
        SendAsync("CellFailed", ContractJson.Serialize(new CellRecord
        {
            CatalogIndex = cell.CatalogIndex,
            ParentMorton = cell.ParentMorton,
            Succeeded = false,
            Message = reason,
            Attempts = attempts,
            Worker = CellWorker.Identity,
        }), ct);

    private async Task SendAsync(string type, string body, CancellationToken ct)
    {
        var request = new SendMessageRequest
        {
            QueueUrl = queueUrl,
            MessageBody = body,
            MessageAttributes = new() { ["MessageType"] = new MessageAttributeValue { DataType = "String", StringValue = type } },
        };
        await sqs.SendMessageAsync(request, ct).ConfigureAwait(false);
    }
}
