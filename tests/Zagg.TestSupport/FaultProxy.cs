using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Zagg.TestSupport;

/// <summary>
/// A fault-injecting HTTP proxy on 127.0.0.1 (Kestrel): forwards GETs, with their Range and Authorization headers, to an
/// upstream base URL, and on the way adds latency per request, caps bandwidth, answers 503, resets the connection, or
/// cuts the body short, at chosen request numbers. Counts what passes, so tests and benchmarks see requests and bytes.
/// </summary>
public sealed class FaultProxy(Uri upstream) : IAsyncDisposable
{
    private readonly HttpClient _client = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
    private WebApplication? _app;
    private long _requests;
    private long _bytes;

    /// <summary>Added before each answer.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Bytes per second of every response body (0: no cap), shared by all connections.</summary>
    public long BandwidthBytesPerSecond { get; set; }

    /// <summary>Awaited before a request is forwarded, given its path (e.g. to hold some files back until a test is ready); null: none.</summary>
    public Func<string, Task>? Hold { get; set; }

    /// <summary>Decides the fault of the n-th request (1-based); null: none.</summary>
    public Func<long, Fault>? Faults { get; set; }

    public long Requests => Interlocked.Read(ref _requests);
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>The proxy's base URL (a path under it maps to the same path under the upstream).</summary>
    public Uri Url { get; private set; } = null!;

    public enum Fault { None, ServiceUnavailable, Reset, ShortBody }

    private readonly object _bandwidthLock = new();
    private DateTime _bandwidthFree = DateTime.UtcNow;

    public async Task StartAsync()
    {
        _app = LoopbackWebApp.CreateBuilder().Build();
        _app.Run(ForwardAsync);
        await _app.StartAsync();
        Url = new Uri(LoopbackWebApp.BaseUrl(_app) + "/");
    }

    private async Task ForwardAsync(HttpContext c)
    {
        if (Hold is { } hold) await hold(c.Request.Path.Value ?? "");
        long n = Interlocked.Increment(ref _requests);
        var fault = Faults?.Invoke(n) ?? Fault.None;
        if (Latency > TimeSpan.Zero) await Task.Delay(Latency);
        if (fault == Fault.ServiceUnavailable) { c.Response.StatusCode = 503; return; }
        if (fault == Fault.Reset) { c.Features.Get<IConnectionLifetimeFeature>()?.Abort(); return; }
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(upstream, c.Request.Path.Value!.TrimStart('/') + c.Request.QueryString));
        if (c.Request.Headers.Range.Count > 0) request.Headers.TryAddWithoutValidation("Range", c.Request.Headers.Range.ToString());
        if (c.Request.Headers.Authorization.Count > 0) request.Headers.TryAddWithoutValidation("Authorization", c.Request.Headers.Authorization.ToString());
        using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        c.Response.StatusCode = (int)response.StatusCode;
        foreach (var h in response.Content.Headers) c.Response.Headers[h.Key] = h.Value.ToArray();
        if (response.Headers.Location is { } location) c.Response.Headers.Location = location.ToString();
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        int length = fault == Fault.ShortBody ? body.Length / 2 : body.Length;
        // The headers go at once and the body at the link's pace, as over a real network: a client sees the latency as
        // its time to first byte and the bandwidth in how long the body takes.
        if (BandwidthBytesPerSecond > 0)
        {
            await c.Response.StartAsync();
            await c.Response.Body.FlushAsync();
        }
        await ThrottleAsync(length);
        await c.Response.Body.WriteAsync(body.AsMemory(0, length));
        Interlocked.Add(ref _bytes, length);
        if (fault == Fault.ShortBody)
        {
            await c.Response.Body.FlushAsync();
            c.Features.Get<IConnectionLifetimeFeature>()?.Abort();
        }
    }

    /// <summary>Holds a body back until the shared link would have carried it.</summary>
    private Task ThrottleAsync(int length)
    {
        if (BandwidthBytesPerSecond <= 0) return Task.CompletedTask;
        DateTime done;
        lock (_bandwidthLock)
        {
            var now = DateTime.UtcNow;
            var start = _bandwidthFree > now ? _bandwidthFree : now;
            done = start + TimeSpan.FromSeconds((double)length / BandwidthBytesPerSecond);
            _bandwidthFree = done;
        }
        var wait = done - DateTime.UtcNow;
        return wait > TimeSpan.Zero ? Task.Delay(wait) : Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        _client.Dispose();
    }
}
