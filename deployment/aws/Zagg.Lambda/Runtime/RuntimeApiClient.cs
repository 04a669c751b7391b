using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Zagg.Lambda.Runtime;

/// <summary>
/// The Lambda Runtime API, version 2018-06-01, over HTTP to <c>AWS_LAMBDA_RUNTIME_API</c> (host:port): next invocation,
/// invocation response, invocation error, initialization error. Source: AWS Lambda Developer Guide, "Using the Lambda
/// runtime API for custom runtimes". The API is local to the execution environment: no credentials are sent.
/// </summary>
public sealed class RuntimeApiClient : IDisposable
{
    public const string EnvironmentVariable = "AWS_LAMBDA_RUNTIME_API";
    private const string ErrorTypeHeader = "Lambda-Runtime-Function-Error-Type";
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly HttpClient _http;

    /// <param name="api">The API's host:port, as <c>AWS_LAMBDA_RUNTIME_API</c> gives it (e.g. 127.0.0.1:9001).</param>
    /// <exception cref="ArgumentException"><paramref name="api"/> is not a host:port.</exception>
    public RuntimeApiClient(string api)
    {
        if (string.IsNullOrWhiteSpace(api) || !Uri.TryCreate($"http://{api}/2018-06-01/runtime/", UriKind.Absolute, out var root))
            throw new ArgumentException($"{EnvironmentVariable} is not a host:port: '{api}'", nameof(api));
        // /next blocks until an event arrives (a long poll by design): no client-side timeout.
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(15) })
        {
            BaseAddress = root,
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>Waits for the next invocation (<c>GET invocation/next</c>).</summary>
    /// <exception cref="HttpRequestException">The API did not answer 200, or lacks the request id or deadline header.</exception>
    public async Task<LambdaInvocation> NextAsync(CancellationToken ct = default)
    {
        using var response = await _http.GetAsync("invocation/next", HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
            throw new HttpRequestException($"runtime API invocation/next answered {(int)response.StatusCode}", null, response.StatusCode);
        string requestId = Header(response, "Lambda-Runtime-Aws-Request-Id")
            ?? throw new HttpRequestException("runtime API invocation/next gave no Lambda-Runtime-Aws-Request-Id");
        if (!long.TryParse(Header(response, "Lambda-Runtime-Deadline-Ms"), NumberStyles.None, CultureInfo.InvariantCulture, out long deadlineMs))
            throw new HttpRequestException("runtime API invocation/next gave no Lambda-Runtime-Deadline-Ms");
        byte[] body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        return new LambdaInvocation(requestId, DateTimeOffset.FromUnixTimeMilliseconds(deadlineMs),
            Header(response, "Lambda-Runtime-Invoked-Function-Arn"), Header(response, "Lambda-Runtime-Trace-Id"), body);
    }

    /// <summary>Posts the invocation's result (<c>POST invocation/ID/response</c>).</summary>
    /// <exception cref="HttpRequestException">The API refused it (e.g. 413: the payload is too large).</exception>
    public Task RespondAsync(string requestId, byte[] response, CancellationToken ct = default) =>
        PostAsync($"invocation/{Uri.EscapeDataString(requestId)}/response", response, null, ct);

    /// <summary>Reports that the invocation failed (<c>POST invocation/ID/error</c>): the event source keeps the whole batch.</summary>
    /// <exception cref="HttpRequestException">The API refused it.</exception>
    public Task ReportInvocationErrorAsync(string requestId, LambdaError error, CancellationToken ct = default) =>
        PostAsync($"invocation/{Uri.EscapeDataString(requestId)}/error", Serialize(error), error.ErrorType, ct);

    /// <summary>Reports that initialization failed (<c>POST init/error</c>); the runtime then exits.</summary>
    /// <exception cref="HttpRequestException">The API refused it.</exception>
    public Task ReportInitErrorAsync(LambdaError error, CancellationToken ct = default) =>
        PostAsync("init/error", Serialize(error), error.ErrorType, ct);

    private static byte[] Serialize(LambdaError error) => JsonSerializer.SerializeToUtf8Bytes(error, RuntimeJsonContext.Default.LambdaError);

    private async Task PostAsync(string path, byte[] body, string? errorType, CancellationToken ct)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = Json;
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (errorType is not null) request.Headers.TryAddWithoutValidation(ErrorTypeHeader, errorType);
        using var response = await _http.SendAsync(request, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"runtime API {path} answered {(int)response.StatusCode}", null, response.StatusCode);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    public void Dispose() => _http.Dispose();
}
