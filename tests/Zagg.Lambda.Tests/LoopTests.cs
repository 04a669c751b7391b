using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Xunit;
using Zagg.Lambda.Runtime;
using Zagg.TestSupport.Lambda;

namespace Zagg.Lambda.Tests;

/// <summary>The Runtime API loop against the fake Lambda service, in this process: response, error, init error, deadline, trace context.</summary>
public class LoopTests
{
    private sealed class Handler(Func<LambdaInvocation, CancellationToken, Task<byte[]>> handle) : ILambdaHandler
    {
        public Task<byte[]> HandleAsync(LambdaInvocation invocation, CancellationToken ct) => handle(invocation, ct);
    }

    private static async Task<(FakeLambdaRuntime Fake, EventList Events, Task<int> Loop, CancellationTokenSource Stop, StringWriter Log)> StartAsync(
        Func<LambdaInvocation, CancellationToken, Task<byte[]>> handle, TimeSpan? timeout = null)
    {
        var events = new EventList();
        var fake = await FakeLambdaRuntime.StartAsync(events);
        if (timeout is { } t) fake.Timeout = t;
        var stop = new CancellationTokenSource();
        var log = new StringWriter();
        var api = new RuntimeApiClient(fake.Api);
        var loop = Task.Run(() => new LambdaLoop(api, TextWriter.Synchronized(log)).RunAsync(_ => Task.FromResult<ILambdaHandler>(new Handler(handle)), stop.Token));
        return (fake, events, loop, stop, log);
    }

    [Fact]
    public async Task Each_event_gets_its_response_and_a_failing_one_an_error_without_ending_the_loop()
    {
        var (fake, events, loop, stop, _) = await StartAsync((inv, _) =>
        {
            string body = Encoding.UTF8.GetString(inv.Event);
            if (body.Contains("boom", StringComparison.Ordinal)) throw new InvalidOperationException("boom: this event is bad\nsecond line");
            Assert.Equal(FakeLambdaRuntime.FunctionArn, inv.FunctionArn);
            Assert.True(inv.Deadline > DateTimeOffset.UtcNow);
            return Task.FromResult(Encoding.UTF8.GetBytes($"{{\"echo\":{body}}}"));
        });
        await using (fake)
        {
            events.Add("{\"n\":1}");
            events.Add("{\"boom\":true}");
            events.Add("{\"n\":3}");
            await fake.WaitUntilAsync(() => fake.Outcomes.Count == 3, TimeSpan.FromSeconds(30), "three invocations");
            var o = fake.Outcomes.ToArray();
            Assert.Equal([InvocationOutcomeKind.Response, InvocationOutcomeKind.Error, InvocationOutcomeKind.Response], o.Select(x => x.Kind));
            Assert.Equal("{\"echo\":{\"n\":1}}", o[0].Body);
            Assert.Equal("{\"echo\":{\"n\":3}}", o[2].Body);
            Assert.Equal("InvalidOperationException", o[1].ErrorType);
            using var error = JsonDocument.Parse(o[1].Body);
            Assert.Equal("boom: this event is bad", error.RootElement.GetProperty("errorMessage").GetString());
            Assert.Equal("InvalidOperationException", error.RootElement.GetProperty("errorType").GetString());
            await stop.CancelAsync();
            Assert.Equal(0, await loop.WaitAsync(TimeSpan.FromSeconds(10)));
        }
    }

    [Fact]
    public async Task An_init_failure_is_posted_to_init_error_and_the_loop_exits_1()
    {
        var events = new EventList();
        await using var fake = await FakeLambdaRuntime.StartAsync(events);
        using var api = new RuntimeApiClient(fake.Api);
        var log = new StringWriter();
        int code = await new LambdaLoop(api, log).RunAsync(_ => throw new LambdaSettingsException("ZAGG_SQS_PREFIX is not set"));
        Assert.Equal(1, code);
        string posted = Assert.Single(fake.InitErrors);
        Assert.Contains("\"errorMessage\":\"ZAGG_SQS_PREFIX is not set\"", posted);
        Assert.Contains("[LambdaSettingsException]", posted);
        Assert.Empty(fake.Outcomes);
    }

    [Fact]
    public async Task A_handler_that_outlives_its_deadline_is_cancelled_and_reported_before_the_deadline()
    {
        var (fake, events, loop, stop, _) = await StartAsync(async (inv, ct) =>
        {
            if (Encoding.UTF8.GetString(inv.Event).Contains("slow", StringComparison.Ordinal)) await Task.Delay(Timeout.Infinite, ct);
            return "{}"u8.ToArray();
        }, TimeSpan.FromSeconds(2));
        await using (fake)
        {
            events.Add("{\"slow\":true}");
            events.Add("{\"fast\":true}");
            await fake.WaitUntilAsync(() => fake.Outcomes.Count == 2, TimeSpan.FromSeconds(30), "two invocations");
            var o = fake.Outcomes.ToArray();
            // Posted as an error by the function itself (the fake's own timeout would say Timeout), and the loop went on.
            Assert.Equal(InvocationOutcomeKind.Error, o[0].Kind);
            Assert.Equal("DeadlineExceeded", o[0].ErrorType);
            Assert.Equal(InvocationOutcomeKind.Response, o[1].Kind);
            await stop.CancelAsync();
            await loop.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    [Fact]
    public async Task The_invocation_span_continues_the_XRay_trace()
    {
        var seen = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == LambdaLoop.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { lock (seen) seen.Add(a); },
        };
        ActivitySource.AddActivityListener(listener);
        string? traceEnv = null;
        var (fake, events, loop, stop, _) = await StartAsync((_, _) =>
        {
            traceEnv = Environment.GetEnvironmentVariable("_X_AMZN_TRACE_ID");
            return Task.FromResult("{}"u8.ToArray());
        });
        await using (fake)
        {
            events.Add("{}");
            await fake.WaitUntilAsync(() => fake.Outcomes.Count == 1, TimeSpan.FromSeconds(30), "one invocation");
            await stop.CancelAsync();
            await loop.WaitAsync(TimeSpan.FromSeconds(10));
        }
        Activity a;
        lock (seen) a = Assert.Single(seen);
        Assert.Equal("5759e988bd862e3fe1be46a994272793", a.TraceId.ToHexString());
        Assert.Equal("53995c3f42cd8ad8", a.ParentSpanId.ToHexString());
        Assert.Equal(fake.TraceHeader, traceEnv);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Root=1-5759e988-bd862e3fe1be46a99427279;Parent=53995c3f42cd8ad8")]
    [InlineData("Root=1-5759e988-bd862e3fe1be46a994272793")]
    [InlineData("Root=1-5759e988-bd862e3fe1be46a99427279Z;Parent=53995c3f42cd8ad8")]
    public void A_missing_or_malformed_XRay_header_gives_no_parent(string? header) =>
        Assert.False(XRayTraceHeader.TryParse(header, out _));
}
