using Xunit;
using Zagg.Pipeline.Catalogs;
using Zagg.Pipeline.Config;

namespace Zagg.Pipeline.Tests;

/// <summary>A catalog of local granules counts the points that are in no cell because their position is not one.</summary>
public class FilesCatalogTests
{
    private static readonly string Dir = Path.Combine(AppContext.BaseDirectory, "TestSet");

    [Theory]
    [InlineData("authalic")]
    [InlineData("geodetic-spherical")]
    public async Task Points_without_a_valid_position_are_counted_per_granule(string latitude)
    {
        var config = ConfigLoader.Load("atl06");
        config = config with { Grid = config.Grid with { Latitude = Zagg.Grid.LatitudeConventionNames.Parse(latitude) } };
        var files = Directory.GetFiles(Dir, "*.h5").Order().ToList();
        var read = await GranuleCatalog.ReadFilesAsync(files, 6, config);
        // tools/fixtures/atl06_testset.py: NaN latitudes at rows 5 and 500 of the second granule's gt2l, nowhere else.
        Assert.Equal(2, read.InvalidPositions);
        Assert.Equal(1, read.GranulesWithInvalidPositions);
        var alone = await GranuleCatalog.ReadFilesAsync([files[0], files[2], files[3]], 6, config);
        Assert.Equal(0, alone.InvalidPositions);
        // The fixture script leaves gt3r out of the third granule only.
        Assert.Empty(read.GroupsInNoGranule);
        Assert.Equal(["gt3r"], (await GranuleCatalog.ReadFilesAsync([files[2]], 6, config)).GroupsInNoGranule);
        Assert.Equal(6 * 4 - 1, read.GroupsRead);
        Assert.Equal(0, read.GranulesWithoutGroups);
        // Only gt3r: the third granule holds none of the groups.
        var gt3r = config with { DataSource = config.DataSource with { Groups = ["gt3r"] } };
        var mixed = await GranuleCatalog.ReadFilesAsync([files[0], files[2]], 6, gt3r);
        Assert.Equal(1, mixed.GranulesWithoutGroups);
        Assert.Empty(mixed.GroupsInNoGranule);
        Assert.Equal(1, mixed.GroupsRead);
        Assert.Equal(read.Catalog.Cells.Select(c => c.Morton), (await GranuleCatalog.FromFilesAsync(files, 6, config)).Cells.Select(c => c.Morton));
    }
}
