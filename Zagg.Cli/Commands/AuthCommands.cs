using System.CommandLine;
using System.Globalization;
using Zagg.Auth;

namespace Zagg.Cli.Commands;

/// <summary><c>zagg auth …</c>: log in to NASA Earthdata and see which token runs will use (never the token itself).</summary>
internal static class AuthCommands
{
    public static Command Build(CliConsole console)
    {
        var auth = new Command("auth", "Earthdata Login: get and cache a bearer token (EARTHDATA_TOKEN, EARTHDATA_USERNAME/EARTHDATA_PASSWORD or ~/.netrc), show its status.");
        auth.Subcommands.Add(Login(console));
        auth.Subcommands.Add(Status(console));
        return auth;
    }

    private static Command Login(CliConsole console)
    {
        var cmd = new Command("login", "Check the Earthdata credentials, get a token from Earthdata Login (an unexpired one, else a new one) and cache it (owner-only file).");
        cmd.SetAction(async (parse, ct) =>
        {
            using var login = Open();
            var token = await Guard(() => login.LoginAsync(ct));
            if (token.Source == "EARTHDATA_TOKEN")
            {
                // A token given in the environment is used as it is: nothing was asked of Earthdata Login, nothing cached.
                console.Out.WriteLine($"using EARTHDATA_TOKEN (sha256:{token.Fingerprint}, expires {Expiry(token)}) as given: not checked with {login.Endpoints.LoginHost} and not cached; the first remote read checks it");
                return 0;
            }
            console.Out.WriteLine($"logged in to {login.Endpoints.LoginHost} as {token.User ?? "(user unknown)"}; token sha256:{token.Fingerprint}, expires {Expiry(token)}");
            console.Out.WriteLine(File.Exists(login.Cache.Path) ? $"token cached in {login.Cache.Path}" : $"token not cached: {login.Cache.Path} could not be written");
            return 0;
        });
        return cmd;
    }

    private static Command Status(CliConsole console)
    {
        var cmd = new Command("status", "Show who is logged in, which token runs will use (its fingerprint) and when it expires. Asks nothing of the network.");
        cmd.SetAction((parse, ct) =>
        {
            using var login = Open();
            if (login.Peek() is not { } token)
                throw new CliException($"not logged in to {login.Endpoints.LoginHost}: {(login.HasCredentials ? "run 'zagg auth login'" : "set EARTHDATA_TOKEN, or EARTHDATA_USERNAME and EARTHDATA_PASSWORD, or a ~/.netrc entry, then run 'zagg auth login'")}");
            bool expired = token.ExpiresWithin(TimeSpan.Zero, DateTimeOffset.UtcNow);
            console.Out.WriteLine($"host     {login.Endpoints.LoginHost}");
            console.Out.WriteLine($"user     {token.User ?? "(unknown)"}");
            console.Out.WriteLine($"token    sha256:{token.Fingerprint} (from {token.Source})");
            console.Out.WriteLine($"expires  {Expiry(token)}{(expired ? " — EXPIRED: run 'zagg auth login'" : "")}");
            return Task.FromResult(expired ? ZaggCli.Failure : 0);
        });
        return cmd;
    }

    private static readonly Lock SessionLock = new();
    private static (string Environment, EarthdataLogin Login, Zagg.Hdf5.IO.RemoteAccess Access)? _session;

    /// <summary>
    /// The session, made once per environment it depends on (the Earthdata and s3credentials URLs, AWS keys or
    /// profile, the S3 endpoint): a host that changes them (a test, an embedding program) gets a new session rather
    /// than one still pointing at the old endpoints. The environment is compared, never kept beyond this key.
    /// </summary>
    private static (EarthdataLogin Login, Zagg.Hdf5.IO.RemoteAccess Access) Session
    {
        get
        {
            string environment = string.Join('\n', new[] { "ZAGG_EDL_URL", "ZAGG_S3CREDENTIALS_URL", "AWS_ENDPOINT_URL_S3", "AWS_PROFILE" }
                .Select(v => Environment.GetEnvironmentVariable(v) ?? "")
                .Append(string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID")) ? "" : "aws-keys"));
            lock (SessionLock)
            {
                if (_session is { } s && s.Environment == environment) return (s.Login, s.Access);
                var login = Open();
                var access = EarthdataAccess.UseForThisProcess(login);
                _session = (environment, login, access);
                return (login, access);
            }
        }
    }

    /// <summary>
    /// This process's Earthdata session, made the way every remote byte source of the process (h5 verbs, the in-process
    /// worker of zagg run) reaches granules. Asks nothing of the network until a remote read needs a token or keys.
    /// </summary>
    internal static Zagg.Hdf5.IO.RemoteAccess RemoteAccess => Session.Access;

    /// <summary>
    /// Before a run over remote links: where credentials exist, gets the token now so a wrong password ends the run
    /// before it starts, in one line, rather than failing every cell.
    /// </summary>
    internal static async Task CheckBeforeRunAsync(CancellationToken ct)
    {
        var (login, _) = Session;
        if (login.HasCredentials) await Guard(async () => await login.GetTokenAsync(ct));
    }

    /// <summary>The session the CLI uses (endpoints from ZAGG_EDL_URL / ZAGG_S3CREDENTIALS_URL).</summary>
    internal static EarthdataLogin Open()
    {
        try { return new EarthdataLogin(EarthdataEndpoints.FromEnvironment()); }
        catch (EarthdataAuthException e) { throw new CliException(e.Message); }
    }

    internal static async Task<T> Guard<T>(Func<Task<T>> work)
    {
        try { return await work(); }
        catch (EarthdataAuthException e) { throw new CliException(e.Message); }
    }

    private static string Expiry(EarthdataToken token)
        => token.Expires is { } e ? e.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : "unknown";
}
