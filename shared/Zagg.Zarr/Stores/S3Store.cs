using System.Net;
using System.Runtime.CompilerServices;
using Amazon.S3;
using Amazon.S3.Model;
using Zagg.Cloud;

namespace Zagg.Zarr.Stores;

/// <summary>
/// A bucket and prefix on S3 or any S3-compatible server (see <see cref="S3Clients.Create"/> for
/// endpoints and credentials). PUTs are atomic per key; the SDK retries throttling and 5xx. Every
/// SDK or transport error that remains surfaces as <see cref="StoreException"/> naming the key.
/// </summary>
public sealed class S3Store : IZarrStore
{
    private readonly IAmazonS3 _client;
    private readonly string _bucket;
    private readonly string _prefix;

    /// <summary>A store under <paramref name="prefix"/> (leading and trailing '/' ignored; "" for the bucket's root) of <paramref name="bucket"/>.</summary>
    public S3Store(IAmazonS3 client, string bucket, string prefix)
    {
        _client = client;
        _bucket = bucket;
        _prefix = prefix.Trim('/');
    }

    /// <summary>The store at s3://bucket/prefix, through <paramref name="client"/> or a client from <see cref="S3Clients.Create"/>.</summary>
    /// <exception cref="ZarrException">The URL is not s3://bucket/prefix.</exception>
    public static S3Store Open(string url, IAmazonS3? client = null)
    {
        if (!StorageLocation.TryParse(url, out var where, out string? error)) throw new ZarrException($"store location {error}");
        if (where.Kind != StorageKind.S3) throw new ZarrException($"'{where.Display}' is not an s3:// URL");
        return new S3Store(client ?? S3Clients.Create(), where.Bucket, where.Key);
    }

    /// <summary>s3://bucket/prefix (never credentials).</summary>
    public string Name => _prefix.Length == 0 ? $"s3://{_bucket}" : $"s3://{_bucket}/{_prefix}";

    private string ObjectKey(string key) => _prefix.Length == 0 ? key : $"{_prefix}/{key}";

    public async Task<byte[]?> GetAsync(string key, CancellationToken ct = default)
    {
        try
        {
            using var r = await _client.GetObjectAsync(_bucket, ObjectKey(key), ct).ConfigureAwait(false);
            using var ms = new MemoryStream();
            await r.ResponseStream.CopyToAsync(ms, ct).ConfigureAwait(false);
            return ms.ToArray();
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket") { return null; }
        catch (Exception e) when (IsBackendError(e, ct)) { throw Failure("read", key, e); }
    }

    public async Task SetAsync(string key, ReadOnlyMemory<byte> value, CancellationToken ct = default)
    {
        try
        {
            using var body = new MemoryStream(value.ToArray(), writable: false);
            // Plain (not aws-chunked) payloads: accepted by S3 and by every S3-compatible server.
            await _client.PutObjectAsync(new PutObjectRequest { BucketName = _bucket, Key = ObjectKey(key), InputStream = body, UseChunkEncoding = false }, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (IsBackendError(e, ct)) { throw Failure("write", key, e); }
    }

    public async Task DeleteAsync(string key, CancellationToken ct = default)
    {
        try { await _client.DeleteObjectAsync(_bucket, ObjectKey(key), ct).ConfigureAwait(false); }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket") { }
        catch (Exception e) when (IsBackendError(e, ct)) { throw Failure("delete", key, e); }
    }

    public async Task<bool> ExistsAsync(string key, CancellationToken ct = default)
    {
        try
        {
            await _client.GetObjectMetadataAsync(_bucket, ObjectKey(key), ct).ConfigureAwait(false);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            // A HEAD cannot say whether the key or the bucket is missing: ask the bucket once.
            await CheckBucketAsync(ct).ConfigureAwait(false);
            return false;
        }
        catch (Exception e) when (IsBackendError(e, ct)) { throw Failure("look up", key, e); }
    }

    public async IAsyncEnumerable<string> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var request = new ListObjectsV2Request { BucketName = _bucket, Prefix = ObjectKey(prefix) };
        int strip = _prefix.Length == 0 ? 0 : _prefix.Length + 1;
        while (true)
        {
            ListObjectsV2Response response;
            try { response = await _client.ListObjectsV2Async(request, ct).ConfigureAwait(false); }
            catch (Exception e) when (IsBackendError(e, ct)) { throw Failure("list", prefix, e); }
            foreach (var o in response.S3Objects ?? []) yield return o.Key[strip..];
            if (response.IsTruncated != true) yield break;
            request.ContinuationToken = response.NextContinuationToken;
        }
    }

    private async Task CheckBucketAsync(CancellationToken ct)
    {
        try { await _client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _bucket, MaxKeys = 1 }, ct).ConfigureAwait(false); }
        catch (Exception e) when (IsBackendError(e, ct)) { throw Failure("list", "", e); }
    }

    /// <summary>
    /// The SDK's service and client errors and the transport's, and a request timeout (a cancellation
    /// the caller did not ask for): what this store translates. A caller's own cancellation passes.
    /// </summary>
    private static bool IsBackendError(Exception e, CancellationToken ct)
        => e is Amazon.Runtime.AmazonServiceException or Amazon.Runtime.AmazonClientException or HttpRequestException or IOException or System.Net.Sockets.SocketException
           || e is OperationCanceledException && !ct.IsCancellationRequested;

    /// <summary>The one translation of a backend error: the store, the key and the reason (the SDK's messages carry no secrets).</summary>
    private StoreException Failure(string action, string key, Exception e)
    {
        string what = e switch
        {
            _ when Zagg.Cloud.S3Errors.IsMissingCredentials(e) => Zagg.Cloud.S3Errors.NoCredentials,
            Amazon.Runtime.AmazonServiceException { ErrorCode: "NoSuchBucket" } => $"bucket {_bucket} does not exist",
            Amazon.Runtime.AmazonServiceException { ErrorCode: "AccessDenied" or "InvalidAccessKeyId" or "SignatureDoesNotMatch" } s => $"access denied ({s.ErrorCode}): check the credentials",
            Amazon.Runtime.AmazonServiceException { StatusCode: not 0 } s => $"{(int)s.StatusCode} {s.ErrorCode}: {s.Message}",
            OperationCanceledException => "the request timed out",
            _ => e.Message,
        };
        return new StoreException(Name, action, key.Length == 0 && action == "list" ? "" : key, what, e);
    }
}
