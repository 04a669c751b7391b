using System.Net;
using System.Net.Http.Headers;

namespace Zagg.Hdf5.IO;

/// <summary>
/// An object read over HTTP(S) with Range requests, optionally with a bearer token (NASA
/// Earthdata). The token is sent only in the Authorization header and never appears in names,
/// messages or logs.
/// </summary>
public sealed class HttpByteSource : IByteSource
{
    private readonly HttpClient _client;
    private readonly bool _ownsClient;
    private readonly Uri _uri;
    private readonly string? _token;

    private HttpByteSource(HttpClient client, bool ownsClient, Uri uri, string? token, long length)
    {
        _client = client;
        _ownsClient = ownsClient;
        _uri = uri;
        _token = token;
        Length = length;
        Name = Redact(uri);
    }

    public string Name { get; }
    public long Length { get; }
    public ByteSourceStatistics Statistics { get; } = new();

    /// <summary>Opens a URL, learning its length from a one-byte ranged GET.</summary>
    public static async Task<HttpByteSource> OpenAsync(Uri uri, string? bearerToken = null, HttpClient? client = null, CancellationToken ct = default)
    {
        bool owns = client is null;
        client ??= new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        try
        {
            using var request = Request(uri, bearerToken, 0, 0);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            Check(response, uri);
            long length = response.StatusCode == HttpStatusCode.PartialContent && response.Content.Headers.ContentRange?.Length is long total
                ? total
                : throw new Hdf5Exception($"{Redact(uri)}: the server does not answer byte-range requests (HTTP {(int)response.StatusCode} without Content-Range), so the file cannot be read in parts");
            return new HttpByteSource(client, owns, uri, bearerToken, length);
        }
        catch (HttpRequestException e)
        {
            if (owns) client.Dispose();
            throw new Hdf5SourceException($"{Redact(uri)}: cannot be reached: {e.Message}", transient: true, e);
        }
        catch
        {
            if (owns) client.Dispose();
            throw;
        }
    }

    public async ValueTask ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (destination.Length == 0) return;
        if (offset < 0 || offset + destination.Length > Length)
            throw new Hdf5Exception($"{Name}: read of {destination.Length} bytes at {offset} is past the end ({Length} bytes); the file is truncated or damaged");
        using var request = Request(_uri, _token, offset, offset + destination.Length - 1);
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            Check(response, _uri);
            if (response.StatusCode != HttpStatusCode.PartialContent)
                throw new Hdf5Exception($"{Name}: asked for bytes {offset}–{offset + destination.Length - 1}, the server answered HTTP {(int)response.StatusCode}");
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            int done = 0;
            while (done < destination.Length)
            {
                int n = await body.ReadAsync(destination[done..], cancellationToken).ConfigureAwait(false);
                if (n == 0) throw new Hdf5SourceException($"{Name}: the response ended after {done} of {destination.Length} bytes", transient: true);
                done += n;
            }
        }
        catch (HttpRequestException e)
        {
            throw new Hdf5SourceException($"{Name}: reading bytes at {offset} failed: {e.Message}", transient: true, e);
        }
        catch (IOException e)
        {
            // The connection dropped while the body streamed.
            throw new Hdf5SourceException($"{Name}: reading bytes at {offset} failed: {e.Message}", transient: true, e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient's timeout, not the caller's cancellation.
            throw new Hdf5SourceException($"{Name}: reading bytes at {offset} timed out", transient: true, e);
        }
        Statistics.Record(destination.Length);
    }

    private static HttpRequestMessage Request(Uri uri, string? token, long from, long to)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Range = new RangeHeaderValue(from, to);
        if (!string.IsNullOrEmpty(token)) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    private static void Check(HttpResponseMessage response, Uri uri)
    {
        if ((int)response.StatusCode is >= 200 and < 300) return;
        string hint = response.StatusCode switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => " (check the Earthdata token)",
            HttpStatusCode.NotFound => " (no such object)",
            _ => "",
        };
        // Server errors, throttling and timeouts may pass; a missing object or a refused token do not.
        bool transient = (int)response.StatusCode >= 500 || response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout;
        throw new Hdf5SourceException($"{Redact(uri)}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}{hint}", transient);
    }

    /// <summary>The URL without user info or query (signed URLs carry credentials there).</summary>
    private static string Redact(Uri uri) => uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);

    public ValueTask DisposeAsync()
    {
        if (_ownsClient) _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
