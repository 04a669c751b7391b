using System.Diagnostics;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Xunit;

namespace Zagg.TestSupport;

/// <summary>Runs a test only where s3rver is installed (tools/node, by npm ci); under CI its absence is a failure.</summary>
public sealed class NeedsS3rverFactAttribute : FactAttribute
{
    public NeedsS3rverFactAttribute()
    {
        if (S3rverServer.Script is null && Environment.GetEnvironmentVariable("CI") != "true")
            Skip = "s3rver is not installed (npm ci --prefix tools/node; .ci/run does it)";
    }
}

/// <summary>A real s3rver on a loopback port with an empty bucket "fixtures".</summary>
public sealed class S3rverServer : IAsyncLifetime
{
    public const string Bucket = "fixtures";

    private string _dir = "";
    private Process? _process;

    public static string? Script => LoopbackProcess.RepositoryRoot() is { } root
        && Path.Combine(root, "tools", "node", "node_modules", "s3rver", "bin", "s3rver.js") is var s && File.Exists(s) ? s : null;

    public string Endpoint { get; private set; } = "";

    /// <summary>A client for this server with s3rver's fixed test credentials.</summary>
    public IAmazonS3 Client() => new AmazonS3Client(new BasicAWSCredentials("S3RVER", "S3RVER"), new AmazonS3Config
    {
        ServiceURL = Endpoint,
        ForcePathStyle = true,
        AuthenticationRegion = "us-east-1",
        RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
    });

    public async Task InitializeAsync()
    {
        string? script = Script;
        if (script is null)
        {
            if (Environment.GetEnvironmentVariable("CI") == "true") throw new InvalidOperationException("s3rver is required under CI but tools/node has no s3rver");
            return;
        }
        _dir = Directory.CreateTempSubdirectory("zagg-s3rver").FullName;
        int port = LoopbackProcess.FreePort();
        Endpoint = $"http://127.0.0.1:{port}";
        var start = new ProcessStartInfo("node", [script, "-d", _dir, "-a", "127.0.0.1", "-p", port.ToString(), "--silent", "--configure-bucket", Bucket])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        // s3rver hashes listing continuation tokens with an algorithm OpenSSL 3 keeps in its legacy provider.
        start.Environment["NODE_OPTIONS"] = "--openssl-legacy-provider";
        _process = Process.Start(start)!;
        using var client = Client();
        for (int i = 0; ; i++)
        {
            try
            {
                await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket });
                break;
            }
            catch (Exception) when (i < 100 && !_process.HasExited) { await Task.Delay(100); }
        }
    }

    /// <summary>Uploads a file; plain payloads, since s3rver stores aws-chunked uploads verbatim.</summary>
    public async Task UploadAsync(string key, string file)
    {
        using var client = Client();
        await client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, FilePath = file, UseChunkEncoding = false });
    }

    public Task DisposeAsync()
    {
        LoopbackProcess.Stop(_process, _dir);
        return Task.CompletedTask;
    }
}
