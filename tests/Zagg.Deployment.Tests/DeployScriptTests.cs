using System.Diagnostics;
using System.Text.RegularExpressions;
using Xunit;

namespace Zagg.Deployment.Tests;

/// <summary>
/// deployment/aws/deploy.sh without AWS: its --dry-run commands (what it would build, upload and deploy), the one-line
/// errors for bad input, a missing aws CLI and missing credentials (a stand-in CLI that fails like one without them).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DeployScriptTests
{
    private sealed record Result(int ExitCode, string Out, string Err)
    {
        public string[] Commands => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("+ ", StringComparison.Ordinal)).ToArray();
    }

    private static Result Run(string[] args, IDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Repository.DeployScript);
        foreach (string a in args) psi.ArgumentList.Add(a);
        psi.Environment.Remove("AWS_REGION");
        psi.Environment.Remove("AWS_DEFAULT_REGION");
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(60_000), "deploy.sh did not end within 60 s");
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    [Fact]
    public void AllDryRunBuildsForArm64UploadsAndDeploysTheTemplate()
    {
        var r = Run(["all", "--prefix", "z1", "--code-bucket", "code-bucket", "--memory", "640", "--dry-run"]);
        Assert.True(r.ExitCode == 0, r.Err);
        string[] c = r.Commands;
        Assert.Collection(c,
            l => Assert.StartsWith("+ rm -rf ", l),
            l => Assert.Matches(@"^\+ dotnet publish \S+/deployment/aws/Zagg\.Lambda/Zagg\.Lambda\.csproj -c Release -r linux-arm64 --self-contained true", l),
            l => Assert.StartsWith("+ rm -f ", l),
            l => Assert.Matches(@"^\+ \(cd \S+/publish && zip -q -r -y \S+\.zip \.\)$", l),
            l => Assert.Matches(@"^\+ aws s3 cp \S+\.zip s3://code-bucket/zagg-lambda/\S+\.zip --region us-west-2", l),
            l =>
            {
                Assert.StartsWith("+ aws cloudformation deploy --region us-west-2 --stack-name z1-zagg --template-file ", l);
                Assert.Contains(Repository.TemplatePath, l);
                Assert.Contains("--capabilities CAPABILITY_NAMED_IAM", l);
                Assert.Contains(" DeploymentPrefix=z1 ", l);
                Assert.Contains(" LambdaMemoryMB=640 ", l);
                Assert.Contains(" CodeS3Bucket=code-bucket ", l);
                Assert.Contains(" QueueVisibilityTimeoutSeconds=1800 ", l);
            },
            l => Assert.StartsWith("+ aws cloudformation describe-stacks --region us-west-2 --stack-name z1-zagg", l));
    }

    [Fact]
    public void EveryParameterTheScriptPassesIsOneOfTheTemplates()
    {
        var r = Run(["deploy", "--prefix", "z1", "--code-bucket", "b", "--dry-run"]);
        Assert.True(r.ExitCode == 0, r.Err);
        string deploy = Assert.Single(r.Commands, l => l.Contains("cloudformation deploy", StringComparison.Ordinal));
        string overrides = deploy[(deploy.IndexOf("--parameter-overrides", StringComparison.Ordinal) + 21)..];
        var names = Regex.Matches(overrides, @"(\w+)=").Select(m => m.Groups[1].Value).ToList();
        Assert.Contains("CodeS3Key", names);
        var template = CfnTemplate.Parse(File.ReadAllText(Repository.TemplatePath));
        foreach (string n in names) Assert.True(template.HasParameter(n), $"deploy.sh passes {n}, which the template does not declare");
    }

    [Fact]
    public void TeardownDeletesTheStackAndTheBucketItCreated()
    {
        var r = Run(["teardown", "--prefix", "z1", "--region", "eu-west-1", "--dry-run"]);
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains(r.Commands, l => l == "+ aws cloudformation delete-stack --region eu-west-1 --stack-name z1-zagg");
        Assert.Contains(r.Commands, l => l.StartsWith("+ aws s3 rm s3://", StringComparison.Ordinal) && l.Contains("--recursive", StringComparison.Ordinal));
        Assert.Contains(r.Commands, l => l.StartsWith("+ aws s3api delete-bucket ", StringComparison.Ordinal));

        var kept = Run(["teardown", "--prefix", "z1", "--keep-output", "--dry-run"]);
        Assert.Equal(0, kept.ExitCode);
        Assert.DoesNotContain(kept.Commands, l => l.Contains(" s3 rm ", StringComparison.Ordinal) || l.Contains("delete-bucket", StringComparison.Ordinal));
        Assert.Contains(kept.Commands, l => l.Contains("delete-stack", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(new[] { "deploy", "--code-bucket", "b" }, "--prefix is required")]
    [InlineData(new[] { "launch", "--prefix", "z1" }, "unknown command 'launch'")]
    [InlineData(new[] { "deploy", "--prefix", "Z_1", "--code-bucket", "b" }, "--prefix 'Z_1'")]
    [InlineData(new[] { "deploy", "--prefix", "z1" }, "--code-bucket is required")]
    [InlineData(new[] { "deploy", "--prefix", "z1", "--code-bucket", "b", "--memory", "64" }, "--memory '64'")]
    [InlineData(new[] { "deploy", "--prefix", "z1", "--code-bucket", "b", "--frobnicate" }, "unknown option '--frobnicate'")]
    public void BadInputEndsInOneLine(string[] args, string what)
    {
        var r = Run(args);
        Assert.Equal(1, r.ExitCode);
        string line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("deploy.sh: error: ", line);
        Assert.Contains(what, line);
        Assert.Empty(r.Commands);
    }

    [Fact]
    public void AMissingAwsCliIsNamed()
    {
        var r = Run(["teardown", "--prefix", "z1"], new Dictionary<string, string> { ["AWS_CLI"] = "/nonexistent/bin/aws" });
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith("deploy.sh: error: the aws CLI ('/nonexistent/bin/aws') is not installed", r.Err);
    }

    [Fact]
    public void MissingCredentialsAreNamedAndNothingIsDeleted()
    {
        string dir = Directory.CreateTempSubdirectory("zagg-deploy-").FullName;
        try
        {
            // A stand-in aws CLI that fails as the real one does without credentials, and logs every call.
            string fake = Path.Combine(dir, "aws");
            File.WriteAllText(fake, $"#!/bin/sh\necho \"$@\" >> '{dir}/calls'\necho 'Unable to locate credentials.' >&2\nexit 255\n");
            File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var r = Run(["teardown", "--prefix", "z1"], new Dictionary<string, string> { ["AWS_CLI"] = fake });
            Assert.Equal(1, r.ExitCode);
            string line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("deploy.sh: error: no usable AWS credentials for region us-west-2", line);
            Assert.Equal(["sts get-caller-identity --region us-west-2 --output text"], File.ReadAllLines(Path.Combine(dir, "calls")));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
