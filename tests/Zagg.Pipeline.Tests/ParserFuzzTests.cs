using Xunit;
using Xunit.Abstractions;
using Zagg.Pipeline.Catalogs;
using Zagg.Pipeline.Config;
using Zagg.TestSupport;

namespace Zagg.Pipeline.Tests;

/// <summary>
/// The inputs users write, mutated (<see cref="TextMutator"/>): the built-in YAML config, a catalog JSON and a GeoJSON
/// area of interest. Every failure must be the parser's own exception (ConfigException, ExpressionException,
/// CatalogException, GeoJsonException) with a
/// message naming the source — never NullReference, InvalidCast, IndexOutOfRange, KeyNotFound or the like.
/// </summary>
public class ParserFuzzTests(ITestOutputHelper output)
{
    private const int Cases = 3000;

    private const string Catalog = """
        {"metadata": {"short_name": "ATL06", "version": "007", "parent_order": 6, "total_cells": 2,
           "s3_base": "s3://nsidc-cumulus-prod-protected", "https_base": "https://data.example/nsidc-cumulus-prod-protected"},
         "catalog": {"-6134114": ["s3://nsidc-cumulus-prod-protected/ATLAS/ATL06/007/2024/01/06/ATL06_a.h5"], "-6134113": []}}
        """;

    [Fact]
    public void Mutated_configs_fail_with_a_config_error_naming_the_file_or_load()
    {
        string yaml = ConfigTests.Atl06();
        ConfigLoader.Parse(yaml, "atl06.yaml");
        Run(yaml, text =>
        {
            var c = ConfigLoader.Parse(text, "mutated.yaml");
            _ = c.DataSource.Variables.Count;
        }, e => e is ConfigException or ExpressionException, "mutated.yaml", seed: 15);
    }

    [Fact]
    public void Mutated_catalogs_fail_with_a_catalog_error_naming_the_file_or_load()
    {
        GranuleCatalog.Parse(Catalog, "catalog.json");
        Run(Catalog, text =>
        {
            var c = GranuleCatalog.Parse(text, "mutated.json");
            _ = c.ParentOrder;
            foreach (var cell in c.Cells)
                foreach (var g in cell.Granules) c.Resolve(g, "https");
        }, e => e is CatalogException, "mutated.json", seed: 16);
    }

    private const string Area = """
        {"type": "FeatureCollection", "features": [
          {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [[[0,0],[10,0],[10,10],[0,10],[0,0]]]}},
          {"type": "Feature", "geometry": {"type": "MultiPolygon", "coordinates": [[[[170,-80],[-170,-80],[-170,-70],[170,-70],[170,-80]]]]}},
          {"type": "Feature", "geometry": {"type": "GeometryCollection", "geometries": [{"type": "Polygon", "coordinates": [[[20,20],[30,20],[25,30],[20,20]]]}]}}
        ]}
        """;

    [Fact]
    public void Mutated_geojson_fails_with_a_geojson_error_naming_the_file_or_loads()
    {
        Zagg.Grid.Geometry.GeoJson.ReadPolygon(Area, "area.geojson");
        Run(Area, text => Zagg.Grid.Geometry.GeoJson.ReadPolygon(text, "mutated.geojson"), e => e is Zagg.Grid.Geometry.GeoJsonException, "mutated.geojson", seed: 17);
    }

    private void Run(string valid, Action<string> parse, Func<Exception, bool> ours, string source, int seed)
    {
        var rng = new Random(seed);
        var failures = new List<string>();
        int accepted = 0, refused = 0;
        for (int c = 0; c < Cases; c++)
        {
            var (text, how) = TextMutator.Mutate(valid, rng);
            try
            {
                parse(text);
                accepted++;
            }
            catch (Exception e) when (ours(e))
            {
                refused++;
                if (!e.Message.Contains(source, StringComparison.Ordinal) && failures.Count < 20)
                    failures.Add($"case {c} ({how}): the message does not name {source}: {e.Message}");
            }
            catch (Exception e)
            {
                if (failures.Count < 20) failures.Add($"case {c} ({how}): {e.GetType().Name}: {e.Message}\n{e.StackTrace?.Split('\n').FirstOrDefault()}");
            }
        }
        output.WriteLine($"{Cases} cases: {accepted} accepted, {refused} refused with the parser's exception, {failures.Count} bad");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(refused > Cases / 10, $"only {refused} of {Cases} mutations refused");
    }
}
