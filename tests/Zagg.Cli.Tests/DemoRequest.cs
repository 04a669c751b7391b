using Xunit;
using Zagg.Contracts;

namespace Zagg.Cli.Tests;

/// <summary>A RunRequested over the demo granules' catalog (written with zagg catalog into <paramref name="dir"/>).</summary>
internal static class DemoRequest
{
    public static RunRequested Create(string dir)
    {
        string catalog = Path.Combine(dir, "catalog.json");
        Assert.Equal(0, CliRunner.Run("catalog", "--files", Path.Combine(AppContext.BaseDirectory, "demo"), "--output", catalog).ExitCode);
        return new RunRequested
        {
            RunId = Guid.NewGuid(),
            Spec = new RunSpec { Config = ConfigReference.BuiltIn("atl06"), Catalog = catalog, Store = Path.Combine(dir, "out.zarr"), RequestedAt = DateTimeOffset.UtcNow },
        };
    }
}
