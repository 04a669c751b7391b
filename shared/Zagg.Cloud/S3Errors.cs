using Amazon.Runtime;

namespace Zagg.Cloud;

/// <summary>The one wording of S3 failures every Zagg S3 user shows the same way.</summary>
public static class S3Errors
{
    /// <summary>What to say when the SDK's credential chain finds no credentials, for any AWS service (one line, no secret).</summary>
    public const string NoAwsCredentials =
        "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE), or run where a role provides them";

    /// <summary>What to say when the SDK's credential chain finds no credentials for S3 (one line, no secret).</summary>
    public const string NoCredentials = NoAwsCredentials + "; for an S3-compatible server also set AWS_ENDPOINT_URL_S3";

    /// <summary>
    /// One line for an AWS SDK failure: <see cref="NoAwsCredentials"/> for a missing credential chain, else the first
    /// line of the innermost exception's message (the SDK's own messages can run over several lines).
    /// </summary>
    public static string OneLine(Exception e)
    {
        if (IsMissingCredentials(e)) return NoAwsCredentials;
        string m = e.GetBaseException().Message;
        int nl = m.IndexOfAny(['\r', '\n']);
        return nl < 0 ? m : m[..nl].TrimEnd(':', ' ');
    }

    /// <summary>
    /// Whether <paramref name="e"/> is the SDK's "no credentials anywhere in the chain" failure: an
    /// <see cref="AmazonClientException"/> whose message begins "Failed to resolve AWS credentials" (AWSSDK.Core 4.x has no
    /// type of its own for it, and its message lists every provider's error over several lines).
    /// </summary>
    public static bool IsMissingCredentials(Exception e)
        => e is AmazonClientException && e.Message.StartsWith("Failed to resolve AWS credentials", StringComparison.Ordinal);
}
