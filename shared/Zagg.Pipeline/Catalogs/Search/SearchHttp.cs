using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Zagg.Pipeline.Catalogs.Search;

/// <summary>How a search talks to its service: retries, their backoff, and the time one attempt may take.</summary>
public sealed record SearchOptions
{
    /// <summary>Retries after the first attempt of a request on 429, 5xx, a timeout or a dropped connection.</summary>
    public int MaxRetries { get; init; } = 5;

    /// <summary>The first retry's median delay; each next one doubles, with jitter (Polly's decorrelated jitter backoff). A <c>Retry-After</c> header of up to a minute is obeyed instead.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long one attempt (request and whole response body) may take.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Results per page (CMR <c>page_size</c>, at most 2000; STAC <c>limit</c>).</summary>
    public int PageSize { get; init; } = 2000;

    /// <summary>
    /// How long an attempt waits for its answer before the search says so (<see cref="SearchProgress.Notice"/>): a
    /// service that never answers costs <see cref="AttemptTimeout"/> an attempt, and that wait is not silent.
    /// </summary>
    public TimeSpan NoticeAfter { get; init; } = TimeSpan.FromSeconds(15);
}

/// <summary>
/// One HTTP client for a search, with Polly's retry (exponential backoff, jitter, <c>Retry-After</c>)
/// around every attempt and a per-attempt timeout; a response is returned with its body read, so a
/// connection dropped mid-body is retried like a refused one.
/// </summary>
internal sealed class SearchHttp : IDisposable
{
    private readonly HttpClient _client;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly string _service;
    private readonly SearchOptions _options;
    private readonly Action<string>? _notice;
    private static readonly ResiliencePropertyKey<string> What = new("zagg.what");

    /// <param name="service">The service in messages ("CMR at https://…").</param>
    /// <param name="options">Retries, their backoff, the attempt timeout and when a wait is told.</param>
    /// <param name="handler">The HTTP handler (tests), else a new client's own.</param>
    /// <param name="notice">Told one line when an attempt has waited <see cref="SearchOptions.NoticeAfter"/> for its answer and
    /// before each retry (what failed, which retry, after how long); never a credential.</param>
    public SearchHttp(string service, SearchOptions options, HttpMessageHandler? handler = null, Action<string>? notice = null)
    {
        _service = service;
        _options = options;
        _notice = notice;
        _client = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _client.Timeout = Timeout.InfiniteTimeSpan;
        _client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("zagg", typeof(SearchHttp).Assembly.GetName().Version?.ToString(3) ?? "0"));
        _client.DefaultRequestHeaders.Add("Client-Id", "zagg");
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage>();
        if (options.MaxRetries > 0)
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxRetries,
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<IOException>()
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(IsTransient),
                DelayGenerator = static args =>
                    ValueTask.FromResult(args.Outcome.Result?.Headers.RetryAfter?.Delta is TimeSpan after && after <= TimeSpan.FromMinutes(1) ? after : (TimeSpan?)null),
                OnRetry = args =>
                {
                    if (_notice is { } tell)
                    {
                        string why = args.Outcome.Exception switch
                        {
                            TimeoutRejectedException => $"no answer in {Seconds(options.AttemptTimeout)}",
                            { } e => Innermost(e),
                            null => $"{(int)args.Outcome.Result!.StatusCode} {args.Outcome.Result.ReasonPhrase}",
                        };
                        string what = args.Context.Properties.GetValue(What, "a request");
                        tell($"{_service}: {what}: {why}; retry {args.AttemptNumber + 1} of {options.MaxRetries} in {Seconds(args.RetryDelay)}");
                    }
                    return ValueTask.CompletedTask;
                },
            });
        _pipeline = builder.AddTimeout(options.AttemptTimeout).Build();
    }

    private static bool IsTransient(HttpResponseMessage r) => r.StatusCode == HttpStatusCode.TooManyRequests || (int)r.StatusCode >= 500;

    /// <summary>Sends the request <paramref name="make"/> builds (once per attempt) and returns the body of a 2xx answer.</summary>
    /// <param name="what">The request in messages, e.g. "CMR page 3 (https://…)".</param>
    /// <exception cref="CatalogSearchException">Unreachable or failing after the retries, or a 4xx (with the service's <c>errors</c> when it sent them).</exception>
    public async Task<(string Body, HttpResponseHeaders Headers)> SendAsync(Func<HttpRequestMessage> make, string what, CancellationToken ct)
    {
        HttpResponseMessage response;
        int attempts = 0;
        var context = ResilienceContextPool.Shared.Get(ct);
        context.Properties.Set(What, what);
        try
        {
            response = await _pipeline.ExecuteAsync(async c =>
            {
                attempts++;
                // A wait past NoticeAfter is told once an attempt: the service may be slow, or may never answer.
                await using var waiting = _notice is null ? null : new Timer(
                    _ => _notice($"{_service}: {what}: no answer yet after {Seconds(_options.NoticeAfter)}; waiting up to {Seconds(_options.AttemptTimeout)}"),
                    null, _options.NoticeAfter, Timeout.InfiniteTimeSpan);
                using var request = make();
                var r = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, c.CancellationToken).ConfigureAwait(false);
                try { await r.Content.LoadIntoBufferAsync(c.CancellationToken).ConfigureAwait(false); }
                catch { r.Dispose(); throw; }
                return r;
            }, context).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TimeoutRejectedException && !ct.IsCancellationRequested)
        {
            string why = e is TimeoutRejectedException ? "no answer in time" : Innermost(e);
            throw new CatalogSearchException($"{_service} cannot be reached: {what}: {why} ({Attempts(attempts)})", e);
        }
        finally { ResilienceContextPool.Shared.Return(context); }
        using (response)
        {
            string body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            int code = (int)response.StatusCode;
            if (response.IsSuccessStatusCode) return (body, response.Headers);
            string reason = $"{code} {response.ReasonPhrase}";
            string detail = ServiceErrors(body);
            if (IsTransient(response))
                throw new CatalogSearchException($"{_service} keeps failing: {what}: {reason}{detail} ({Attempts(attempts)})");
            throw new CatalogSearchException($"{_service} refused the query: {what}: {reason}{detail}");
        }
    }

    private static string Attempts(int n) => n == 1 ? "1 attempt" : $"{n} attempts";

    private static string Seconds(TimeSpan t)
        => t.TotalSeconds >= 10 ? FormattableString.Invariant($"{t.TotalSeconds:F0} s")
            : t.TotalSeconds >= 1 ? FormattableString.Invariant($"{t.TotalSeconds:0.#} s")
            : FormattableString.Invariant($"{t.TotalMilliseconds:F0} ms");

    private static string Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e.Message;
    }

    /// <summary>The service's own messages: CMR's <c>{"errors": [...]}</c>, a STAC <c>{"description": ...}</c>, else the start of the body.</summary>
    internal static string ServiceErrors(string body)
    {
        if (string.IsNullOrWhiteSpace(body)) return "";
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
                {
                    var list = new List<string>();
                    foreach (var e in errors.EnumerateArray())
                        list.Add(e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText());
                    if (list.Count > 0) return ": " + string.Join("; ", list);
                }
                if (root.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String) return ": " + d.GetString();
            }
        }
        catch (JsonException) { }
        string text = body.ReplaceLineEndings(" ").Trim();
        return ": " + (text.Length > 200 ? text[..200] + "…" : text);
    }

    public void Dispose() => _client.Dispose();
}
