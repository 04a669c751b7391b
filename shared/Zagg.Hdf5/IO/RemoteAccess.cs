using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Polly;
using Polly.Retry;
using Zagg.Cloud;

namespace Zagg.Hdf5.IO;

/// <summary>
/// How remote byte sources reach their objects, shared by every source a worker opens: the bearer token (by
/// reference: a provider asked per request, so a renewed token is used as soon as it exists), which hosts may receive
/// it, the S3 credentials, one HTTP client and one S3 client (connection reuse), the bound on concurrent requests,
/// and the retry policy. Credentials are held here only; no source name, message or exception carries them.
/// </summary>
/// <remarks>
/// Retries: a transient failure (<see cref="Hdf5SourceException.IsTransient"/>: 5xx, 429, a reset connection, a
/// body shorter than its range, a timeout) is tried again up to <see cref="MaxRetries"/> times with exponential
/// backoff and jitter (Polly 8's retry strategy); a 401/403/404 is not retried.
/// </remarks>
public sealed class RemoteAccess : IDisposable
{
    private static readonly Meter Meter = new("Zagg.Hdf5");
    private static readonly Counter<long> RequestCounter = Meter.CreateCounter<long>("zagg.source.requests", "{request}", "Ranged requests made to remote byte sources");
    private static readonly Counter<long> ByteCounter = Meter.CreateCounter<long>("zagg.source.bytes", "By", "Bytes fetched by remote byte sources");
    private static readonly Counter<long> RetryCounter = Meter.CreateCounter<long>("zagg.source.retries", "{retry}", "Requests tried again after a transient failure");
    private static readonly Histogram<double> FirstByte = Meter.CreateHistogram<double>("zagg.source.time_to_first_byte", "ms", "From sending a ranged request to its response headers");
    private static readonly Histogram<double> Waited = Meter.CreateHistogram<double>("zagg.source.wait", "ms", "Time a request waited for a free slot under the concurrency bound");

    private readonly SemaphoreSlim _slots;
    private readonly Lazy<HttpClient> _http;
    private readonly Lazy<IAmazonS3> _s3;
    private readonly bool _ownsHttp;

    /// <param name="bearerToken">Gives the Earthdata bearer token for a request (null: none is sent).</param>
    /// <param name="mayReceiveToken">The hosts the token may be sent to, links and redirects alike (null: <see cref="TokenHosts.Allows"/>).</param>
    /// <param name="s3Credentials">The S3 credentials (null: the AWS default chain).</param>
    /// <param name="http">An HTTP client to use (it must not follow redirects itself); null: one of its own.</param>
    /// <param name="maxConcurrentRequests">At most this many requests in flight through this access at once (≥ 1; <see cref="DefaultMaxConcurrentRequests"/>).</param>
    /// <param name="maxRetries">Attempts after the first, for a transient failure (≥ 0).</param>
    public RemoteAccess(Func<CancellationToken, ValueTask<string?>>? bearerToken = null, Func<Uri, bool>? mayReceiveToken = null,
        AWSCredentials? s3Credentials = null, HttpClient? http = null, int maxConcurrentRequests = DefaultMaxConcurrentRequests, int maxRetries = 4)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrentRequests, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxRetries);
        BearerToken = bearerToken;
        MayReceiveToken = mayReceiveToken ?? TokenHosts.Allows;
        S3Credentials = s3Credentials;
        MaxConcurrentRequests = maxConcurrentRequests;
        MaxRetries = maxRetries;
        _slots = new SemaphoreSlim(maxConcurrentRequests, maxConcurrentRequests);
        _ownsHttp = http is null;
        _http = new Lazy<HttpClient>(() => http ?? CreateHttpClient());
        _s3 = new Lazy<IAmazonS3>(() => S3Clients.Create(s3Credentials));
        Retry = maxRetries == 0 ? ResiliencePipeline.Empty : new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<Hdf5SourceException>(e => e.IsTransient),
            MaxRetryAttempts = maxRetries,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(100),
            MaxDelay = TimeSpan.FromSeconds(10),
            OnRetry = args =>
            {
                if (args.Context.Properties.TryGetValue(StatisticsKey, out var statistics)) statistics.RecordRetry();
                if (args.Context.Properties.TryGetValue(CurrentKey, out var current)) current.RecordRetry();
                RetryCounter.Add(1);
                return ValueTask.CompletedTask;
            },
        }).Build();
    }

    /// <summary>
    /// The access byte sources use when none is given: no token but EARTHDATA_TOKEN (sent to Earthdata hosts only),
    /// the AWS default chain. A host that logs in (the CLI) replaces it with one backed by its Earthdata session.
    /// </summary>
    public static RemoteAccess Default { get; set; } = new(
        bearerToken: _ => ValueTask.FromResult(Environment.GetEnvironmentVariable("EARTHDATA_TOKEN") is { Length: > 0 } t ? t : null));

    /// <summary>Gives the bearer token, or null.</summary>
    public Func<CancellationToken, ValueTask<string?>>? BearerToken { get; }

    /// <summary>Whether a host may receive the token (checked for every request, at every redirect hop).</summary>
    public Func<Uri, bool> MayReceiveToken { get; }

    /// <summary>The S3 credentials, or null for the default chain.</summary>
    public AWSCredentials? S3Credentials { get; }

    public int MaxConcurrentRequests { get; }

    /// <summary>
    /// Requests a worker keeps in flight by default (256): enough that the requests a cell needs are not serialised by
    /// the bound — a cell of 30 granules makes ~780 ranged GETs of 2–64 KB, and at 80 ms 64 in flight allowed only 800
    /// requests a second, ~1 s of waiting for a slot (bench --remote, ZAGG_TRACE_REQUESTS: at 50 MiB/s and 80 ms, 1.53 s
    /// with 64, 1.03 s with 256) — while bounding one worker's connections to a host.
    /// </summary>
    public const int DefaultMaxConcurrentRequests = 256;

    /// <summary>
    /// Bytes a remote source's opening request fetches from the start of the object and keeps (64 KiB, the size of a
    /// metadata block): the open costs one round trip either way, and the reader's first metadata block comes with it.
    /// </summary>
    public const int HeadLength = 64 * 1024;

    public int MaxRetries { get; }

    /// <summary>The HTTP client every HTTP source of this access shares.</summary>
    public HttpClient Http => _http.Value;

    /// <summary>The S3 client every S3 source of this access shares.</summary>
    public IAmazonS3 S3 => _s3.Value;

    internal ResiliencePipeline Retry { get; }

    /// <summary>
    /// Latency × bandwidth as measured from this access's requests so far: the gap across which its sources coalesce
    /// ranges (<see cref="IByteSource.CoalesceGap"/>).
    /// </summary>
    public CoalesceGapEstimator Gaps { get; } = new();

    internal static readonly ResiliencePropertyKey<ByteSourceStatistics> StatisticsKey = new("zagg.statistics");
    internal static readonly ResiliencePropertyKey<ByteSourceStatistics> CurrentKey = new("zagg.statistics.current");

    /// <summary>
    /// A client that follows no redirect by itself (the source decides where the token goes), keeps EDL's cookies,
    /// speaks HTTP/2 where the server offers it (TLS ALPN) and reuses connections.
    /// </summary>
    public static HttpClient CreateHttpClient() => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = true,
        CookieContainer = new CookieContainer(),
        AutomaticDecompression = DecompressionMethods.None,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        EnableMultipleHttp2Connections = true,
        ConnectTimeout = TimeSpan.FromSeconds(30),
    })
    {
        Timeout = TimeSpan.FromMinutes(2),
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
    };

    /// <summary>
    /// Runs one request under the concurrency bound and the retry policy, counting it in <paramref name="statistics"/>,
    /// in the flow's <see cref="ByteSourceStatistics.Current"/> ones and in the metrics. <paramref name="request"/> returns the bytes delivered and the time to its first byte.
    /// </summary>
    /// <remarks>
    /// With the environment variable <c>ZAGG_TRACE_REQUESTS=1</c> each request prints one line to standard error: when it
    /// was queued, sent (a slot free), answered (first byte) and done, in ms since the flow's statistics began (a cell's
    /// start), its bytes, offset and source name (<paramref name="name"/>: credential-free) — the link's timeline, to
    /// find where it idles.
    /// </remarks>
    internal async ValueTask RunAsync(ByteSourceStatistics statistics, Func<CancellationToken, ValueTask<(long Bytes, TimeSpan FirstByte)>> request, CancellationToken ct,
        string? name = null, long offset = 0)
    {
        var context = ResilienceContextPool.Shared.Get(ct);
        context.Properties.Set(StatisticsKey, statistics);
        var current = ByteSourceStatistics.Current;
        if (current is not null) context.Properties.Set(CurrentKey, current);
        try
        {
            await Retry.ExecuteAsync(async (c, state) =>
            {
                long started = Stopwatch.GetTimestamp();
                await _slots.WaitAsync(c.CancellationToken).ConfigureAwait(false);
                var wait = Stopwatch.GetElapsedTime(started);
                try
                {
                    long sent = Gaps.Start(), sentAt = Stopwatch.GetTimestamp();
                    var (bytes, firstByte) = await state(c.CancellationToken).ConfigureAwait(false);
                    Gaps.Completed(sent, firstByte, bytes);
                    if (TraceRequests) Trace(current ?? statistics, started, sentAt, firstByte, bytes, offset, name);
                    statistics.Record(bytes, firstByte, wait);
                    current?.Record(bytes, firstByte, wait);
                    RequestCounter.Add(1);
                    ByteCounter.Add(bytes);
                    FirstByte.Record(firstByte.TotalMilliseconds);
                    Waited.Record(wait.TotalMilliseconds);
                }
                finally { _slots.Release(); }
            }, context, request).ConfigureAwait(false);
        }
        finally { ResilienceContextPool.Shared.Return(context); }
    }

    private static readonly bool TraceRequests = Environment.GetEnvironmentVariable("ZAGG_TRACE_REQUESTS") == "1";

    private static void Trace(ByteSourceStatistics origin, long queued, long sent, TimeSpan firstByte, long bytes, long offset, string? name)
    {
        long now = Stopwatch.GetTimestamp();
        double Ms(long t) => Stopwatch.GetElapsedTime(origin.Origin, t).TotalMilliseconds;
        Console.Error.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"zagg.request queued={Ms(queued):F1} sent={Ms(sent):F1} first={Ms(sent) + firstByte.TotalMilliseconds:F1} end={Ms(now):F1} bytes={bytes} offset={offset} source={name}"));
    }

    public void Dispose()
    {
        if (_ownsHttp && _http.IsValueCreated) _http.Value.Dispose();
        if (_s3.IsValueCreated) _s3.Value.Dispose();
        _slots.Dispose();
    }
}
