using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Zagg.TestSupport.Lambda;

/// <summary>What became of one invocation.</summary>
public enum InvocationOutcomeKind { Response, Error, Timeout, Died }

/// <summary>One invocation's end: its request id, how it ended, the posted body (a response or error document) and error type header.</summary>
public sealed record InvocationOutcome(string RequestId, InvocationOutcomeKind Kind, string Body, string? ErrorType, int Messages, int FailedMessages);

/// <summary>
/// A fake Lambda service on loopback (Kestrel on 127.0.0.1): serves the Runtime API (version 2018-06-01: invocation/next,
/// invocation/ID/response, invocation/ID/error, init/error; headers Lambda-Runtime-Aws-Request-Id, -Deadline-Ms,
/// -Invoked-Function-Arn, -Trace-Id) to a <c>bootstrap</c> process it starts, and plays the event source mapping through an
/// <see cref="ILambdaEventSource"/>: a batch goes out on /next; a response deletes the messages not in its
/// batchItemFailures; an error, a missed deadline (the process is then killed, as Lambda does) or the process's death
/// leaves all of them. A process that dies is started again (a new execution environment), unless it died of an init
/// error. One invocation at a time, like one execution environment.
/// </summary>
public sealed class FakeLambdaRuntime : IAsyncDisposable
{
    public const string FunctionArn = "arn:aws:lambda:us-east-1:000000000000:function:zagg-worker";

    private readonly WebApplication _app;
    private readonly ILambdaEventSource _source;
    private readonly ConcurrentDictionary<string, Pending> _pending = new();
    private readonly ConcurrentQueue<InvocationOutcome> _outcomes = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private Process? _process;
    private ProcessStartInfo? _start;
    private Task? _supervisor;

    private sealed record Pending(LambdaEventBatch Batch, CancellationTokenSource Deadline, Process? Process);

    /// <summary>The Runtime API's address as <c>AWS_LAMBDA_RUNTIME_API</c> takes it (127.0.0.1:PORT).</summary>
    public string Api { get; }

    /// <summary>An invocation's time limit (the function's timeout).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The trace header handed out with every invocation (X-Ray form), or null for none.</summary>
    public string? TraceHeader { get; set; } = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

    /// <summary>Every invocation's end, in order.</summary>
    public IReadOnlyCollection<InvocationOutcome> Outcomes => _outcomes;

    /// <summary>Init errors posted (their bodies).</summary>
    public ConcurrentQueue<string> InitErrors { get; } = new();

    /// <summary>How many times the process was started.</summary>
    public int Starts { get; private set; }

    /// <summary>The bootstrap's standard output and error, line by line.</summary>
    public ConcurrentQueue<string> Log { get; } = new();

    /// <summary>The running process, if any (for its memory, or to kill it).</summary>
    public Process? Process { get { lock (_gate) return _process; } }

    /// <summary>Cold start of the latest process: from its start to its first <c>/next</c> (init included).</summary>
    public TimeSpan? ColdStart { get; private set; }

    private long _startedAt;
    private bool _asked;

    /// <summary>Invocations handed out and not yet ended.</summary>
    public int InFlight => _pending.Count;

    private FakeLambdaRuntime(WebApplication app, ILambdaEventSource source)
    {
        _app = app;
        _source = source;
        Api = LoopbackWebApp.BaseUrl(app)["http://".Length..];
    }

    public static async Task<FakeLambdaRuntime> StartAsync(ILambdaEventSource source)
    {
        var app = LoopbackWebApp.CreateBuilder().Build();
        FakeLambdaRuntime? self = null;
        app.MapGet("/2018-06-01/runtime/invocation/next", (HttpContext c) => self!.NextAsync(c));
        app.MapPost("/2018-06-01/runtime/invocation/{id}/response", (HttpContext c, string id) => self!.EndAsync(c, id, InvocationOutcomeKind.Response));
        app.MapPost("/2018-06-01/runtime/invocation/{id}/error", (HttpContext c, string id) => self!.EndAsync(c, id, InvocationOutcomeKind.Error));
        app.MapPost("/2018-06-01/runtime/init/error", (HttpContext c) => self!.InitErrorAsync(c));
        await app.StartAsync();
        self = new FakeLambdaRuntime(app, source);
        return self;
    }

    /// <summary>
    /// Starts the function: <paramref name="fileName"/> (the bootstrap, or a wrapper such as qemu) with
    /// AWS_LAMBDA_RUNTIME_API set to this fake and <paramref name="environment"/>; restarted whenever it dies, except
    /// after an init error.
    /// </summary>
    public void StartFunction(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in arguments) start.ArgumentList.Add(a);
        foreach (var (k, v) in environment) start.Environment[k] = v;
        start.Environment["AWS_LAMBDA_RUNTIME_API"] = Api;
        start.Environment["AWS_LAMBDA_FUNCTION_NAME"] = "zagg-worker";
        start.Environment["AWS_REGION"] = "us-east-1";
        _start = start;
        _supervisor = Task.Run(SuperviseAsync);
    }

    private async Task SuperviseAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var p = new Process { StartInfo = _start! };
            p.OutputDataReceived += (_, e) => { if (e.Data is not null) Log.Enqueue(e.Data); };
            p.ErrorDataReceived += (_, e) => { if (e.Data is not null) Log.Enqueue(e.Data); };
            _asked = false;
            _startedAt = Stopwatch.GetTimestamp();
            p.Start();
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            lock (_gate) { _process = p; Starts++; }
            try { await p.WaitForExitAsync(_stop.Token); }
            catch (OperationCanceledException) { return; }
            Log.Enqueue($"[fake-lambda] process {p.Id} exited with {p.ExitCode}");
            // The environment is gone: what it held goes back to the queue (the messages reappear after their visibility timeout).
            foreach (var (id, pending) in _pending)
                if (pending.Process == p && _pending.TryRemove(id, out _))
                {
                    await _source.AbandonAsync(pending.Batch, CancellationToken.None);
                    _outcomes.Enqueue(new InvocationOutcome(id, InvocationOutcomeKind.Died, "", null, pending.Batch.Receipts.Count, pending.Batch.Receipts.Count));
                }
            lock (_gate) _process = null;
            p.Dispose();
            if (!InitErrors.IsEmpty) return;
            await Task.Delay(100, _stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task NextAsync(HttpContext c)
    {
        if (!_asked)
        {
            _asked = true;
            ColdStart = Stopwatch.GetElapsedTime(_startedAt);
        }
        LambdaEventBatch batch;
        try { batch = await _source.ReceiveAsync(CancellationTokenSource.CreateLinkedTokenSource(c.RequestAborted, _stop.Token).Token); }
        catch (OperationCanceledException) { return; }
        string id = Guid.NewGuid().ToString();
        var deadline = DateTimeOffset.UtcNow + Timeout;
        var timer = new CancellationTokenSource(Timeout);
        var pending = new Pending(batch, timer, Process);
        _pending[id] = pending;
        timer.Token.Register(() => _ = TimedOutAsync(id));
        c.Response.Headers["Lambda-Runtime-Aws-Request-Id"] = id;
        c.Response.Headers["Lambda-Runtime-Deadline-Ms"] = deadline.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        c.Response.Headers["Lambda-Runtime-Invoked-Function-Arn"] = FunctionArn;
        if (TraceHeader is not null) c.Response.Headers["Lambda-Runtime-Trace-Id"] = TraceHeader;
        c.Response.ContentType = "application/json";
        try { await c.Response.Body.WriteAsync(batch.Event, c.RequestAborted); }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            if (_pending.TryRemove(id, out _)) await _source.AbandonAsync(batch, CancellationToken.None);
        }
    }

    /// <summary>Lambda ends an environment whose invocation outlives its timeout; the batch stays on the queue.</summary>
    private async Task TimedOutAsync(string id)
    {
        if (!_pending.TryRemove(id, out var pending)) return;
        _outcomes.Enqueue(new InvocationOutcome(id, InvocationOutcomeKind.Timeout, "", null, pending.Batch.Receipts.Count, pending.Batch.Receipts.Count));
        await _source.AbandonAsync(pending.Batch, CancellationToken.None);
        try { pending.Process?.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
    }

    private async Task EndAsync(HttpContext c, string id, InvocationOutcomeKind kind)
    {
        string body = await new StreamReader(c.Request.Body).ReadToEndAsync(c.RequestAborted);
        if (!_pending.TryRemove(id, out var pending))
        {
            c.Response.StatusCode = 400; // Lambda: InvalidRequestID, or the invocation already ended
            return;
        }
        await pending.Deadline.CancelAsync();
        pending.Deadline.Dispose();
        int failed = pending.Batch.Receipts.Count;
        if (kind == InvocationOutcomeKind.Response)
        {
            var failures = new HashSet<string>(StringComparer.Ordinal);
            try
            {
                using var doc = JsonDocument.Parse(body);
                if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("batchItemFailures", out var items))
                    foreach (var item in items.EnumerateArray()) failures.Add(item.GetProperty("itemIdentifier").GetString()!);
                failed = failures.Count;
                await _source.CompleteAsync(pending.Batch, failures, CancellationToken.None);
            }
            catch (JsonException)
            {
                // A response that is no partial batch response: Lambda treats the whole batch as failed.
                await _source.AbandonAsync(pending.Batch, CancellationToken.None);
            }
        }
        else await _source.AbandonAsync(pending.Batch, CancellationToken.None);
        _outcomes.Enqueue(new InvocationOutcome(id, kind, body, c.Request.Headers["Lambda-Runtime-Function-Error-Type"].FirstOrDefault(), pending.Batch.Receipts.Count, failed));
        c.Response.StatusCode = 202;
    }

    private async Task InitErrorAsync(HttpContext c)
    {
        string body = await new StreamReader(c.Request.Body).ReadToEndAsync(c.RequestAborted);
        InitErrors.Enqueue(body + " [" + c.Request.Headers["Lambda-Runtime-Function-Error-Type"].FirstOrDefault() + "]");
        c.Response.StatusCode = 202;
    }

    /// <summary>Waits until <paramref name="done"/> holds (checked every 50 ms).</summary>
    /// <exception cref="TimeoutException">It did not within <paramref name="timeout"/>; the message carries the bootstrap's log.</exception>
    public async Task WaitUntilAsync(Func<bool> done, TimeSpan timeout, string what)
    {
        var until = DateTime.UtcNow + timeout;
        while (!done())
        {
            if (DateTime.UtcNow > until)
                throw new TimeoutException($"{what}: not within {timeout.TotalSeconds:F0} s; bootstrap log:\n{string.Join('\n', Log.TakeLast(40))}");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        Process? p;
        lock (_gate) p = _process;
        if (p is { HasExited: false })
        {
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            await p.WaitForExitAsync().ContinueWith(_ => { }, TaskScheduler.Default);
        }
        if (_supervisor is not null) await _supervisor.ContinueWith(_ => { }, TaskScheduler.Default);
        await _app.DisposeAsync();
        _stop.Dispose();
    }
}
