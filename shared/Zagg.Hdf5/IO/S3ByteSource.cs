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
    private readonly string _bucket;
    private readonly string _key;

    private S3ByteSource(IAmazonS3 client, bool ownsClient, string bucket, string key, long length)
    {
        _client = client;
        _ownsClient = ownsClient;
        _bucket = bucket;
        _key = key;
        Length = length;
    }

    public string Name => $"s3://{_bucket}/{_key}";
    public long Length { get; }
    public ByteSourceStatistics Statistics { get; } = new();

    /// <summary>Opens s3://bucket/key, learning its length from a HEAD request.</summary>
    public static async Task<S3ByteSource> OpenAsync(string url, IAmazonS3? client = null, CancellationToken ct = default)
    {
        var (bucket, key) = ParseUrl(url);
        bool owns = client is null;
        client ??= S3Clients.Create();
        try
        {
            var head = await client.GetObjectMetadataAsync(bucket, key, ct).ConfigureAwait(false);
            return new S3ByteSource(client, owns, bucket, key, head.ContentLength);
        }
        catch (AmazonS3Exception e)
        {
            if (owns) client.Dispose();
            string hint = e.StatusCode switch
            {
                HttpStatusCode.NotFound => " (no such bucket or key)",
                HttpStatusCode.Forbidden => " (access denied: check the credentials and the region; NSIDC's bucket is readable only from us-west-2)",
                _ => "",
            };
            throw new Hdf5SourceException($"s3://{bucket}/{key}: {(int)e.StatusCode} {e.ErrorCode}{hint}", IsTransient(e), e);
        }
        catch (Exception e) when (e is AmazonServiceException or HttpRequestException or System.Net.Sockets.SocketException)
        {
            if (owns) client.Dispose();
            throw new Hdf5SourceException($"s3://{bucket}/{key}: cannot be reached: {e.Message}", transient: true, e);
        }
    }

    public async ValueTask ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (destination.Length == 0) return;
        if (offset < 0 || offset + destination.Length > Length)
            throw new Hdf5Exception($"{Name}: read of {destination.Length} bytes at {offset} is past the end ({Length} bytes); the object is truncated or damaged");
        var request = new GetObjectRequest { BucketName = _bucket, Key = _key, ByteRange = new ByteRange(offset, offset + destination.Length - 1) };
        try
        {
            using var response = await _client.GetObjectAsync(request, cancellationToken).ConfigureAwait(false);
            int done = 0;
            while (done < destination.Length)
            {
                int n = await response.ResponseStream.ReadAsync(destination[done..], cancellationToken).ConfigureAwait(false);
                if (n == 0) throw new Hdf5SourceException($"{Name}: the response ended after {done} of {destination.Length} bytes", transient: true);
                done += n;
            }
        }
        catch (AmazonServiceException e)
        {
            throw new Hdf5SourceException($"{Name}: reading bytes at {offset} failed: {e.Message}", IsTransient(e), e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or AmazonClientException)
        {
            throw new Hdf5SourceException($"{Name}: reading bytes at {offset} failed: {e.Message}", transient: true, e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            // The SDK's request timeout, not the caller's cancellation.
            throw new Hdf5SourceException($"{Name}: reading bytes at {offset} timed out", transient: true, e);
        }
        Statistics.Record(destination.Length);
    }

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
        return ValueTask.CompletedTask;
    }
}
