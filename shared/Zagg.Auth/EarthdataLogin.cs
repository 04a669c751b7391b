namespace Zagg.Auth;

/// <summary>
/// The orchestrating side's Earthdata session: finds the user's credentials, gets a bearer token through the EDL
/// token API, caches it (in memory and in <see cref="TokenCache"/>) with its expiry and renews it before it expires.
/// Safe to share between threads. Credentials are taken, in order, from EARTHDATA_TOKEN; EARTHDATA_USERNAME and
/// EARTHDATA_PASSWORD; the ~/.netrc entry for the Earthdata Login host. A token cached for that host is used before
/// asking EDL again.
/// </summary>
public sealed class EarthdataLogin : IDisposable
{
    /// <summary>A token is renewed when it expires within this margin.</summary>
    public static readonly TimeSpan RenewalMargin = TimeSpan.FromMinutes(10);

    private readonly Func<string, string?> _environment;
    private readonly string _netrcPath;
    private readonly TimeProvider _time;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private EarthdataToken? _token;

    /// <param name="endpoints">Where Earthdata Login is.</param>
    /// <param name="cache">The token cache file (null: <see cref="TokenCache.DefaultPath"/>).</param>
    /// <param name="http">The client for the token API (null: one of its own, no automatic redirects).</param>
    /// <param name="environment">Reads environment variables (tests give their own; null: the process's).</param>
    /// <param name="netrcPath">The netrc file (null: <see cref="Netrc.DefaultPath"/>).</param>
    /// <param name="time">The clock (tests move it; null: the system's).</param>
    public EarthdataLogin(EarthdataEndpoints endpoints, TokenCache? cache = null, HttpClient? http = null,
        Func<string, string?>? environment = null, string? netrcPath = null, TimeProvider? time = null)
    {
        Endpoints = endpoints;
        Cache = cache ?? new TokenCache(TokenCache.DefaultPath);
        _environment = environment ?? Environment.GetEnvironmentVariable;
        _netrcPath = netrcPath ?? Netrc.DefaultPath;
        _time = time ?? TimeProvider.System;
        _ownsHttp = http is null;
        _http = http ?? new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(60) };
        Tokens = new EarthdataTokenClient(_http, endpoints);
    }

    /// <summary>Where Earthdata Login and s3credentials are.</summary>
    public EarthdataEndpoints Endpoints { get; }

    /// <summary>The token cache file.</summary>
    public TokenCache Cache { get; }

    /// <summary>The token API client.</summary>
    public EarthdataTokenClient Tokens { get; }

    /// <summary>How many times a token was asked from Earthdata Login (found or created), for tests and status.</summary>
    public int TokenRequests { get; private set; }

    /// <summary>The HTTP client the session talks through (no automatic redirects).</summary>
    internal HttpClient Http => _http;

    /// <summary>
    /// A token valid for at least <see cref="RenewalMargin"/>: the one in memory, else EARTHDATA_TOKEN, else the cached
    /// one, else one found or created with the user's username and password.
    /// </summary>
    /// <exception cref="EarthdataAuthException">No credentials anywhere, or Earthdata Login refused or failed.</exception>
    public async ValueTask<EarthdataToken> GetTokenAsync(CancellationToken ct = default)
    {
        var now = _time.GetUtcNow();
        if (_token is { } held && !held.ExpiresWithin(RenewalMargin, now)) return held;
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            now = _time.GetUtcNow();
            if (_token is { } again && !again.ExpiresWithin(RenewalMargin, now)) return again;
            _token = await AcquireAsync(useCache: true, now, ct).ConfigureAwait(false);
            return _token;
        }
        finally { _gate.Release(); }
    }

    /// <summary>A bearer token provider for byte sources: the token's value, renewed as it nears its expiry.</summary>
    public async ValueTask<string?> BearerTokenAsync(CancellationToken ct) => (await GetTokenAsync(ct).ConfigureAwait(false)).Value;

    /// <summary>
    /// Logs in afresh (the cache is not trusted): a token from the credentials, written to the cache.
    /// </summary>
    /// <exception cref="EarthdataAuthException">No credentials, or Earthdata Login refused or failed.</exception>
    public async Task<EarthdataToken> LoginAsync(CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            _token = await AcquireAsync(useCache: false, _time.GetUtcNow(), ct).ConfigureAwait(false);
            return _token;
        }
        finally { _gate.Release(); }
    }

    /// <summary>Whether any Earthdata credentials are at hand (a token given or cached, a username and password, a netrc entry); no network.</summary>
    public bool HasCredentials => Peek() is not null || Credentials().User is not null;

    /// <summary>The token a run would use, without asking Earthdata Login (EARTHDATA_TOKEN, else the cache), or null.</summary>
    public EarthdataToken? Peek()
        => _environment("EARTHDATA_TOKEN") is { Length: > 0 } given ? EarthdataToken.FromValue(given, "EARTHDATA_TOKEN") : Cache.Read(Endpoints.LoginHost);

    private async Task<EarthdataToken> AcquireAsync(bool useCache, DateTimeOffset now, CancellationToken ct)
    {
        if (_environment("EARTHDATA_TOKEN") is { Length: > 0 } given)
        {
            var token = EarthdataToken.FromValue(given, "EARTHDATA_TOKEN");
            if (token.ExpiresWithin(TimeSpan.Zero, now))
                throw new EarthdataAuthException($"EARTHDATA_TOKEN (sha256:{token.Fingerprint}) expired at {token.Expires:yyyy-MM-dd HH:mm} UTC: generate a new token at {Endpoints.Login.GetLeftPart(UriPartial.Authority)} or {EarthdataAuthException.HowToLogIn}");
            return token;
        }
        var (user, password, source) = Credentials();
        if (useCache && Cache.Read(Endpoints.LoginHost) is { } cached && !cached.ExpiresWithin(RenewalMargin, now)
            && (user is null || cached.User is null || string.Equals(cached.User, user, StringComparison.Ordinal)))
            return cached;
        if (user is null || password is null)
            throw new EarthdataAuthException($"no Earthdata credentials for {Endpoints.LoginHost}: {EarthdataAuthException.HowToLogIn}");
        TokenRequests++;
        var fresh = await Tokens.FindOrCreateAsync(user, password, source, now, ct).ConfigureAwait(false);
        try { Cache.Write(Endpoints.LoginHost, fresh); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A cache that cannot be written costs a token request next time, nothing more.
        }
        return fresh;
    }

    private (string? User, string? Password, string Source) Credentials()
    {
        string? user = _environment("EARTHDATA_USERNAME"), password = _environment("EARTHDATA_PASSWORD");
        if (!string.IsNullOrEmpty(user) && !string.IsNullOrEmpty(password)) return (user, password, "EARTHDATA_USERNAME/EARTHDATA_PASSWORD");
        if (Netrc.FindInFile(_netrcPath, Endpoints.LoginHost) is { } entry) return (entry.Login, entry.Password, "~/.netrc");
        return (null, null, "none");
    }

    public void Dispose()
    {
        if (_ownsHttp) _http.Dispose();
        _gate.Dispose();
    }
}
