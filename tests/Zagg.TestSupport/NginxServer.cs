using System.Diagnostics;
using Xunit;

namespace Zagg.TestSupport;

/// <summary>Runs a test only where nginx is installed; under CI (CI=true) its absence is a failure, not a skip.</summary>
public sealed class NeedsNginxFactAttribute : FactAttribute
{
    public NeedsNginxFactAttribute()
    {
        if (!File.Exists(NginxServer.Binary) && Environment.GetEnvironmentVariable("CI") != "true")
            Skip = "nginx is not installed (apt-get install nginx-light; .ci/run installs it)";
    }
}

/// <summary>
/// A real nginx on a loopback port serving <see cref="Root"/> (by default the test's Fixtures folder): /files/ openly, /secret/ only with
/// "Authorization: Bearer test-token-123", /earthdata/ as NASA does (the token checked, then a 302 to a second
/// server on <see cref="NginxServer.SignedPort"/>, the "signed URL" host, which refuses any Authorization header);
/// /refused/ answers 401 to everything (a token Earthdata no longer takes).
/// </summary>
public class NginxServer : IAsyncLifetime
{
    public const string Binary = "/usr/sbin/nginx";
    public const string Token = "test-token-123";

    private string _dir = "";
    private Process? _process;

    public int Port { get; private set; }

    /// <summary>The nginx master's process id (its worker is its child), or null before it starts: a benchmark counts their CPU.</summary>
    public int? ProcessId => _process?.Id;

    /// <summary>The "signed URL" server: serves /signed/ with ?sig=ok, refuses any request carrying an Authorization header.</summary>
    public int SignedPort { get; private set; }

    public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

    /// <summary>The folder served (default: Fixtures beside the test assembly).</summary>
    protected virtual string Root => Path.Combine(AppContext.BaseDirectory, "Fixtures");

    /// <summary>A file of <see cref="Root"/> the server is ready when it serves.</summary>
    protected virtual string ProbeFile => "truth.json";

    public async Task InitializeAsync()
    {
        if (!File.Exists(Binary))
        {
            if (Environment.GetEnvironmentVariable("CI") == "true") throw new InvalidOperationException("nginx is required under CI but is not installed");
            return;
        }
        _dir = Directory.CreateTempSubdirectory("zagg-nginx").FullName;
        Port = LoopbackProcess.FreePort();
        SignedPort = LoopbackProcess.FreePort();
        // This server stands for an Earthdata host (its /secret/ and /earthdata/ check the token): the user names it in
        // ZAGG_TOKEN_HOSTS, as for a mirror. The signed-URL server is not named: it must never receive the token.
        AllowToken($"127.0.0.1:{Port}");
        string root = Root;
        string conf = Path.Combine(_dir, "nginx.conf");
        File.WriteAllText(conf, $$"""
            daemon off;
            worker_processes 1;
            pid {{_dir}}/nginx.pid;
            error_log {{_dir}}/error.log;
            user root;
            events { worker_connections 1024; }
            http {
              access_log off;
              client_body_temp_path {{_dir}}/body;
              proxy_temp_path {{_dir}}/proxy;
              fastcgi_temp_path {{_dir}}/fastcgi;
              uwsgi_temp_path {{_dir}}/uwsgi;
              scgi_temp_path {{_dir}}/scgi;
              server {
                listen 127.0.0.1:{{Port}};
                location /files/ { alias {{root}}/; }
                location /secret/ {
                  if ($http_authorization != "Bearer {{Token}}") { return 401; }
                  alias {{root}}/;
                }
                location /refused/ { return 401; }
                # The files at 256 KB/s a request: a run that takes seconds (tests that watch a run while it writes).
                location /slow/ { alias {{root}}/; limit_rate 256k; }
                location /earthdata/ {
                  if ($http_authorization != "Bearer {{Token}}") { return 401; }
                  rewrite ^/earthdata/(.*)$ http://127.0.0.1:{{SignedPort}}/signed/$1?sig=ok redirect;
                }
              }
              server {
                listen 127.0.0.1:{{SignedPort}};
                location /signed/ {
                  if ($http_authorization != "") { return 400; }
                  if ($arg_sig != "ok") { return 403; }
                  alias {{root}}/;
                }
              }
            }
            """);
        _process = Process.Start(new ProcessStartInfo(Binary, ["-c", conf, "-p", _dir]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        using var client = new HttpClient();
        for (int i = 0; i < 100; i++)
        {
            try
            {
                using var r = await client.GetAsync(Url("/files/" + ProbeFile));
                if (r.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            if (_process.HasExited) throw new InvalidOperationException($"nginx exited: {await _process.StandardError.ReadToEndAsync()} {ReadLog()}");
            await Task.Delay(100);
        }
        throw new InvalidOperationException($"nginx did not answer on port {Port}: {ReadLog()}");
    }

    /// <summary>Adds an authority to ZAGG_TOKEN_HOSTS for this process and the processes it starts.</summary>
    public static void AllowToken(string authority)
    {
        lock (TokenHostsLock)
        {
            string? now = Environment.GetEnvironmentVariable(Zagg.Hdf5.IO.TokenHosts.Variable);
            Environment.SetEnvironmentVariable(Zagg.Hdf5.IO.TokenHosts.Variable, string.IsNullOrEmpty(now) ? authority : $"{now},{authority}");
        }
    }

    private static readonly object TokenHostsLock = new();

    private string ReadLog() => File.Exists(Path.Combine(_dir, "error.log")) ? File.ReadAllText(Path.Combine(_dir, "error.log")) : "";

    public Task DisposeAsync()
    {
        LoopbackProcess.Stop(_process, _dir);
        return Task.CompletedTask;
    }
}
