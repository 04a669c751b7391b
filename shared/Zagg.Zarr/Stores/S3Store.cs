using System.Net;
using System.Runtime.CompilerServices;
using Amazon.S3;
using Amazon.S3.Model;
using Zagg.Cloud;

namespace Zagg.Zarr.Stores;

/// <summary>
/// A bucket and prefix on S3 or any S3-compatible server (see <see cref="S3Clients.Create"/> for
/// endpoints and credentials). PUTs are atomic per key; the SDK retries throttling and 5xx.
/// </summary>
public sealed class S3Store : IZarrStore
{
    private readonly IAmazonS3 _client;
    private readonly string _bucket;
    private readonly string _prefix;

    public S3Store(IAmazonS3 client, string bucket, string prefix)
    {
        _client = client;
        _bucket = bucket;
        _prefix = prefix.Trim('/');
    }

    public static S3Store Open(string url, IAmazonS3? client = null)
    {
        if (!url.StartsWith("s3://", StringComparison.OrdinalIgnoreCase)) throw new ZarrException($"'{url}' is not an s3:// URL");
        string rest = url[5..].TrimEnd('/');
        int slash = rest.IndexOf('/');
        string bucket = slash < 0 ? rest : rest[..slash];
        if (bucket.Length == 0) throw new ZarrException($"'{url}' names no bucket; expected s3://bucket/prefix");
        return new S3Store(client ?? S3Clients.Create(), bucket, slash < 0 ? "" : rest[(slash + 1)..]);
    }

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
        catch (AmazonS3Exception e) { throw Failure("read", key, e); }
    }

    public async Task SetAsync(string key, ReadOnlyMemory<byte> value, CancellationToken ct = default)
    {
        try
        {
            using var body = new MemoryStream(value.ToArray(), writable: false);
            // Plain (not aws-chunked) payloads: accepted by S3 and by every S3-compatible server.
            await _client.PutObjectAsync(new PutObjectRequest { BucketName = _bucket, Key = ObjectKey(key), InputStream = body, UseChunkEncoding = false }, ct).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) { throw Failure("write", key, e); }
        catch (Exception e) when (e is HttpRequestException or Amazon.Runtime.AmazonServiceException) { throw new ZarrException($"{Name}: cannot write {key}: {e.Message}", e); }
    }

    public async Task DeleteAsync(string key, CancellationToken ct = default)
    {
        try { await _client.DeleteObjectAsync(_bucket, ObjectKey(key), ct).ConfigureAwait(false); }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket") { }
        catch (AmazonS3Exception e) { throw Failure("delete", key, e); }
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
        catch (AmazonS3Exception e) { throw Failure("look up", key, e); }
    }

    public async IAsyncEnumerable<string> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var request = new ListObjectsV2Request { BucketName = _bucket, Prefix = ObjectKey(prefix) };
        int strip = _prefix.Length == 0 ? 0 : _prefix.Length + 1;
        while (true)
        {
            ListObjectsV2Response response;
            try { response = await _client.ListObjectsV2Async(request, ct).ConfigureAwait(false); }
            catch (AmazonS3Exception e) { throw Failure("list", prefix, e); }
            foreach (var o in response.S3Objects ?? []) yield return o.Key[strip..];
            if (response.IsTruncated != true) yield break;
            request.ContinuationToken = response.NextContinuationToken;
        }
    }

    private async Task CheckBucketAsync(CancellationToken ct)
    {
        try { await _client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _bucket, MaxKeys = 1 }, ct).ConfigureAwait(false); }
        catch (AmazonS3Exception e) { throw Failure("list", "", e); }
    }

    private ZarrException Failure(string action, string key, AmazonS3Exception e)
    {
        string what = e.ErrorCode switch
        {
            "NoSuchBucket" => $"bucket {_bucket} does not exist",
            "AccessDenied" or "InvalidAccessKeyId" or "SignatureDoesNotMatch" => $"access denied ({e.ErrorCode}): check the credentials",
            _ => $"{(int)e.StatusCode} {e.ErrorCode}: {e.Message}",
        };
        return new ZarrException($"{Name}: cannot {action} {(key.Length == 0 ? "the bucket" : key)}: {what}", e);
    }
}
