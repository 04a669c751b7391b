using Amazon.Runtime;

namespace Zagg.Cloud;

/// <summary>The one wording of S3 failures every Zagg S3 user shows the same way.</summary>
public static class S3Errors
{
    /// <summary>What to say when the SDK's credential chain finds no credentials (one line, no secret).</summary>
    public const string NoCredentials =
        "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE), or run where a role provides them; for an S3-compatible server also set AWS_ENDPOINT_URL_S3";

    /// <summary>
    /// Whether <paramref name="e"/> is the SDK's "no credentials anywhere in the chain" failure: an
    /// <see cref="AmazonClientException"/> whose message begins "Failed to resolve AWS credentials" (AWSSDK.Core 4.x has no
    /// type of its own for it, and its message lists every provider's error over several lines).
    /// </summary>
    public static bool IsMissingCredentials(Exception e)
        => e is AmazonClientException && e.Message.StartsWith("Failed to resolve AWS credentials", StringComparison.Ordinal);
}
