using System.Diagnostics;
using Xunit;

namespace Zagg.Cli.Tests;

/// <summary>
/// S3 with no credentials anywhere in the AWS chain: the SDK's failure lists every provider's error over several lines;
/// zagg says it in one line, once, and what to set. Run as a process, so the environment is the test's own.
/// </summary>
public class NoCredentialsTests
{
    [Theory]
    [InlineData("h5")]
    [InlineData("run")]
    [InlineData("sqs")]
    public async Task S3_without_credentials_is_one_line_saying_what_to_set(string verb)
    {
        string dir = Directory.CreateTempSubdirectory("zagg-nocreds").FullName;
        try
        {
            string catalog = Path.Combine(dir, "catalog.json");
            Assert.Equal(0, CliRunner.Run("catalog", "--files", Path.Combine(AppContext.BaseDirectory, "demo"), "--output", catalog).ExitCode);
            string[] args = verb switch
            {
                "h5" => ["h5", "ls", "s3://bucket/ATL06_x.h5"],
                "sqs" => ["run", "--catalog", catalog, "--store", Path.Combine(dir, "out.zarr"), "--transport", "sqs", "--sqs-prefix", "p"],
                _ => ["run", "--catalog", catalog, "--store", "s3://bucket/out.zarr"],
            };
            var (exit, stdout, stderr) = await ZaggAsync(dir, args, env =>
            {
                foreach (string name in new[] { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE",
                             "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "EARTHDATA_TOKEN", "EARTHDATA_USERNAME", "EARTHDATA_PASSWORD" })
                    env.Remove(name);
                env["HOME"] = dir; // no ~/.aws, no ~/.netrc
                env["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(dir, "none");
                env["AWS_CONFIG_FILE"] = Path.Combine(dir, "none");
                env["AWS_EC2_METADATA_DISABLED"] = "true";
                env["AWS_ENDPOINT_URL_S3"] = "http://127.0.0.1:9";
                env["AWS_ENDPOINT_URL_SQS"] = "http://127.0.0.1:9";
            });
            Assert.Equal(1, exit);
            string[] lines = stderr.Trim().Split('\n');
            Assert.Single(lines);
            Assert.StartsWith("zagg: error: ", lines[0]);
            Assert.Contains("no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", lines[0]);
            // A granule read also names the Earthdata login that gets NSIDC's keys; the store and the queues do not.
            Assert.Equal(verb == "h5", lines[0].Contains("Earthdata credentials (zagg auth login) get NSIDC's temporary keys", StringComparison.Ordinal));
            Assert.DoesNotContain("Exception", stderr + stdout);
            Assert.False(Directory.Exists(Path.Combine(dir, "out.zarr")));
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>
    /// zagg run --backend aws against a real region: the Lambdas cannot reach this machine's paths, so a local store or a
    /// catalog of local granules is refused in one line before anything is sent.
    /// </summary>
    [Theory]
    [InlineData("store")]
    [InlineData("granules")]
    public async Task The_aws_backend_refuses_paths_the_lambdas_cannot_reach(string what)
    {
        string dir = Directory.CreateTempSubdirectory("zagg-aws-local").FullName;
        try
        {
            string catalog = Path.Combine(dir, "catalog.json");
            Assert.Equal(0, CliRunner.Run("catalog", "--files", Path.Combine(AppContext.BaseDirectory, "demo"), "--output", catalog).ExitCode);
            string store = what == "store" ? Path.Combine(dir, "out.zarr") : "s3://bucket/out.zarr";
            var (exit, stdout, stderr) = await ZaggAsync(dir, ["run", "--catalog", catalog, "--store", store, "--backend", "aws", "--sqs-prefix", "p"], env =>
            {
                env.Remove("AWS_ENDPOINT_URL_SQS");
                env["AWS_REGION"] = "us-west-2";
                env["AWS_EC2_METADATA_DISABLED"] = "true";
            });
            Assert.Equal(1, exit);
            string line = Assert.Single(stderr.Trim().Split('\n'));
            Assert.StartsWith("zagg: error: --backend aws: the Lambdas cannot ", line);
            Assert.Contains(what == "store" ? "write the local store" : "read the local granule", line);
            Assert.DoesNotContain("worker process", stdout);
            Assert.False(Directory.Exists(Path.Combine(dir, "out.zarr")));
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>Runs zagg.dll as a process in <paramref name="dir"/>, its environment changed by <paramref name="environment"/>; waits at most 2 minutes.</summary>
    private static async Task<(int ExitCode, string Out, string Error)> ZaggAsync(string dir, string[] args, Action<IDictionary<string, string?>> environment)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "zagg.dll"));
        foreach (string a in args) psi.ArgumentList.Add(a);
        environment(psi.Environment);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        string stderr = await p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await p.WaitForExitAsync(timeout.Token);
        return (p.ExitCode, await stdout, stderr);
    }
}
