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
    public void A_number_option_given_text_is_one_clear_line(string[] args, string message)
    {
        var r = CliRunner.Run(args);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal($"zagg: error: {message}\n", r.Error.ReplaceLineEndings("\n"));
        Assert.DoesNotContain("System.", r.Error);
        Assert.Equal("", r.Out);
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
