using System.Net;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Zagg.Cloud;

namespace Zagg.Hdf5.IO;

/// <summary>An S3 object read with ranged GETs. Credentials come from the AWS chain or are given; they never appear in names or messages.</summary>
public sealed class S3ByteSource : IByteSource
{
    private readonly IAmazonS3 _client;
    private readonly bool _ownsClient;
    private readonly RemoteAccess _access;
    private readonly bool _ownsAccess;
    private readonly string _bucket;
    private readonly string _key;
    // The object's first bytes, fetched by the request that learns its length (as HttpByteSource does).
    private byte[] _head = [];

    private S3ByteSource(IAmazonS3 client, bool ownsClient, RemoteAccess access, bool ownsAccess, string bucket, string key, long length)
    {
        _client = client;
        _ownsClient = ownsClient;
        _access = access;
        _ownsAccess = ownsAccess;
        _bucket = bucket;
        _key = key;
        Length = length;
    }

    public string Name => $"s3://{_bucket}/{_key}";
    public long Length { get; private set; }
    public ByteSourceStatistics Statistics { get; } = new();

    /// <summary>Latency × bandwidth as measured by the access's requests so far.</summary>
    public int CoalesceGap => _access.Gaps.Gap;

    /// <summary>
    /// Opens s3://bucket/key with a client of its own (the default chain) or the given one, learning its length from a
    /// ranged GET of its first <see cref="RemoteAccess.HeadLength"/> bytes, which it keeps for the first reads.
    /// </summary>
    public static Task<S3ByteSource> OpenAsync(string url, IAmazonS3? client = null, CancellationToken ct = default)
        => OpenAsync(url, client ?? S3Clients.Create(), ownsClient: client is null, new RemoteAccess(), ownsAccess: true, ct);

    /// <summary>
    /// Opens s3://bucket/key through a shared <see cref="RemoteAccess"/> (its S3 client, credentials, concurrency bound
    /// and retries), learning its length from a ranged GET of its first <see cref="RemoteAccess.HeadLength"/> bytes,
    /// which it keeps for the first reads (the superblock and first metadata block cost no round trip more).
    /// </summary>
    /// <exception cref="Hdf5SourceException">No such bucket or key, access denied (not transient), or unreachable.</exception>
    public static Task<S3ByteSource> OpenAsync(string url, RemoteAccess access, CancellationToken ct = default)
        => OpenAsync(url, access.S3, ownsClient: false, access, ownsAccess: false, ct);

    private static async Task<S3ByteSource> OpenAsync(string url, IAmazonS3 client, bool ownsClient, RemoteAccess access, bool ownsAccess, CancellationToken ct)
    {
        var (bucket, key) = ParseUrl(url);
        bool opened = false;
        try
        {
            var source = new S3ByteSource(client, ownsClient, access, ownsAccess, bucket, key, length: 0);
            await source.ReadHeadAsync(ct).ConfigureAwait(false);
            opened = true;
            return source;
        }
        catch (AmazonS3Exception e)
        {
            string hint = e.StatusCode switch
            {
                HttpStatusCode.NotFound => " (no such bucket or key)",
                HttpStatusCode.Forbidden => " (access denied: check the credentials and the region; NSIDC's bucket is readable only from us-west-2)",
                _ => "",
            };
            throw new Hdf5SourceException($"s3://{bucket}/{key}: {(int)e.StatusCode} {e.ErrorCode}{hint}", IsTransient(e), e);
        }
        catch (AmazonClientException e) when (S3Errors.IsMissingCredentials(e))
        {
            throw new Hdf5SourceException($"s3://{bucket}/{key}: {NoCredentials}", transient: false, e);
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException or System.Net.Sockets.SocketException)
        {
            throw new Hdf5SourceException($"s3://{bucket}/{key}: cannot be reached: {e.Message}", transient: true, e);
        }
        catch (CredentialsException e)
        {
            throw new Hdf5SourceException($"s3://{bucket}/{key}: no S3 credentials: {e.Message}", transient: false, e);
        }
        finally
        {
            // A source that did not open gives back what it was to own (whatever failed: the cases above, Hdf5SourceException).
            if (!opened)
            {
                if (ownsClient) client.Dispose();
                if (ownsAccess) access.Dispose();
            }
        }
    }

    /// <summary>Learns the object's length and keeps its first bytes: one ranged GET (a HEAD for an empty object, which has no range).</summary>
    private async Task ReadHeadAsync(CancellationToken ct)
    {
        var request = new GetObjectRequest { BucketName = _bucket, Key = _key, ByteRange = new ByteRange(0, RemoteAccess.HeadLength - 1) };
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            using var response = await _client.GetObjectAsync(request, ct).ConfigureAwait(false);
            var firstByte = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            // "bytes 0-65535/420502" for a range, or the whole object's length when the store sent it all.
            string? range = response.ContentRange;
            int slash = range?.LastIndexOf('/') ?? -1;
            long total = slash >= 0 && long.TryParse(range.AsSpan(slash + 1), out long t) ? t : response.ContentLength;
            var head = new byte[(int)Math.Min(RemoteAccess.HeadLength, total)];
            await ReadBodyAsync(response, head, ct).ConfigureAwait(false);
            (Length, _head) = (total, head);
            Statistics.Record(head.Length, firstByte, TimeSpan.Zero);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            // An empty object: no byte to range over.
            Length = (await _client.GetObjectMetadataAsync(_bucket, _key, ct).ConfigureAwait(false)).ContentLength;
        }
        catch (IOException e)
        {
            throw new Hdf5SourceException($"{Name}: reading its first bytes failed: {e.Message}", transient: true, e);
        }
    }

    public async ValueTask ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (destination.Length == 0) return;
        if (offset < 0 || offset + destination.Length > Length)
            throw new Hdf5Exception($"{Name}: read of {destination.Length} bytes at {offset} is past the end ({Length} bytes); the object is truncated or damaged");
        if (offset + destination.Length <= _head.Length)
        {
            _head.AsMemory((int)offset, destination.Length).CopyTo(destination);
            return;
        }
        await _access.RunAsync(Statistics, ct => FetchAsync(offset, destination, ct), cancellationToken, Name, offset).ConfigureAwait(false);
    }

    private async ValueTask<(long, TimeSpan)> FetchAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        var request = new GetObjectRequest { BucketName = _bucket, Key = _key, ByteRange = new ByteRange(offset, offset + destination.Length - 1) };
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        TimeSpan firstByte;
        try
        {
            using var response = await _client.GetObjectAsync(request, cancellationToken).ConfigureAwait(false);
            firstByte = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            await ReadBodyAsync(response, destination, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonServiceException e)
        {
            throw new Hdf5SourceException($"{Name}: reading bytes at {offset} failed: {(int)e.StatusCode} {e.ErrorCode}", IsTransient(e), e);
        }
        catch (AmazonClientException e) when (S3Errors.IsMissingCredentials(e))
        {
            throw new Hdf5SourceException($"{Name}: {NoCredentials}", transient: false, e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or AmazonClientException)
        {
            throw new Hdf5SourceException($"{Name}: reading bytes at {offset} failed: {e.Message}", transient: true, e);
        }
        catch (CredentialsException e)
        {
            throw new Hdf5SourceException($"{Name}: no S3 credentials: {e.Message}", transient: false, e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            // The SDK's request timeout, not the caller's cancellation.
            throw new Hdf5SourceException($"{Name}: reading bytes at {offset} timed out", transient: true, e);
        }
        return (destination.Length, firstByte);
    }

    /// <summary>Reads a ranged GET's body into <paramref name="destination"/>, which it must fill.</summary>
    /// <exception cref="Hdf5SourceException">The body ended early (transient: a short body is never taken as data; the range is asked for again).</exception>
    private async Task ReadBodyAsync(GetObjectResponse response, Memory<byte> destination, CancellationToken ct)
    {
        int done = 0;
        while (done < destination.Length)
        {
            int n = await response.ResponseStream.ReadAsync(destination[done..], ct).ConfigureAwait(false);
            if (n == 0) throw new Hdf5SourceException($"{Name}: the response ended after {done} of {destination.Length} bytes", transient: true);
            done += n;
        }
    }

    /// <summary>No credentials for a granule: the AWS ones, or (NASA's bucket) the Earthdata login NSIDC's keys are asked with.</summary>
    private const string NoCredentials = S3Errors.NoCredentials + "; for NASA's granules, Earthdata credentials (zagg auth login) get NSIDC's temporary keys, or read them over https (zagg run --driver https)";

    /// <summary>Server errors, throttling and transport failures may pass on retry; 4xx answers (no such key, access denied) do not.</summary>
    private static bool IsTransient(AmazonServiceException e)
        => e.StatusCode == 0 || (int)e.StatusCode >= 500 || e.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout
           || e.ErrorCode is "SlowDown" or "RequestTimeout" or "Throttling";

    /// <summary>The bucket and key of s3://bucket/key (parsed by <see cref="StorageLocation"/>).</summary>
    /// <exception cref="ArgumentException">Not an s3:// URL, or no bucket or no key.</exception>
    public static (string Bucket, string Key) ParseUrl(string url)
    {
        if (!StorageLocation.TryParse(url, out var where, out string? error) || where.Kind != StorageKind.S3)
            throw new ArgumentException(error ?? $"'{url}' is not an s3:// URL");
        if (where.Key.Length == 0 || url.EndsWith('/'))
            throw new ArgumentException($"'{url}' should be s3://bucket/key");
        return (where.Bucket, where.Key);
    }

    public ValueTask DisposeAsync()
    {
        if (_ownsClient) _client.Dispose();
        if (_ownsAccess) _access.Dispose();
        return ValueTask.CompletedTask;
    }
}
