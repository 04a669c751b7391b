using Zagg.Cloud;

namespace Zagg.Auth;

/// <summary>
/// Earthdata Login or the s3credentials endpoint refused or failed. The message is one line that names the host and
/// says what to do; it never holds a token, password or key.
/// </summary>
public sealed class EarthdataAuthException : CredentialsException
{
    public EarthdataAuthException(string message, bool isTransient = false, Exception? inner = null) : base(message, inner) => IsTransient = isTransient;

    /// <summary>True where trying again later may pass (5xx, unreachable); false for a refusal (401/403) or no credentials.</summary>
    public bool IsTransient { get; }

    /// <summary>The hint every refusal ends with.</summary>
    internal const string HowToLogIn = "set EARTHDATA_TOKEN, or EARTHDATA_USERNAME and EARTHDATA_PASSWORD, or a ~/.netrc entry for the Earthdata Login host, then run 'zagg auth login'";
}
