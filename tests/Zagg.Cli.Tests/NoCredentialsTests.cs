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
    public async Task S3_without_credentials_is_one_line_saying_what_to_set(string verb)
    {
        string dir = Directory.CreateTempSubdirectory("zagg-nocreds").FullName;
        try
        {
            string catalog = Path.Combine(dir, "catalog.json");
            Assert.Equal(0, CliRunner.Run("catalog", "--files", Path.Combine(AppContext.BaseDirectory, "demo"), "--output", catalog).ExitCode);
            string[] args = verb == "h5"
                ? ["h5", "ls", "s3://bucket/ATL06_x.h5"]
                : ["run", "--catalog", catalog, "--store", "s3://bucket/out.zarr"];
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir };
            psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "zagg.dll"));
            foreach (string a in args) psi.ArgumentList.Add(a);
            foreach (string name in new[] { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE",
                         "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "EARTHDATA_TOKEN", "EARTHDATA_USERNAME", "EARTHDATA_PASSWORD" })
                psi.Environment.Remove(name);
            psi.Environment["HOME"] = dir; // no ~/.aws, no ~/.netrc
            psi.Environment["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(dir, "none");
            psi.Environment["AWS_CONFIG_FILE"] = Path.Combine(dir, "none");
            psi.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
            psi.Environment["AWS_ENDPOINT_URL_S3"] = "http://127.0.0.1:9";
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            string stderr = await p.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await p.WaitForExitAsync(timeout.Token);
            Assert.Equal(1, p.ExitCode);
            string[] lines = stderr.Trim().Split('\n');
            Assert.Single(lines);
            Assert.StartsWith("zagg: error: ", lines[0]);
            Assert.Contains("no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", lines[0]);
            Assert.DoesNotContain("Exception", stderr + await stdout);
            Assert.False(Directory.Exists(Path.Combine(dir, "out.zarr")));
        }
        finally { Directory.Delete(dir, true); }
    }
}
