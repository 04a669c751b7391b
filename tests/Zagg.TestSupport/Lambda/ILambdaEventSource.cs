namespace Zagg.TestSupport.Lambda;

/// <summary>One batch an event source hands to a function: the event JSON and the messages it holds (id → receipt handle).</summary>
public sealed record LambdaEventBatch(byte[] Event, IReadOnlyDictionary<string, string> Receipts);

/// <summary>
/// What <see cref="FakeLambdaRuntime"/> invokes the function with, and what it does with the outcome, the way Lambda's
/// event source mapping does: a response deletes the messages not listed in its batchItemFailures; an error, a timeout
/// or the process's death deletes none (they come back after the visibility timeout).
/// </summary>
public interface ILambdaEventSource
{
    /// <summary>Waits for the next batch; cancelled when the function stops asking.</summary>
    Task<LambdaEventBatch> ReceiveAsync(CancellationToken ct);

    /// <summary>The function answered: delete every message of the batch but <paramref name="failed"/>.</summary>
    Task CompleteAsync(LambdaEventBatch batch, IReadOnlySet<string> failed, CancellationToken ct);

    /// <summary>The invocation failed (error, timeout, death): leave every message of the batch on the queue.</summary>
    Task AbandonAsync(LambdaEventBatch batch, CancellationToken ct);
}
