using Xunit;
using Zagg.Pipeline.Catalogs;
using Zagg.Pipeline.Config;

namespace Zagg.Pipeline.Tests;

/// <summary>The catalog loader reads the locations the one parser gives: a path, file://, s3:// (HTTP is refused by name).</summary>
public class CatalogLocationTests
{
    private static readonly string Dir = Path.Combine(AppContext.BaseDirectory, "TestSet");

    [Fact]
    public async Task A_catalog_loads_from_a_path_or_a_file_url_alike()
    {
        string dir = Directory.CreateTempSubdirectory("zagg-catalog").FullName;
        try
        {
            var catalog = await GranuleCatalog.FromFilesAsync(Directory.GetFiles(Dir, "*.h5").Order().ToList(), 6, ConfigLoader.Load("atl06"));
            string path = Path.Combine(dir, "catalog.json");
            catalog.Save(path);
            var byPath = await GranuleCatalog.LoadAsync(path);
            var byUrl = await GranuleCatalog.LoadAsync(new Uri(path).AbsoluteUri);
            Assert.Equal(catalog.Cells.Select(c => c.Morton), byPath.Cells.Select(c => c.Morton));
            Assert.Equal(byPath.Cells.Select(c => c.Morton), byUrl.Cells.Select(c => c.Morton));
            Assert.Equal(6, byUrl.ParentOrder);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData("https://host/catalog.json", "https://host/catalog.json: catalogs are read from a path, file:// or s3://bucket/key")]
    [InlineData("s3:///catalog.json", "catalog location 's3:///catalog.json' names no bucket")]
    [InlineData("/no/such/catalog.json", "/no/such/catalog.json: cannot be read")]
    public async Task Bad_catalog_locations_are_named(string location, string message)
        => Assert.Contains(message, (await Assert.ThrowsAsync<CatalogException>(() => GranuleCatalog.LoadAsync(location))).Message);
}
