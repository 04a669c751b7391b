using Xunit;

namespace Zagg.Cli.Tests;

/// <summary>
/// A numeric option given text it cannot read ends in one line of ours (zagg: error: --order: 'x' is not an integer,
/// exit 1), never System.CommandLine's type names, on every command (one parser for all: OptionValues); defaults and
/// good values still read.
/// </summary>
public sealed class OptionValueTests
{
    [Theory]
    [InlineData(new[] { "render", "no-such.zarr", "--order", "x" }, "--order: 'x' is not an integer")]
    [InlineData(new[] { "render", "no-such.zarr", "--order", "1.5" }, "--order: '1.5' is not an integer")]
    [InlineData(new[] { "run", "--config", "c.yaml", "--catalog", "c.json", "--store", "s.zarr", "--max-workers", "many" }, "--max-workers: 'many' is not an integer")]
    [InlineData(new[] { "view", "s.zarr", "--port", "80a" }, "--port: '80a' is not an integer")]
    [InlineData(new[] { "grid", "cell", "--nested", "1e3", "--order", "3" }, "--nested: '1e3' is not an integer")]
    // Options with a range check as well: the check is not run on text that did not read (it threw, a stack trace).
    [InlineData(new[] { "grid", "locate", "--order", "x" }, "--order: 'x' is not an integer")]
    [InlineData(new[] { "grid", "cell", "-6134114", "--step", "x" }, "--step: 'x' is not an integer")]
    [InlineData(new[] { "run", "--catalog", "c.json", "--store", "s.zarr", "--workers", "x" }, "--workers: 'x' is not an integer")]
    [InlineData(new[] { "run", "--catalog", "c.json", "--store", "s.zarr", "--lambda-memory", "lots" }, "--lambda-memory: 'lots' is not an integer")]
    [InlineData(new[] { "catalog", "--files", "g", "--parent-order", "six" }, "--parent-order: 'six' is not an integer")]
    // A whole number the option's type cannot hold is out of range, not "not an integer".
    [InlineData(new[] { "run", "--catalog", "c.json", "--store", "s.zarr", "--max-cells", "99999999999" }, "--max-cells: '99999999999' is out of range for an integer (at most 2147483647)")]
    [InlineData(new[] { "render", "no-such.zarr", "--order", "-99999999999" }, "--order: '-99999999999' is out of range for an integer (at least -2147483648)")]
    [InlineData(new[] { "grid", "cell", "--nested", "99999999999999999999", "--order", "3" }, "--nested: '99999999999999999999' is out of range for an integer (at most 9223372036854775807)")]
    public void A_number_option_given_text_is_one_clear_line(string[] args, string message)
    {
        var r = CliRunner.Run(args);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal($"zagg: error: {message}\n", r.Error.ReplaceLineEndings("\n"));
        Assert.DoesNotContain("System.", r.Error);
        Assert.Equal("", r.Out);
    }

    [Theory]
    [InlineData(new[] { "--max-workers", "0" }, "--max-workers must be at least 1, not 0")]
    [InlineData(new[] { "--workers", "0" }, "--workers must be at least 1, not 0")]
    [InlineData(new[] { "--transport", "kafka" }, "--transport must be memory, rabbitmq or sqs, not 'kafka'")]
    [InlineData(new[] { "--driver", "ftp" }, "--driver must be s3 or https, not 'ftp'")]
    [InlineData(new[] { "--backend", "gcp" }, "--backend must be local or aws, not 'gcp'")]
    [InlineData(new[] { "--lambda-memory", "64" }, "--lambda-memory must be a Lambda memory size, 128 to 10240 MB, not 64")]
    [InlineData(new[] { "--retries", "-1" }, "--retries must be at least 0, not -1")]
    [InlineData(new[] { "--parent-order", "40" }, "--parent-order must be in 1–18, not 40")]
    [InlineData(new[] { "--max-cells", "0" }, "--max-cells must be at least 1, not 0")]
    [InlineData(new[] { "--cycle", "0" }, "--cycle 0: ICESat-2 cycles are numbered from 1")]
    // An unknown option and its value: the first error only ("Unrecognized command or argument '--files'"), not one line each.
    [InlineData(new[] { "--files", "granules" }, "Unrecognized command or argument '--files'.")]
    public void A_run_value_out_of_range_is_a_usage_error_before_anything_starts(string[] option, string message)
    {
        // The catalog and store need not exist: the command line is refused before they are looked at.
        var r = CliRunner.Run(["run", "--catalog", "no-such.json", "--store", "no-such.zarr", .. option]);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal($"zagg: {message}\nTry 'zagg run --help'.\n", r.Error.ReplaceLineEndings("\n"));
        Assert.Equal("", r.Out);
    }

    [Theory]
    [InlineData(new[] { "run", "--catalog", "", "--store", "s.zarr" }, "--catalog is empty")]
    [InlineData(new[] { "run", "--catalog", "c.json", "--store", "" }, "--store is empty")]
    [InlineData(new[] { "run", "--catalog", "c.json", "--store", " " }, "--store is empty")]
    [InlineData(new[] { "run", "--config", "", "--catalog", "c.json", "--store", "s.zarr" }, "--config is empty")]
    [InlineData(new[] { "catalog", "--files", "", "--output", "c.json" }, "--files is empty")]
    [InlineData(new[] { "catalog", "--files", "g", "--output", "" }, "--output is empty")]
    [InlineData(new[] { "demo", "--out", "" }, "--out is empty")]
    public void An_empty_text_option_is_a_usage_error(string[] args, string message)
    {
        // Each of these crashed with a stack trace (an empty path), read the current folder, or made a folder named ' '.
        var r = CliRunner.Run(args);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal($"zagg: {message}\nTry 'zagg {args[0]} --help'.\n", r.Error.ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData(new[] { "frobnicate" }, "Unrecognized command or argument 'frobnicate'.", "zagg --help")]
    [InlineData(new[] { "grid", "frobnicate" }, "Unrecognized command or argument 'frobnicate'.", "zagg grid --help")]
    [InlineData(new[] { "grid", "cell", "--bogus", "x" }, "Unrecognized command or argument 'x'.", "zagg grid cell --help")]
    public void The_hint_names_the_help_of_the_verb_reached(string[] args, string message, string help)
    {
        var r = CliRunner.Run(args);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal($"zagg: {message}\nTry '{help}'.\n", r.Error.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Good_values_and_defaults_still_read()
    {
        // --nested and --order read; --step keeps its default (1: the 4 corners) when not given.
        var grid = CliRunner.Run("grid", "cell", "--nested", "5", "--order", "3");
        Assert.True(grid.ExitCode == 0, grid.Error);
        Assert.Contains("nested        5", grid.Out);
        var range = CliRunner.Run("grid", "cell", "--nested", "5", "--order", "3", "--step", "0");
        Assert.Equal(2, range.ExitCode); // a value read, then out of range: the command's own check, unchanged
        Assert.Contains("--step must be in 1–1000, not 0", range.Error);
    }
}
