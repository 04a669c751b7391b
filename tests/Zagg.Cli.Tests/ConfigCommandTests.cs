using Xunit;
using Zagg.TestSupport;

namespace Zagg.Cli.Tests;

/// <summary><c>zagg config</c>: the built-in configurations, and one's YAML to start from.</summary>
public class ConfigCommandTests
{
    [Fact]
    public void Lists_the_built_in_configurations()
    {
        var r = CliRunner.Run("config");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("atl06\n", r.Out.Replace("\r\n", "\n"));
    }

    [Fact]
    public void Prints_a_built_in_as_the_repository_s_file_and_it_runs_as_a_path()
    {
        string root = LoopbackProcess.RepositoryRoot() ?? throw new InvalidOperationException("the repository root is not above the test folder");
        var r = CliRunner.Run("config", "atl06");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(File.ReadAllText(Path.Combine(root, "configs", "atl06.yaml")), r.Out);
        // What a user does with it: save it and name the file.
        string dir = Directory.CreateTempSubdirectory("zagg-config-").FullName;
        try
        {
            string copy = Path.Combine(dir, "my.yaml");
            File.WriteAllText(copy, r.Out.Replace("child_order: 12}", "child_order: 10}"));
            var loaded = Zagg.Pipeline.Config.ConfigLoader.Load(copy);
            Assert.Equal(10, loaded.Grid.ChildOrder);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void An_unknown_name_is_one_line_naming_the_built_ins()
    {
        var r = CliRunner.Run("config", "atl08");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("", r.Out);
        Assert.Contains("'atl08' is not a built-in configuration (atl06)", r.Error);
        Assert.DoesNotContain("   at ", r.Error);
        Assert.Single(r.Error.TrimEnd('\n').Split('\n'));
    }
}
