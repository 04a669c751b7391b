using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Zagg.Auth;

/// <summary>
/// The Earthdata Login user token API (EDL documentation, "User Token Management"): <c>GET /api/users/tokens</c>
/// lists the user's tokens, <c>POST /api/users/token</c> creates one (at most two are valid at a time); both with
/// HTTP basic authentication. Answers are JSON objects <c>{access_token, token_type, expiration_date}</c>, the date
/// as M/D/YYYY (valid to the end of that day, UTC).
/// </summary>
public sealed class EarthdataTokenClient(HttpClient http, EarthdataEndpoints endpoints)
{
    /// <summary>A token found or created for the user is only taken when it outlives this margin.</summary>
    public static readonly TimeSpan MinimumLife = TimeSpan.FromHours(1);

    /// <summary>
    /// An unexpired token of the user (the one expiring last and outliving <see cref="MinimumLife"/> from
    /// <paramref name="now"/>), else a new one.
    /// </summary>
    /// <exception cref="EarthdataAuthException">Wrong username or password (401/403, not transient), the token API
    /// failed (5xx, unreachable: transient) or answered something that is not a token list.</exception>
    public async Task<EarthdataToken> FindOrCreateAsync(string username, string password, string source, DateTimeOffset now, CancellationToken ct = default)
    {
        EarthdataToken? best = null;
        using (var list = await SendAsync(HttpMethod.Get, "api/users/tokens", username, password, source, ct).ConfigureAwait(false))
        {
            if (list.RootElement.ValueKind != JsonValueKind.Array) throw Malformed("api/users/tokens");
            foreach (var item in list.RootElement.EnumerateArray())
            {
                var token = Parse(item, username, source);
                if (token is null || token.ExpiresWithin(MinimumLife, now)) continue;
                if (best is null || token.Expires > best.Expires) best = token;
            }
        }
        if (best is not null) return best;
        using var created = await SendAsync(HttpMethod.Post, "api/users/token", username, password, source, ct).ConfigureAwait(false);
        return Parse(created.RootElement, username, source) ?? throw Malformed("api/users/token");
    }

    private async Task<JsonDocument> SendAsync(HttpMethod method, string path, string username, string password, string source, CancellationToken ct)
    {
        var uri = new Uri(endpoints.Login, path);
        using var request = new HttpRequestMessage(method, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}")));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        HttpResponseMessage response;
        try { response = await http.SendAsync(request, ct).ConfigureAwait(false); }
        catch (HttpRequestException e)
        {
            throw new EarthdataAuthException($"Earthdata Login at {endpoints.Login.Authority} cannot be reached ({e.HttpRequestError})", isTransient: true);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new EarthdataAuthException($"Earthdata Login at {endpoints.Login.Authority} did not answer in time", isTransient: true);
        }
        using (response)
        {
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                throw new EarthdataAuthException($"Earthdata Login at {endpoints.Login.Authority} refused the username and password of '{username}' from {source} (HTTP {(int)response.StatusCode}): {EarthdataAuthException.HowToLogIn}");
            if (!response.IsSuccessStatusCode)
                throw new EarthdataAuthException($"Earthdata Login at {endpoints.Login.Authority} answered HTTP {(int)response.StatusCode} to {method} /{path}", isTransient: (int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests);
            try { return await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false), cancellationToken: ct).ConfigureAwait(false); }
            catch (JsonException) { throw Malformed(path); }
        }
    }

    private static EarthdataToken? Parse(JsonElement item, string user, string source)
    {
        if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("access_token", out var value) || value.GetString() is not { Length: > 0 } token) return null;
        DateTimeOffset? expires = null;
        if (item.TryGetProperty("expiration_date", out var date) && date.GetString() is { } text
            && DateTime.TryParseExact(text, ["M/d/yyyy", "MM/dd/yyyy", "yyyy-MM-dd"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var day))
            expires = new DateTimeOffset(day.Date.AddDays(1), TimeSpan.Zero);
        // A JWT's own "exp" is more precise than the list's date.
        var fromValue = EarthdataToken.FromValue(token, source);
        return new EarthdataToken(token, fromValue.Expires ?? expires, fromValue.User ?? user, source);
    }

    private EarthdataAuthException Malformed(string path) => new($"Earthdata Login at {endpoints.Login.Authority}: /{path} did not answer a token (is ZAGG_EDL_URL an Earthdata Login server?)");
}
