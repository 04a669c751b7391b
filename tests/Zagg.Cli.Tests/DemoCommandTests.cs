using Xunit;

namespace Zagg.Cli.Tests;

/// <summary><c>zagg demo --out DIR</c> writes in a new, empty or earlier demo folder, and replaces nothing of a user's.</summary>
public class DemoCommandTests
{
    [Fact]
    public void A_folder_with_a_users_catalog_is_refused_and_left_as_it_was()
    {
        string dir = Directory.CreateTempSubdirectory("zagg-demo-theirs-").FullName;
        try
        {
            string catalog = Path.Combine(dir, "catalog.json");
            File.WriteAllText(catalog, "{\"mine\": true}");
            var r = CliRunner.Run("demo", "--out", dir);
            Assert.Equal(1, r.ExitCode);
            Assert.Contains($"{dir} already holds catalog.json, which zagg demo did not write and would replace: give --out a new or empty folder", r.Error);
            Assert.DoesNotContain("   at ", r.Error);
            Assert.Equal("{\"mine\": true}", File.ReadAllText(catalog));
            Assert.Equal([catalog], Directory.GetFileSystemEntries(dir));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void The_demo_writes_its_folder_again_and_beside_other_files()
    {
        string dir = Directory.CreateTempSubdirectory("zagg-demo-again-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "notes.txt"), "kept");
            Assert.Equal(0, CliRunner.Run("demo", "--out", dir).ExitCode);
            var second = CliRunner.Run("demo", "--out", dir);
            Assert.Equal(0, second.ExitCode);
            Assert.Contains("Done: 7 cells with data", second.Out);
            Assert.Equal("kept", File.ReadAllText(Path.Combine(dir, "notes.txt")));
            // A demo folder from before the marker (its granules there) is the demo's too.
            File.Delete(Path.Combine(dir, ".zagg-demo"));
            Assert.Equal(0, CliRunner.Run("demo", "--out", dir).ExitCode);
        }
        finally { Directory.Delete(dir, true); }
    }
}
