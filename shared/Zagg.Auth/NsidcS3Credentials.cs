using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Amazon.Runtime;

namespace Zagg.Auth;

/// <summary>
/// Temporary S3 keys from NSIDC's s3credentials endpoint, asked with the Earthdata bearer token: the answer is
/// <c>{accessKeyId, secretAccessKey, sessionToken, expiration}</c> (about one hour; us-west-2 only). The SDK asks
/// for new keys in the background from 10 minutes before they expire (<see cref="RefreshingAWSCredentials.PreemptExpiryTime"/>)
/// and waits for them from 5 minutes before (<see cref="RefreshingAWSCredentials.ExpirationBuffer"/>), so a long run
/// never signs with expired keys.
/// </summary>
public sealed class NsidcS3Credentials : RefreshingAWSCredentials
{
    private readonly EarthdataLogin _login;

    /// <param name="login">The Earthdata session whose token the endpoint takes.</param>
    public NsidcS3Credentials(EarthdataLogin login)
    {
        _login = login;
        PreemptExpiryTime = TimeSpan.FromMinutes(5); // counted from the buffered expiry: 10 minutes ahead in all
        ExpirationBuffer = TimeSpan.FromMinutes(5);
    }

    /// <summary>How many times keys were asked from the endpoint.</summary>
    public int Requests { get; private set; }

    /// <summary>When the keys now held expire (null before the first request).</summary>
    public DateTimeOffset? KeysExpire { get; private set; }

    protected override CredentialsRefreshState GenerateNewCredentials()
        => GenerateNewCredentialsAsync().GetAwaiter().GetResult();

    protected override async Task<CredentialsRefreshState> GenerateNewCredentialsAsync()
    {
        var token = await _login.GetTokenAsync().ConfigureAwait(false);
        var endpoint = _login.Endpoints.S3Credentials;
        using var request = new HttpRequestMessage(HttpMethod.Get, endpoint);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Value);
        HttpResponseMessage response;
        try { response = await _login.Http.SendAsync(request).ConfigureAwait(false); }
        catch (HttpRequestException e)
        {
            throw new EarthdataAuthException($"s3credentials at {endpoint.Authority} cannot be reached ({e.HttpRequestError})", isTransient: true);
        }
        using (response)
        {
            Requests++;
            int status = (int)response.StatusCode;
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden || status is >= 300 and < 400)
                throw new EarthdataAuthException($"s3credentials at {endpoint.Authority} refused the Earthdata token sha256:{token.Fingerprint} (HTTP {status}): {EarthdataAuthException.HowToLogIn}");
            if (!response.IsSuccessStatusCode)
                throw new EarthdataAuthException($"s3credentials at {endpoint.Authority} answered HTTP {status}", isTransient: status >= 500 || status == 429);
            try
            {
                using var doc = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync().ConfigureAwait(false)).ConfigureAwait(false);
                var root = doc.RootElement;
                string key = root.GetProperty("accessKeyId").GetString()!, secret = root.GetProperty("secretAccessKey").GetString()!, session = root.GetProperty("sessionToken").GetString()!;
                // NSIDC writes "2024-01-01 12:00:00+00:00"; ISO 8601 is taken as well.
                var expiration = DateTimeOffset.Parse(root.GetProperty("expiration").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
                KeysExpire = expiration;
                return new CredentialsRefreshState(new ImmutableCredentials(key, secret, session), expiration.UtcDateTime);
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentNullException)
            {
                throw new EarthdataAuthException($"s3credentials at {endpoint.Authority} did not answer keys (accessKeyId, secretAccessKey, sessionToken, expiration)");
            }
        }
    }
}
