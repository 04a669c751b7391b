using Amazon;
using Amazon.Runtime;
using Amazon.S3;

namespace Zagg.Cloud;

/// <summary>S3 clients configured the way every Zagg S3 user needs them.</summary>
public static class S3Clients
{
    /// <summary>
    /// A client for the standard AWS credential chain, or for explicit credentials.
    /// AWS_ENDPOINT_URL_S3 (else AWS_ENDPOINT_URL) selects another S3-compatible endpoint, with
    /// path-style addressing; the region defaults to AWS_REGION, else us-west-2 (NSIDC's).
    /// Checksums are computed only when an operation requires them, which every S3-compatible
    /// server accepts.
    /// </summary>
    public static IAmazonS3 Create(AWSCredentials? credentials = null)
    {
        var config = new AmazonS3Config
        {
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            // Throttling (503 SlowDown) and transient 5xx are retried with backoff by the SDK.
            RetryMode = RequestRetryMode.Standard,
            MaxErrorRetry = 8,
        };
        string? endpoint = Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_S3") ?? Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL");
        string region = Environment.GetEnvironmentVariable("AWS_REGION") ?? Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION") ?? "us-west-2";
        if (!string.IsNullOrEmpty(endpoint))
        {
            config.ServiceURL = endpoint;
            config.ForcePathStyle = true;
            config.AuthenticationRegion = region;
        }
        else config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        return credentials is null ? new AmazonS3Client(config) : new AmazonS3Client(credentials, config);
    }
}
