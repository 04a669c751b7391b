using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.SQS;
using Amazon.SQS.Model;

namespace Zagg.TestSupport.Lambda;

/// <summary>
/// Lambda's SQS event source mapping over a real SQS API (fauxqs on loopback): long-polls the queue for up to
/// <paramref name="batchSize"/> messages, builds the SQS event JSON (AWS Lambda Developer Guide, "Using Lambda with
/// Amazon SQS": Records[].messageId, receiptHandle, body, attributes, messageAttributes, md5OfBody, eventSource,
/// eventSourceARN, awsRegion) and, after a response, deletes the messages the partial batch response does not name.
/// Messages left behind reappear after the queue's visibility timeout and move to its dead-letter queue by its redrive
/// policy: the queue's own rules, not this class's.
/// </summary>
public sealed class SqsEventSource(IAmazonSQS sqs, string queueUrl, int batchSize = 10) : ILambdaEventSource
{
    private const string Region = "us-east-1";
    private readonly string _arn = $"arn:aws:sqs:{Region}:000000000000:{queueUrl[(queueUrl.LastIndexOf('/') + 1)..]}";

    public async Task<LambdaEventBatch> ReceiveAsync(CancellationToken ct)
    {
        while (true)
        {
            var response = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest
            {
                QueueUrl = queueUrl,
                MaxNumberOfMessages = batchSize,
                WaitTimeSeconds = 1,
                MessageSystemAttributeNames = ["All"],
                MessageAttributeNames = ["All"],
            }, ct);
            if (response.Messages is { Count: > 0 } messages) return Batch(messages);
        }
    }

    private LambdaEventBatch Batch(List<Message> messages)
    {
        var records = new JsonArray();
        var receipts = new Dictionary<string, string>();
        foreach (var m in messages)
        {
            receipts[m.MessageId] = m.ReceiptHandle;
            var attributes = new JsonObject();
            foreach (var (k, v) in m.Attributes ?? []) attributes[k] = v;
            var messageAttributes = new JsonObject();
            foreach (var (k, v) in m.MessageAttributes ?? [])
                messageAttributes[k] = new JsonObject
                {
                    ["stringValue"] = v.StringValue,
                    ["stringListValues"] = new JsonArray(),
                    ["binaryListValues"] = new JsonArray(),
                    ["dataType"] = v.DataType,
                };
            records.Add(new JsonObject
            {
                ["messageId"] = m.MessageId,
                ["receiptHandle"] = m.ReceiptHandle,
                ["body"] = m.Body,
                ["attributes"] = attributes,
                ["messageAttributes"] = messageAttributes,
                ["md5OfBody"] = m.MD5OfBody,
                ["eventSource"] = "aws:sqs",
                ["eventSourceARN"] = _arn,
                ["awsRegion"] = Region,
            });
        }
        return new LambdaEventBatch(JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["Records"] = records }), receipts);
    }

    public async Task CompleteAsync(LambdaEventBatch batch, IReadOnlySet<string> failed, CancellationToken ct)
    {
        var entries = new List<DeleteMessageBatchRequestEntry>();
        foreach (var (id, receipt) in batch.Receipts)
            if (!failed.Contains(id)) entries.Add(new DeleteMessageBatchRequestEntry { Id = $"m{entries.Count}", ReceiptHandle = receipt });
        for (int i = 0; i < entries.Count; i += 10)
            await sqs.DeleteMessageBatchAsync(new DeleteMessageBatchRequest { QueueUrl = queueUrl, Entries = entries.GetRange(i, Math.Min(10, entries.Count - i)) }, ct);
    }

    public Task AbandonAsync(LambdaEventBatch batch, CancellationToken ct) => Task.CompletedTask;
}
