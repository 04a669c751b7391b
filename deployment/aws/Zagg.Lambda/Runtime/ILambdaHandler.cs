namespace Zagg.Lambda.Runtime;

/// <summary>What the function does with one invocation's event; <see cref="LambdaLoop"/> calls it once per invocation.</summary>
public interface ILambdaHandler
{
    /// <summary>Handles the event and returns the response document (JSON).</summary>
    /// <param name="invocation">The invocation (its event, request id, deadline).</param>
    /// <param name="ct">Cancelled shortly before the invocation's deadline.</param>
    /// <returns>The response body posted to <c>invocation/ID/response</c>.</returns>
    /// <exception cref="Exception">Any exception is reported as the invocation's error; the loop goes on.</exception>
    Task<byte[]> HandleAsync(LambdaInvocation invocation, CancellationToken ct);
}
