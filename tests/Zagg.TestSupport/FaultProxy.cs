using System.Diagnostics;
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

    /// <summary>Bytes per second of the link every response body shares (0: no cap): one cap for all connections together.</summary>
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

    private readonly Lock _bandwidthLock = new();
    private long _bandwidthFree; // Stopwatch timestamp

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
        await SendAsync(c.Response.Body, body.AsMemory(0, length));
        if (fault == Fault.ShortBody)
        {
            await c.Response.Body.FlushAsync();
            c.Features.Get<IConnectionLifetimeFeature>()?.Abort();
        }
    }

    /// <summary>
    /// Writes a body through the shared link: in slices, each sent when the link (one pacing clock for every connection
    /// of this proxy, as a real link's bandwidth is shared by its connections) would have carried it. Concurrent bodies'
    /// slices interleave, so they share the link as TCP flows do, rather than a small body queueing behind a large one.
    /// </summary>
    private async Task SendAsync(Stream response, ReadOnlyMemory<byte> body)
    {
        long cap = BandwidthBytesPerSecond;
        if (cap <= 0)
        {
            await response.WriteAsync(body);
            Interlocked.Add(ref _bytes, body.Length);
            return;
        }
        // A slice takes ≥ 5 ms of the link (a timer's resolution is ~1 ms), and ≥ 16 KiB.
        int slice = (int)Math.Clamp(cap / 200, 16 << 10, 1 << 20);
        for (int sent = 0; sent < body.Length; sent += slice)
        {
            int n = Math.Min(slice, body.Length - sent);
            await ThrottleAsync(n);
            await response.WriteAsync(body.Slice(sent, n));
            await response.FlushAsync();
            Interlocked.Add(ref _bytes, n);
        }
    }

    /// <summary>
    /// Waits until the link would have carried <paramref name="length"/> more bytes: the link's clock (when it is next
    /// free, never earlier than now: an idle link lends nothing, so no body arrives faster than the cap) advances by
    /// length / bandwidth.
    /// </summary>
    private Task ThrottleAsync(int length)
    {
        long cap = BandwidthBytesPerSecond;
        long now = Stopwatch.GetTimestamp(), done;
        lock (_bandwidthLock)
        {
            done = Math.Max(_bandwidthFree, now) + (long)((double)length / cap * Stopwatch.Frequency);
            _bandwidthFree = done;
        }
        return Task.Delay(Stopwatch.GetElapsedTime(now, done));
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        _client.Dispose();
    }
}
