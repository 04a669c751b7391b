using Xunit;
using Zagg.TestSupport;

namespace Zagg.Auth.Tests;

/// <summary>A clock tests move by hand.</summary>
internal sealed class ManualClock : TimeProvider
{
    public DateTimeOffset Now { get; set; } = DateTimeOffset.UtcNow;
    public override DateTimeOffset GetUtcNow() => Now;
}

public sealed class EarthdataLoginTests : IAsyncLifetime
{
    private readonly FakeEarthdata _edl = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("zagg-auth").FullName;
    private readonly Dictionary<string, string> _env = new();

    public async Task InitializeAsync()
    {
        await _edl.InitializeAsync();
        _edl.AddUser("alice", "correct horse");
    }

    public async Task DisposeAsync()
    {
        await _edl.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private EarthdataEndpoints Endpoints => new(_edl.LoginUrl, _edl.S3CredentialsUrl);
    private string CachePath => Path.Combine(_dir, "cache", "zagg", "earthdata-token.json");
    private string NetrcPath => Path.Combine(_dir, ".netrc");

    private EarthdataLogin Login(TimeProvider? time = null)
        => new(Endpoints, new TokenCache(CachePath), environment: v => _env.GetValueOrDefault(v), netrcPath: NetrcPath, time: time);

    [Fact]
    public async Task UsernameAndPassword_CreateAToken_CachedOwnerOnly_ThenReused()
    {
        _env["EARTHDATA_USERNAME"] = "alice";
        _env["EARTHDATA_PASSWORD"] = "correct horse";
        using (var login = Login())
        {
            var token = await login.GetTokenAsync();
            Assert.True(_edl.IsValid(token.Value));
            Assert.Equal("alice", token.User);
            Assert.Equal(1, _edl.TokenLists);
            Assert.Equal(1, _edl.TokenCreations);
            Assert.DoesNotContain(token.Value, token.ToString());
            Assert.Contains(token.Fingerprint, token.ToString());
        }
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(CachePath));
        using (var again = Login())
        {
            var token = await again.GetTokenAsync();
            Assert.Equal("cache", token.Source);
            Assert.Equal(0, again.TokenRequests);
            Assert.Equal(1, _edl.TokenLists); // the cache answered: Earthdata Login was not asked again
        }
    }

    [Fact]
    public async Task AnUnexpiredToken_IsFound_NotCreated()
    {
        string existing = _edl.IssueToken("alice", TimeSpan.FromDays(30));
        _env["EARTHDATA_USERNAME"] = "alice";
        _env["EARTHDATA_PASSWORD"] = "correct horse";
        using var login = Login();
        var token = await login.GetTokenAsync();
        Assert.Equal(existing, token.Value);
        Assert.Equal(0, _edl.TokenCreations);
    }

    [Fact]
    public async Task NetrcEntry_ForTheLoginHost_IsUsed()
    {
        _edl.AddUser("bob", "hunter2");
        File.WriteAllText(NetrcPath, $"machine elsewhere.org login x password y\nmachine {_edl.LoginUrl.Host} login bob password hunter2\n");
        using var login = Login();
        var token = await login.GetTokenAsync();
        Assert.Equal("bob", token.User);
        Assert.Equal("~/.netrc", token.Source);
        Assert.True(_edl.IsValid(token.Value));
    }

    [Fact]
    public async Task WrongPassword_OneClearError_NotTransient_NoSecret()
    {
        _env["EARTHDATA_USERNAME"] = "alice";
        _env["EARTHDATA_PASSWORD"] = "wrong password";
        using var login = Login();
        var e = await Assert.ThrowsAsync<EarthdataAuthException>(async () => await login.GetTokenAsync());
        Assert.False(e.IsTransient);
        Assert.Contains(_edl.LoginUrl.Authority, e.Message);
        Assert.Contains("zagg auth login", e.Message);
        Assert.Contains("HTTP 401", e.Message);
        Assert.Contains("'alice' from EARTHDATA_USERNAME/EARTHDATA_PASSWORD", e.Message);
        Assert.DoesNotContain("wrong password", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.False(File.Exists(CachePath));
    }

    [Fact]
    public async Task WrongNetrcPassword_NamesTheNetrcEntry()
    {
        _edl.AddUser("bob", "hunter2");
        File.WriteAllText(NetrcPath, $"machine {_edl.LoginUrl.Host} login bob password stale\n");
        using var login = Login();
        var e = await Assert.ThrowsAsync<EarthdataAuthException>(async () => await login.GetTokenAsync());
        Assert.False(e.IsTransient);
        Assert.Contains("'bob' from ~/.netrc (HTTP 401)", e.Message);
        Assert.DoesNotContain("stale", e.Message);
    }

    [Fact]
    public async Task NoCredentials_SaysHowToLogIn()
    {
        using var login = Login();
        var e = await Assert.ThrowsAsync<EarthdataAuthException>(async () => await login.GetTokenAsync());
        Assert.Contains("EARTHDATA_TOKEN", e.Message);
        Assert.Contains(_edl.LoginUrl.Host, e.Message);
        Assert.Equal(0, _edl.TokenLists);
    }

    [Fact]
    public async Task GivenToken_ItsUserAndExpiry_ReadFromTheJwt_AnExpiredOneRefused()
    {
        string token = _edl.IssueToken("carol", TimeSpan.FromHours(5));
        _env["EARTHDATA_TOKEN"] = token;
        using var login = Login();
        var held = await login.GetTokenAsync();
        Assert.Equal("carol", held.User);
        Assert.NotNull(held.Expires);
        Assert.InRange(held.Expires!.Value - DateTimeOffset.UtcNow, TimeSpan.FromHours(4.9), TimeSpan.FromHours(5.1));
        Assert.Equal(0, _edl.TokenLists);

        var clock = new ManualClock { Now = DateTimeOffset.UtcNow + TimeSpan.FromHours(6) };
        using var late = Login(clock);
        var e = await Assert.ThrowsAsync<EarthdataAuthException>(async () => await late.GetTokenAsync());
        Assert.Contains("expired", e.Message);
        Assert.DoesNotContain(token, e.Message);
    }

    [Fact]
    public async Task ATokenNearItsExpiry_IsRenewed_MidRun()
    {
        _env["EARTHDATA_USERNAME"] = "alice";
        _env["EARTHDATA_PASSWORD"] = "correct horse";
        _edl.TokenLifetime = TimeSpan.FromDays(3);
        var clock = new ManualClock();
        using var login = Login(clock);
        var first = await login.GetTokenAsync();
        clock.Now += TimeSpan.FromDays(1);
        Assert.Same(first, await login.GetTokenAsync()); // far from expiry: held
        Assert.Equal(1, _edl.TokenCreations);
        clock.Now = first.Expires!.Value - TimeSpan.FromMinutes(5); // inside the renewal margin
        _edl.TokenLifetime = TimeSpan.FromDays(10);
        var second = await login.GetTokenAsync();
        Assert.NotEqual(first.Value, second.Value);
        Assert.Equal(2, _edl.TokenCreations);
        Assert.True(second.Expires > first.Expires);
    }

    [Fact]
    public async Task S3Keys_FromTheToken_RefreshedBeforeExpiry()
    {
        _env["EARTHDATA_USERNAME"] = "alice";
        _env["EARTHDATA_PASSWORD"] = "correct horse";
        _edl.KeyLifetime = TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(2); // renewed from 10 minutes ahead
        using var login = Login();
        var keys = new NsidcS3Credentials(login);
        var first = await keys.GetCredentialsAsync();
        Assert.Equal("S3RVER", first.AccessKey);
        Assert.StartsWith("FakeSessionToken", first.Token);
        Assert.Same(first.Token, (await keys.GetCredentialsAsync()).Token);
        Assert.Equal(1, _edl.KeyRequests);
        await Task.Delay(TimeSpan.FromSeconds(3));
        var second = await keys.GetCredentialsAsync();
        for (int i = 0; i < 50 && second.Token == first.Token; i++)
        {
            await Task.Delay(100); // the renewal may run in the background
            second = await keys.GetCredentialsAsync();
        }
        Assert.NotEqual(first.Token, second.Token);
        Assert.Equal(2, _edl.KeyRequests);
    }

    [Fact]
    public async Task S3Keys_ARefusedToken_NamesTheHostAndFingerprint_NotTheToken()
    {
        _env["EARTHDATA_TOKEN"] = "not-a-token-the-server-knows";
        using var login = Login();
        var keys = new NsidcS3Credentials(login);
        var e = await Assert.ThrowsAsync<EarthdataAuthException>(async () => await keys.GetCredentialsAsync());
        Assert.Contains(_edl.LoginUrl.Authority, e.Message);
        Assert.Contains(Fingerprints.Of("not-a-token-the-server-knows"), e.Message);
        Assert.DoesNotContain("not-a-token-the-server-knows", e.Message);
        Assert.False(e.IsTransient);
    }
}
