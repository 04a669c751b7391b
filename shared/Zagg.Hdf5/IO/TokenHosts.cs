namespace Zagg.Hdf5.IO;

/// <summary>
/// The hosts an Earthdata bearer token may be sent to: NASA's Earthdata hosts over https (<c>*.earthdata.nasa.gov</c>,
/// <c>*.earthdatacloud.nasa.gov</c>: the Earthdata Login host, the DAACs' data endpoints such as
/// <c>data.nsidc.earthdatacloud.nasa.gov</c>), and the host:port authorities the user names in the environment variable
/// <c>ZAGG_TOKEN_HOSTS</c> (comma-separated, e.g. a mirror or a test server; http allowed there). A link to any other
/// host — a third-party mirror in a catalog, the signed S3/CloudFront URL NASA redirects to — is read without the token.
/// </summary>
/// <remarks>Issue 13: "without sending the token to any host that is not an Earthdata host". The one rule for it;
/// Zagg.Auth's <c>EarthdataEndpoints.IsEarthdataHost</c> adds the configured Earthdata Login host.</remarks>
public static class TokenHosts
{
    /// <summary>The environment variable naming extra authorities (host:port) that may receive the token.</summary>
    public const string Variable = "ZAGG_TOKEN_HOSTS";

    /// <summary>Whether <paramref name="uri"/>'s host may receive the Earthdata token.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="uri"/> is null.</exception>
    public static bool Allows(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (uri.Scheme == Uri.UriSchemeHttps)
        {
            string host = uri.Host;
            if (host.EndsWith(".earthdata.nasa.gov", StringComparison.OrdinalIgnoreCase)
                || host.EndsWith(".earthdatacloud.nasa.gov", StringComparison.OrdinalIgnoreCase))
                return true;
        }
        string? extra = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(extra)) return false;
        foreach (var part in extra.AsSpan().Split(','))
            if (extra.AsSpan(part).Trim().Equals(uri.Authority, StringComparison.OrdinalIgnoreCase))
                return true;
        return false;
    }
}
