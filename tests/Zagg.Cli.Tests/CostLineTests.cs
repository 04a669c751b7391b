using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit;

namespace Zagg.Cli.Tests;

/// <summary>zagg run's cost lines (--backend aws, --lambda-memory) over the demo granules, and its refusals.</summary>
public sealed class CostLineTests
{
    private static readonly string Demo = Path.Combine(AppContext.BaseDirectory, "demo");

    [Fact]
    public void AwsDryRunPrintsTheEstimate()
    {
        string dir = Directory.CreateTempSubdirectory("zagg-cost").FullName;
        try
        {
            string catalog = Path.Combine(dir, "catalog.json");
            Assert.Equal(0, CliRunner.Run("catalog", "--files", Demo, "--output", catalog).ExitCode);
            var r = CliRunner.Run("run", "--catalog", catalog, "--store", Path.Combine(dir, "out.zarr"), "--dry-run", "--backend", "aws", "--sqs-prefix", "zagg1");
            Assert.True(r.ExitCode == 0, r.Error);
            Assert.Contains("cells   7 of 7", r.Out);
            // The plan is shown, and what the real run would refuse is said: the Lambdas cannot write a local store.
            Assert.Contains("zagg: warning: --backend aws: the Lambdas cannot write the local store", r.Error);
            Assert.Matches(@"(?m)^estimated cost \(us-west-2 prices of 2026-11-30, 512 MB arm64 Lambda\): \$\d+\.\d{4} for 7 cells, \$\d\.\d{6} per cell ", r.Out);
            Assert.False(Directory.Exists(Path.Combine(dir, "out.zarr")));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void ALocalRunWithALambdaMemoryPricesItsOwnCellTimes()
    {
        string dir = Directory.CreateTempSubdirectory("zagg-cost").FullName;
        try
        {
            string catalog = Path.Combine(dir, "catalog.json");
            Assert.Equal(0, CliRunner.Run("catalog", "--files", Demo, "--output", catalog).ExitCode);
            string store = Path.Combine(dir, "out.zarr");
            var r = CliRunner.Run("run", "--catalog", catalog, "--store", store, "--lambda-memory", "1024");
            Assert.True(r.ExitCode == 0, r.Error);
            string[] lines = r.Out.Split('\n');
            int estimate = Array.FindIndex(lines, l => l.StartsWith("estimated cost (us-west-2 prices of 2026-11-30, 1024 MB", StringComparison.Ordinal));
            int done = Array.FindIndex(lines, l => l.StartsWith("Done: ", StringComparison.Ordinal));
            int measured = Array.FindIndex(lines, l => l.StartsWith("cost on AWS Lambda at this run's cell times (us-west-2 prices of 2026-11-30, 1024 MB", StringComparison.Ordinal));
            Assert.True(estimate >= 0 && done > estimate && measured > done, r.Out);

            // The measured GB-s are the report's cell durations (1 GB each), each rounded up to the millisecond.
            var report = JsonDocument.Parse(File.ReadAllText(store + ".report.json")).RootElement;
            double gbSeconds = report.GetProperty("cells").EnumerateArray()
                .Sum(c => Math.Ceiling(c.GetProperty("duration_s").GetDouble() * 1000 - 1e-9) / 1000);
            var m = Regex.Match(lines[measured], @"Lambda (\d+\.\d) GB-s");
            Assert.True(m.Success, lines[measured]);
            // The line shows one decimal; the report rounds each duration to the millisecond (7 cells: ≤ 0.007 GB-s apart).
            Assert.InRange(double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), gbSeconds - 0.06, gbSeconds + 0.06);
            Assert.Contains("for 7 cells", lines[measured]);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData("--backend aws --dry-run", "--backend aws needs --sqs-prefix P")]
    [InlineData("--backend aws --sqs-prefix a.b --dry-run", "--sqs-prefix must be")]
    [InlineData("--sqs-prefix zagg1 --dry-run", "--sqs-prefix names the queues of --transport sqs")]
    [InlineData("--backend aws --sqs-prefix zagg1 --transport rabbitmq --dry-run", "leave out --transport")]
    [InlineData("--backend aws --sqs-prefix zagg1", "needs an endpoint: AWS_ENDPOINT_URL_SQS")]
    public void RefusalsAreOneLine(string options, string message)
    {
        string dir = Directory.CreateTempSubdirectory("zagg-cost").FullName;
        try
        {
            string catalog = Path.Combine(dir, "catalog.json");
            Assert.Equal(0, CliRunner.Run("catalog", "--files", Demo, "--output", catalog).ExitCode);
            string[] args = ["run", "--catalog", catalog, "--store", Path.Combine(dir, "out.zarr"), .. options.Split(' ')];
            var r = CliRunner.Run(args);
            Assert.Equal(1, r.ExitCode);
            string line = Assert.Single(r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("zagg: error: ", line);
            Assert.Contains(message, line);
            Assert.False(Directory.Exists(Path.Combine(dir, "out.zarr")));
        }
        finally { Directory.Delete(dir, true); }
    }
}
