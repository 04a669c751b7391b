using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace Zagg.TestSupport;

/// <summary>
/// A fake NASA Earthdata Login (the user token API: GET /api/users/tokens, POST /api/users/token, basic auth) and
/// NSIDC s3credentials endpoint (GET /s3credentials with a bearer token → temporary keys), on Kestrel at 127.0.0.1.
/// Tokens are JWT-shaped (payload {"uid","exp"}), so their expiry can be seconds away for refresh tests. At most two
/// valid tokens per user, as EDL allows.
/// </summary>
public sealed class FakeEarthdata : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, string> _users = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string User, DateTimeOffset Expires)> _tokens = new(StringComparer.Ordinal);
    private WebApplication? _app;
    private int _keys;

    /// <summary>The base URL (ZAGG_EDL_URL).</summary>
    public Uri LoginUrl { get; private set; } = null!;

    /// <summary>The s3credentials URL (ZAGG_S3CREDENTIALS_URL).</summary>
    public Uri S3CredentialsUrl => new(LoginUrl, "s3credentials");

    /// <summary>How long a token created by POST /api/users/token lives (default 60 days, as EDL's).</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromDays(60);

    /// <summary>How long keys from /s3credentials live (default 1 hour, as NSIDC's).</summary>
    public TimeSpan KeyLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The access key id handed out (s3rver accepts "S3RVER"); the n-th answer's secret is this too, its session token differs.</summary>
    public string AccessKeyId { get; set; } = "S3RVER";

    /// <summary>The secret key handed out.</summary>
    public string SecretAccessKey { get; set; } = "S3RVER";

    public int TokenLists;
    public int TokenCreations;
    public int KeyRequests;

    /// <summary>Every session token handed out (tests search logs and stores for them).</summary>
    public ConcurrentBag<string> SessionTokens { get; } = [];

    /// <summary>Adds a user.</summary>
    public void AddUser(string name, string password) => _users[name] = password;

    /// <summary>Issues a token for a user directly (as if made in the EDL web page).</summary>
    public string IssueToken(string user, TimeSpan life)
    {
        var expires = DateTimeOffset.UtcNow + life;
        string Part(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        string token = $"{Part("{\"typ\":\"JWT\",\"alg\":\"none\"}")}.{Part($"{{\"uid\":\"{user}\",\"exp\":{expires.ToUnixTimeSeconds()},\"n\":\"{Guid.NewGuid():N}\"}}")}.fakesig";
        _tokens[token] = (user, expires);
        return token;
    }

    public async Task InitializeAsync()
    {
        _app = LoopbackWebApp.CreateBuilder().Build();
        _app.MapGet("/api/users/tokens", (HttpContext c) =>
        {
            Interlocked.Increment(ref TokenLists);
            if (User(c) is not { } user) return Results.Json(new { error = "invalid_credentials", error_description = "Invalid user credentials" }, statusCode: 401);
            var now = DateTimeOffset.UtcNow;
            var list = _tokens.Where(t => t.Value.User == user && t.Value.Expires > now)
                .Select(t => new { access_token = t.Key, token_type = "Bearer", expiration_date = t.Value.Expires.ToString("M/d/yyyy", System.Globalization.CultureInfo.InvariantCulture) }).ToArray();
            return Results.Json(list);
        });
        _app.MapPost("/api/users/token", (HttpContext c) =>
        {
            Interlocked.Increment(ref TokenCreations);
            if (User(c) is not { } user) return Results.Json(new { error = "invalid_credentials", error_description = "Invalid user credentials" }, statusCode: 401);
            var now = DateTimeOffset.UtcNow;
            if (_tokens.Count(t => t.Value.User == user && t.Value.Expires > now) >= 2)
                return Results.Json(new { error = "max_token_limit", error_description = "This user already has the maximum number of tokens" }, statusCode: 403);
            string token = IssueToken(user, TokenLifetime);
            return Results.Json(new { access_token = token, token_type = "Bearer", expiration_date = _tokens[token].Expires.ToString("M/d/yyyy", System.Globalization.CultureInfo.InvariantCulture) });
        });
        _app.MapGet("/s3credentials", (HttpContext c) =>
        {
            Interlocked.Increment(ref KeyRequests);
            string auth = c.Request.Headers.Authorization.ToString();
            if (!auth.StartsWith("Bearer ", StringComparison.Ordinal) || !IsValid(auth[7..])) return Results.StatusCode(401);
            int n = Interlocked.Increment(ref _keys);
            string session = $"FakeSessionToken{n}x{Guid.NewGuid():N}";
            SessionTokens.Add(session);
            return Results.Json(new
            {
                accessKeyId = AccessKeyId,
                secretAccessKey = SecretAccessKey,
                sessionToken = session,
                expiration = (DateTimeOffset.UtcNow + KeyLifetime).ToString("yyyy-MM-dd HH:mm:ss+00:00", System.Globalization.CultureInfo.InvariantCulture),
            });
        });
        await _app.StartAsync();
        LoginUrl = new Uri(LoopbackWebApp.BaseUrl(_app) + "/");
    }

    /// <summary>Whether a bearer token is one this server issued and has not expired.</summary>
    public bool IsValid(string token) => _tokens.TryGetValue(token, out var t) && t.Expires > DateTimeOffset.UtcNow;

    private string? User(HttpContext c)
    {
        string auth = c.Request.Headers.Authorization.ToString();
        if (!auth.StartsWith("Basic ", StringComparison.Ordinal)) return null;
        string pair;
        try { pair = Encoding.UTF8.GetString(Convert.FromBase64String(auth[6..])); }
        catch (FormatException) { return null; }
        int colon = pair.IndexOf(':');
        if (colon < 0) return null;
        string user = pair[..colon];
        return _users.TryGetValue(user, out string? password) && password == pair[(colon + 1)..] ? user : null;
    }

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }
}
