using Zagg.Hdf5.IO;
namespace Zagg.Auth;

/// <summary>
/// Where Earthdata Login and NSIDC's s3credentials endpoint are: NASA's by default, else the base URLs in the
/// environment (<c>ZAGG_EDL_URL</c>, <c>ZAGG_S3CREDENTIALS_URL</c>) so tests and other DAACs point them elsewhere.
/// </summary>
/// <param name="Login">The Earthdata Login base URL (the token API is under <c>/api/users/</c>).</param>
/// <param name="S3Credentials">The s3credentials endpoint (answers temporary S3 keys for a bearer token).</param>
public sealed record EarthdataEndpoints(Uri Login, Uri S3Credentials)
{
    /// <summary>NASA's Earthdata Login (operational).</summary>
    public const string DefaultLogin = "https://urs.earthdata.nasa.gov";

    /// <summary>NSIDC's s3credentials endpoint (temporary keys for the nsidc-cumulus-prod-protected bucket, us-west-2).</summary>
    public const string DefaultS3Credentials = "https://data.nsidc.earthdatacloud.nasa.gov/s3credentials";

    /// <summary>The endpoints named by the environment, else NASA's.</summary>
    /// <exception cref="EarthdataAuthException">A variable holds something that is not an absolute http(s) URL.</exception>
    public static EarthdataEndpoints FromEnvironment()
        => new(Url("ZAGG_EDL_URL", DefaultLogin), Url("ZAGG_S3CREDENTIALS_URL", DefaultS3Credentials));

    /// <summary>The Earthdata Login host as a ~/.netrc <c>machine</c> names it (host only, no port).</summary>
    public string LoginHost => Login.Host;

    /// <summary>
    /// Whether a URL's authority (host and port) may receive the bearer token: the Earthdata Login host, and the hosts of
    /// <see cref="TokenHosts.Allows"/> (NASA's Earthdata hosts over https, ZAGG_TOKEN_HOSTS). Never a signed-URL host.
    /// </summary>
    public bool IsEarthdataHost(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return string.Equals(uri.Authority, Login.Authority, StringComparison.OrdinalIgnoreCase) || TokenHosts.Allows(uri);
    }

    private static Uri Url(string variable, string fallback)
    {
        string? text = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(text)) return new Uri(fallback);
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new EarthdataAuthException($"{variable} is not an http(s) URL");
        return uri;
    }
}
