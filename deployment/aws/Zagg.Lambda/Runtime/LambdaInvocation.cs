namespace Zagg.Lambda.Runtime;

/// <summary>
/// One invocation as the Runtime API's <c>GET /2018-06-01/runtime/invocation/next</c> hands it out (AWS Lambda
/// Developer Guide, "Using the Lambda runtime API for custom runtimes", Next invocation): the event JSON and the
/// response headers that describe it.
/// </summary>
/// <param name="RequestId"><c>Lambda-Runtime-Aws-Request-Id</c>: the id the response or error is posted under.</param>
/// <param name="Deadline"><c>Lambda-Runtime-Deadline-Ms</c>: when the function times out (Unix milliseconds, UTC).</param>
/// <param name="FunctionArn"><c>Lambda-Runtime-Invoked-Function-Arn</c>: the function, version or alias invoked.</param>
/// <param name="TraceHeader"><c>Lambda-Runtime-Trace-Id</c>: the AWS X-Ray tracing header, or null.</param>
/// <param name="Event">The event document (for an SQS event source mapping: <see cref="Sqs.SqsEvent"/>'s JSON).</param>
public sealed record LambdaInvocation(string RequestId, DateTimeOffset Deadline, string? FunctionArn, string? TraceHeader, byte[] Event)
{
    /// <summary>Time left before <see cref="Deadline"/> at <paramref name="now"/>; zero when it has passed.</summary>
    public TimeSpan Remaining(DateTimeOffset now) => Deadline > now ? Deadline - now : TimeSpan.Zero;
}
