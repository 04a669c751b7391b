using System.Diagnostics;

namespace Zagg.Lambda.Runtime;

/// <summary>
/// The custom runtime's processing loop (AWS Lambda Developer Guide, "Building a custom runtime": initialization, then
/// next → handle → response or error, forever). Initialization runs once; a failure there is posted to
/// <c>init/error</c> and the process exits 1. A handler's exception is posted to <c>invocation/ID/error</c> and the
/// loop goes on with the next invocation: one bad event never ends a warm container. Each invocation is cancelled
/// <see cref="DeadlineMargin"/> before its deadline, so its result (or error) is posted before Lambda kills the
/// environment.
/// </summary>
public sealed class LambdaLoop(RuntimeApiClient api, TextWriter log, TimeProvider? time = null)
{
    /// <summary>The name of <see cref="Source"/>.</summary>
    public const string SourceName = "Zagg.Lambda";

    /// <summary>The source of the loop's spans (one <c>zagg.lambda.invoke</c> per invocation).</summary>
    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>Time kept before the deadline to post the result: the handler's token is cancelled this much earlier.</summary>
    public static TimeSpan DeadlineMargin { get; } = TimeSpan.FromMilliseconds(500);

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Initializes the handler, then serves invocations until <paramref name="stop"/> or the API fails.</summary>
    /// <param name="init">Builds the handler (reads configuration, opens clients); a failure is an init error.</param>
    /// <param name="stop">Ends the loop between invocations (tests; Lambda itself just freezes or kills the process).</param>
    /// <returns>The process exit code: 1 after an init error or when the Runtime API stops answering; 0 when stopped.</returns>
    public async Task<int> RunAsync(Func<CancellationToken, Task<ILambdaHandler>> init, CancellationToken stop = default)
    {
        ILambdaHandler handler;
        try
        {
            handler = await init(stop).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
        {
            var error = LambdaError.From(e);
            log.WriteLine($"zagg-lambda: init failed: {error.ErrorType}: {error.ErrorMessage}");
            try { await api.ReportInitErrorAsync(error, stop).ConfigureAwait(false); }
            catch (HttpRequestException x) { log.WriteLine($"zagg-lambda: init/error not accepted: {x.Message}"); }
            return 1;
        }
        try
        {
            while (!stop.IsCancellationRequested)
            {
                LambdaInvocation invocation;
                try { invocation = await api.NextAsync(stop).ConfigureAwait(false); }
                catch (OperationCanceledException) when (stop.IsCancellationRequested) { return 0; }
                catch (HttpRequestException e)
                {
                    log.WriteLine($"zagg-lambda: runtime API unavailable: {e.Message}");
                    return 1;
                }
                // Stopped while posting the result (the Runtime API may have taken it already): a shutdown, not a failure.
                try { await InvokeAsync(handler, invocation, stop).ConfigureAwait(false); }
                catch (OperationCanceledException) when (stop.IsCancellationRequested) { return 0; }
            }
            return 0;
        }
        finally
        {
            if (handler is IAsyncDisposable d) await d.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task InvokeAsync(ILambdaHandler handler, LambdaInvocation invocation, CancellationToken stop)
    {
        // The X-Ray header is also the environment variable the AWS SDKs read (custom runtime contract).
        Environment.SetEnvironmentVariable("_X_AMZN_TRACE_ID", invocation.TraceHeader);
        XRayTraceHeader.TryParse(invocation.TraceHeader, out var parent);
        using var activity = Source.StartActivity("zagg.lambda.invoke", ActivityKind.Server, parent);
        activity?.SetTag("faas.invocation_id", invocation.RequestId).SetTag("cloud.resource_id", invocation.FunctionArn);

        var left = invocation.Remaining(_time.GetUtcNow()) - DeadlineMargin;
        using var deadline = new CancellationTokenSource(left > TimeSpan.Zero ? left : TimeSpan.Zero, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, stop);
        long started = _time.GetTimestamp();
        byte[] response;
        try
        {
            response = await handler.HandleAsync(invocation, linked.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            var error = deadline.IsCancellationRequested && e is OperationCanceledException
                ? new LambdaError($"the invocation reached its deadline ({invocation.Deadline:O})", "DeadlineExceeded")
                : LambdaError.From(e);
            activity?.SetStatus(ActivityStatusCode.Error, error.ErrorMessage);
            log.WriteLine($"zagg-lambda: {invocation.RequestId} failed after {_time.GetElapsedTime(started).TotalMilliseconds:F0} ms: {error.ErrorType}: {error.ErrorMessage}");
            await PostAsync(() => api.ReportInvocationErrorAsync(invocation.RequestId, error, stop), invocation.RequestId, "error").ConfigureAwait(false);
            return;
        }
        await PostAsync(() => api.RespondAsync(invocation.RequestId, response, stop), invocation.RequestId, "response").ConfigureAwait(false);
    }

    /// <summary>Posts a result; the API refusing it (e.g. the invocation already timed out) is logged, not fatal.</summary>
    private async Task PostAsync(Func<Task> post, string requestId, string what)
    {
        try { await post().ConfigureAwait(false); }
        catch (HttpRequestException e) { log.WriteLine($"zagg-lambda: {requestId}: {what} not accepted: {e.Message}"); }
    }
}
