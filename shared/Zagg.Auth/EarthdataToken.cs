using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Zagg.Auth;

/// <summary>
/// An Earthdata Login bearer token with what is known of it. <see cref="ToString"/> and every property but
/// <see cref="Value"/> are safe to print: the fingerprint names the token without revealing it.
/// </summary>
/// <param name="Value">The token itself (secret: never logged, traced, put in a message or an exception).</param>
/// <param name="Expires">When it expires (UTC), if known.</param>
/// <param name="User">The Earthdata user it belongs to, if known.</param>
/// <param name="Source">Where it came from: "EARTHDATA_TOKEN", "EARTHDATA_USERNAME/EARTHDATA_PASSWORD", "~/.netrc", "cache".</param>
public sealed record EarthdataToken(string Value, DateTimeOffset? Expires, string? User, string Source)
{
    /// <summary>The first 12 hex digits of the token's SHA-256: tells tokens apart in a status line, reveals nothing.</summary>
    public string Fingerprint => Fingerprints.Of(Value);

    /// <summary>True when the token expires within <paramref name="margin"/> of <paramref name="now"/> (never, when the expiry is unknown).</summary>
    public bool ExpiresWithin(TimeSpan margin, DateTimeOffset now) => Expires is { } e && e - margin <= now;

    /// <summary>Never the token: "sha256:abc… (user, expires …)".</summary>
    public override string ToString() => $"sha256:{Fingerprint} ({User ?? "user unknown"}, {(Expires is { } e ? "expires " + e.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture) : "expiry unknown")}, from {Source})";

    /// <summary>
    /// A token given as is (EARTHDATA_TOKEN): Earthdata Login tokens are JWTs, so its user ("uid") and expiry ("exp")
    /// are read from its payload where it has one; otherwise both stay unknown.
    /// </summary>
    public static EarthdataToken FromValue(string value, string source)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        value = value.Trim();
        string? user = null;
        DateTimeOffset? expires = null;
        string[] parts = value.Split('.');
        if (parts.Length == 3)
        {
            try
            {
                string payload = parts[1].Replace('-', '+').Replace('_', '/');
                payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
                using var doc = JsonDocument.Parse(Convert.FromBase64String(payload));
                if (doc.RootElement.TryGetProperty("exp", out var exp) && exp.TryGetInt64(out long seconds)) expires = DateTimeOffset.FromUnixTimeSeconds(seconds);
                if (doc.RootElement.TryGetProperty("uid", out var uid) && uid.ValueKind == JsonValueKind.String) user = uid.GetString();
            }
            catch (Exception e) when (e is FormatException or JsonException or ArgumentException)
            {
                // Not a JWT after all: the token is still usable, only its expiry and user are unknown.
            }
        }
        return new EarthdataToken(value, expires, user, source);
    }
}

/// <summary>Fingerprints of secrets: enough to tell them apart, nothing to reuse.</summary>
public static class Fingerprints
{
    /// <summary>The first 12 hex digits (lowercase) of the SHA-256 of the secret's UTF-8 bytes.</summary>
    public static string Of(string secret)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(secret), hash);
        return Convert.ToHexStringLower(hash[..6]);
    }
}
