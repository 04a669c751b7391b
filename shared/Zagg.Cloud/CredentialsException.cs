namespace Zagg.Cloud;

/// <summary>
/// The credentials a cloud client was given could not be had: their service refused them or could not be reached (for
/// example Earthdata Login behind NSIDC's temporary S3 keys). The message is one line naming the host; it never holds
/// a token, password or key. Byte sources and stores meet it through the SDK's credential provider and report it as a
/// credentials failure, not as a failed read.
/// </summary>
public class CredentialsException(string message, Exception? inner = null) : Exception(message, inner);
