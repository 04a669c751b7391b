using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace Zagg.Hdf5.IO;

/// <summary>
/// An object read over HTTP(S) with Range requests, optionally with a bearer token (NASA Earthdata).
/// </summary>
/// <remarks>
/// Redirects are followed here, not by the HTTP client (NASA's chain: the data host → Earthdata Login → a signed
/// S3/CloudFront URL): the token goes only to the hosts <see cref="RemoteAccess.MayReceiveToken"/> accepts (by default
/// Earthdata hosts, <see cref="TokenHosts"/>), never to any other host and never from https down to http. The signed URL the chain ends at is reused for
/// later ranges and resolved afresh when it is refused (it expired). Cookies Earthdata Login sets are kept by the
/// shared client. The token, user info and query strings never appear in names, messages or logs.
/// </remarks>
public sealed class HttpByteSource : IByteSource
{
    /// <summary>At most this many redirects per request.</summary>
    public const int MaxRedirects = 10;

    private readonly RemoteAccess _access;
    private readonly bool _ownsAccess;
    private readonly Uri _uri;
    private Uri? _resolved;
    // The object's first bytes, fetched by the request that learns its length: a reader's first reads (the superblock,
    // the root group, the first metadata block) are served from them instead of costing a round trip more.
    private byte[] _head = [];

    private HttpByteSource(RemoteAccess access, bool ownsAccess, Uri uri)
    {
        _access = access;
        _ownsAccess = ownsAccess;
        _uri = uri;
        Name = Redact(uri);
    }

    public string Name { get; }
    public long Length { get; private set; }
    public ByteSourceStatistics Statistics { get; } = new();

    /// <summary>Latency × bandwidth as measured by the access's requests so far.</summary>
    public int CoalesceGap => _access.Gaps.Gap;

    /// <summary>Opens a URL with a fixed token (or none) and its own access (or the given client, which must not follow redirects itself).</summary>
    public static Task<HttpByteSource> OpenAsync(Uri uri, string? bearerToken = null, HttpClient? client = null, CancellationToken ct = default)
        => OpenAsync(uri, new RemoteAccess(bearerToken is null ? null : _ => ValueTask.FromResult<string?>(bearerToken), http: client), ownsAccess: true, ct);

    /// <summary>
    /// Opens a URL through a shared <see cref="RemoteAccess"/>, learning its length from a ranged GET of its first
    /// <see cref="RemoteAccess.HeadLength"/> bytes, which it keeps for the first reads.
    /// </summary>
    /// <exception cref="Hdf5Exception">The server does not answer byte ranges.</exception>
    /// <exception cref="Hdf5SourceException">Unreachable, refused (401/403: not transient; says how to log in), missing (404), or failing after retries.</exception>
    public static Task<HttpByteSource> OpenAsync(Uri uri, RemoteAccess access, CancellationToken ct = default) => OpenAsync(uri, access, ownsAccess: false, ct);

    private static async Task<HttpByteSource> OpenAsync(Uri uri, RemoteAccess access, bool ownsAccess, CancellationToken ct)
    {
        var source = new HttpByteSource(access, ownsAccess, uri);
        try
        {
            await access.RunAsync(source.Statistics, async c =>
            {
                long started = Stopwatch.GetTimestamp();
                using var response = await source.GetAsync(0, RemoteAccess.HeadLength - 1, c).ConfigureAwait(false);
                var firstByte = Stopwatch.GetElapsedTime(started);
                long total = response.StatusCode == HttpStatusCode.PartialContent && response.Content.Headers.ContentRange?.Length is long t
                    ? t
                    : throw new Hdf5Exception($"{source.Name}: the server does not answer byte-range requests (HTTP {(int)response.StatusCode} without Content-Range), so the file cannot be read in parts");
                var head = new byte[(int)Math.Min(RemoteAccess.HeadLength, total)];
                await source.ReadBodyAsync(response, 0, head, c).ConfigureAwait(false);
                (source.Length, source._head) = (total, head);
                return (head.Length, firstByte);
            }, ct, source.Name).ConfigureAwait(false);
            return source;
        }
        catch
        {
            if (ownsAccess) access.Dispose();
            throw;
        }
    }

    public async ValueTask ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (destination.Length == 0) return;
        if (offset < 0 || offset + destination.Length > Length)
            throw new Hdf5Exception($"{Name}: read of {destination.Length} bytes at {offset} is past the end ({Length} bytes); the file is truncated or damaged");
        if (offset + destination.Length <= _head.Length)
        {
            _head.AsMemory((int)offset, destination.Length).CopyTo(destination);
            return;
        }
        await _access.RunAsync(Statistics, async ct =>
        {
            long started = Stopwatch.GetTimestamp();
            long last = offset + destination.Length - 1;
            using var response = await GetAsync(offset, last, ct).ConfigureAwait(false);
            var firstByte = Stopwatch.GetElapsedTime(started);
            if (response.StatusCode != HttpStatusCode.PartialContent)
                throw new Hdf5Exception($"{Name}: asked for bytes {offset}–{last}, the server answered HTTP {(int)response.StatusCode}");
            await ReadBodyAsync(response, offset, destination, ct).ConfigureAwait(false);
            return (destination.Length, firstByte);
        }, cancellationToken, Name, offset).ConfigureAwait(false);
    }

    /// <summary>Reads a 206 answer's body into <paramref name="destination"/>, which must be exactly the bytes from <paramref name="offset"/>.</summary>
    /// <exception cref="Hdf5SourceException">The server sent another range, the body ended early or the connection dropped (transient: asked again).</exception>
    private async Task ReadBodyAsync(HttpResponseMessage response, long offset, Memory<byte> destination, CancellationToken ct)
    {
        long last = offset + destination.Length - 1;
        if (response.Content.Headers.ContentRange is { From: { } from, To: { } to } && (from != offset || to != last))
            throw new Hdf5SourceException($"{Name}: asked for bytes {offset}–{last}, the server sent {from}–{to}", transient: true);
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            int done = 0;
            while (done < destination.Length)
            {
                int n = await body.ReadAsync(destination[done..], ct).ConfigureAwait(false);
                // A short body is never taken as data: the range is asked for again.
                if (n == 0) throw new Hdf5SourceException($"{Name}: the response ended after {done} of {destination.Length} bytes", transient: true);
                done += n;
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            // The connection dropped while the body streamed.
            throw new Hdf5SourceException($"{Name}: reading bytes at {offset} failed: {e.Message}", transient: true, e);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new Hdf5SourceException($"{Name}: reading bytes at {offset} timed out", transient: true, e);
        }
    }

    /// <summary>A ranged GET that answered 2xx, redirects followed; the caller disposes it.</summary>
    private async Task<HttpResponseMessage> GetAsync(long from, long to, CancellationToken ct)
    {
        Uri target = _resolved ?? _uri;
        bool refreshed = false;
        for (int hop = 0; ; hop++)
        {
            if (hop > MaxRedirects) throw new Hdf5SourceException($"{Name}: more than {MaxRedirects} redirects", transient: false);
            HttpResponseMessage response;
            using (var request = new HttpRequestMessage(HttpMethod.Get, target))
            {
                request.Headers.Range = new RangeHeaderValue(from, to);
                if (MayReceiveToken(target) && await TokenAsync(ct).ConfigureAwait(false) is { Length: > 0 } token)
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                try { response = await _access.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false); }
                catch (HttpRequestException e)
                {
                    throw new Hdf5SourceException($"{Name}: {target.Authority} cannot be reached: {e.HttpRequestError}", transient: true, e);
                }
                catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
                {
                    throw new Hdf5SourceException($"{Name}: {target.Authority} did not answer in time", transient: true, e);
                }
            }
            int status = (int)response.StatusCode;
            if (status is 301 or 302 or 303 or 307 or 308 && response.Headers.Location is { } location)
            {
                response.Dispose();
                target = location.IsAbsoluteUri ? location : new Uri(target, location);
                continue;
            }
            if (status is 401 or 403 && _resolved is not null && !refreshed)
            {
                // The remembered signed URL expired: resolve the link afresh.
                response.Dispose();
                _resolved = null;
                refreshed = true;
                target = _uri;
                hop = 0;
                continue;
            }
            try { Check(response, target); }
            catch
            {
                response.Dispose();
                throw;
            }
            if (target != _uri && !_access.MayReceiveToken(target)) _resolved = target;
            return response;
        }
    }

    /// <summary>
    /// The token from the access's provider. A provider that fails (no credentials, Earthdata Login refused) fails the
    /// read as a permanent source error with the provider's message, which names a host and never a secret.
    /// </summary>
    private async ValueTask<string?> TokenAsync(CancellationToken ct)
    {
        if (_access.BearerToken is not { } provider) return null;
        try { return await provider(ct).ConfigureAwait(false); }
        catch (Exception e) when (e is not (OperationCanceledException or Hdf5Exception))
        {
            throw new Hdf5SourceException($"{Name}: no Earthdata token: {e.Message}", transient: false, e);
        }
    }

    /// <summary>
    /// The token goes only to hosts the access allows (by default <see cref="TokenHosts.Allows"/>: Earthdata hosts), never
    /// from https down to http — not to a link's own host for being named by a catalog.
    /// </summary>
    private bool MayReceiveToken(Uri target)
    {
        if (_uri.Scheme == Uri.UriSchemeHttps && target.Scheme != Uri.UriSchemeHttps) return false;
        return _access.MayReceiveToken(target);
    }

    private void Check(HttpResponseMessage response, Uri target)
    {
        if ((int)response.StatusCode is >= 200 and < 300) return;
        string hint = response.StatusCode switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => $" from {target.Authority}: the Earthdata token is missing, expired or refused (run 'zagg auth login', or set EARTHDATA_TOKEN)",
            HttpStatusCode.NotFound => " (no such object)",
            _ => "",
        };
        // Server errors, throttling and timeouts may pass; a missing object or a refused token do not.
        bool transient = (int)response.StatusCode >= 500 || response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout;
        throw new Hdf5SourceException($"{Name}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}{hint}", transient);
    }

    /// <summary>The URL without user info or query (signed URLs carry credentials there).</summary>
    private static string Redact(Uri uri) => uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);

    public ValueTask DisposeAsync()
    {
        if (_ownsAccess) _access.Dispose();
        return ValueTask.CompletedTask;
    }
}
