using Zagg.Hdf5.IO;

namespace Zagg.Auth;

/// <summary>
/// Hands byte sources what they need from an Earthdata session, by reference: the token through a provider (renewed
/// as it nears expiry; sent to Earthdata hosts only) and, where no AWS keys are configured, NSIDC's temporary S3 keys.
/// </summary>
public static class EarthdataAccess
{
    /// <summary>
    /// A <see cref="RemoteAccess"/> backed by <paramref name="login"/>: the bearer token for https links (to the link's
    /// host and Earthdata hosts only), and for s3 links NSIDC's keys when AWS_ACCESS_KEY_ID and AWS_PROFILE are unset
    /// and Earthdata credentials exist (else the AWS default chain).
    /// </summary>
    public static RemoteAccess Create(EarthdataLogin login, int maxConcurrentRequests = RemoteAccess.DefaultMaxConcurrentRequests)
    {
        ArgumentNullException.ThrowIfNull(login);
        bool awsConfigured = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID")) || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_PROFILE"));
        var keys = !awsConfigured && login.HasCredentials ? new NsidcS3Credentials(login) : null;
        return new RemoteAccess(login.BearerTokenAsync, login.Endpoints.IsEarthdataHost, keys, maxConcurrentRequests: maxConcurrentRequests);
    }

    /// <summary>
    /// Makes <paramref name="login"/> this process's way to remote granules (<see cref="RemoteAccess.Default"/>): every
    /// byte source opened without an explicit access uses it. Credentials stay in this process's memory.
    /// </summary>
    public static RemoteAccess UseForThisProcess(EarthdataLogin login)
    {
        var access = Create(login);
        RemoteAccess.Default = access;
        return access;
    }
}
