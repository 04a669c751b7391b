using System.Text.Json;
using Xunit;
using Zagg.Pipeline.Output;
using Zagg.Zarr.Stores;

namespace Zagg.Cli.Tests;

/// <summary>The main job through the command line, against the numpy/healpy truth of demo/atl06/expected.json.</summary>
public class RunCommandTests
{
    private static readonly string Demo = Path.Combine(AppContext.BaseDirectory, "demo");
    private static readonly JsonElement Expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(Demo, "expected.json"))).RootElement;

    private static string Config(string dir, string latitude, string layout)
    {
        string yaml = File.ReadAllText(Path.Combine(LoopbackRoot(), "configs", "atl06.yaml"))
            .Replace("child_order: 12}", $"child_order: 12, latitude: {latitude}, layout: {layout}}}");
        string path = Path.Combine(dir, $"atl06-{latitude}-{layout}.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    private static string LoopbackRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Zagg.sln"))) return d.FullName;
        throw new InvalidOperationException("repository root not found");
    }

    [Theory]
    [InlineData("authalic", "compact")]
    [InlineData("authalic", "full")]
    [InlineData("geodetic-spherical", "compact")]
    [InlineData("geodetic-spherical", "full")]
    public async Task Catalog_then_run_reproduces_every_child_of_every_cell(string latitude, string layout)
    {
        string dir = Directory.CreateTempSubdirectory("zagg-run").FullName;
        try
        {
            string config = Config(dir, latitude, layout);
            string catalog = Path.Combine(dir, "catalog.json");
            var c = CliRunner.Run("catalog", "--files", Path.Combine(Demo, "ATL06_*.h5"), "--parent-order", "6", "--output", catalog, "--config", config);
            Assert.Equal(0, c.ExitCode);
            Assert.Contains("4 granules, 7 cells of order 6", c.Out);
            // tools/fixtures/atl06_testset.py puts NaN latitudes at rows 5 and 500 of the second granule's gt2l.
            Assert.Equal("zagg: warning: 2 points in 1 granule have no valid position (NaN, |latitude| > 90 or an infinite longitude); they are in no cell and the run skips them", c.Error.Trim());
            string store = Path.Combine(dir, "out.zarr");
            var r = CliRunner.Run("run", "--config", config, "--catalog", catalog, "--store", store, "--max-workers", "3");
            Assert.True(r.ExitCode == 0, r.Error);
            var truth = Expected.GetProperty("conventions").GetProperty(latitude).EnumerateArray().ToList();
            long obs = truth.Sum(t => t.GetProperty("children").EnumerateObject().Sum(ch => ch.Value.GetProperty("count").GetInt64()));
            Assert.Contains($"Done: 7 cells with data, {obs} obs, 0 errors", r.Out);

            var dggs = await DggsStore.OpenAsync(new LocalStore(store));
            var catalogCells = JsonDocument.Parse(File.ReadAllText(catalog)).RootElement.GetProperty("catalog").EnumerateObject().Select(p => long.Parse(p.Name)).ToList();
            foreach (var cell in truth)
            {
                long parent = cell.GetProperty("parent").GetInt64();
                long chunk = dggs.ChunkOf(parent, catalogCells.IndexOf(Zagg.Grid.Morton.FromNested(parent, 6)));
                var count = await dggs.Arrays["count"].ReadChunkAsync([chunk]);
                var mean = await dggs.Arrays["h_mean"].ReadChunkAsync([chunk]);
                var q75 = await dggs.Arrays["h_q75"].ReadChunkAsync([chunk]);
                var morton = await dggs.Arrays["morton"].ReadChunkAsync([chunk]);
                var children = cell.GetProperty("children").EnumerateObject().ToDictionary(p => int.Parse(p.Name), p => p.Value);
                for (int i = 0; i < 4096; i++)
                {
                    Assert.Equal(Zagg.Grid.Morton.FromNested((parent << 12) + i, 12), BitConverter.ToInt64(morton, i * 8));
                    if (!children.TryGetValue(i, out var e))
                    {
                        Assert.Equal(0, BitConverter.ToInt32(count, i * 4));
                        continue;
                    }
                    Assert.Equal(e.GetProperty("count").GetInt32(), BitConverter.ToInt32(count, i * 4));
                    Assert.Equal((float)e.GetProperty("h_mean").GetDouble(), BitConverter.ToSingle(mean, i * 4));
                    Assert.Equal((float)e.GetProperty("h_q75").GetDouble(), BitConverter.ToSingle(q75, i * 4));
                }
            }
            var report = JsonDocument.Parse(File.ReadAllText(store + ".report.json")).RootElement;
            Assert.Equal(7, report.GetProperty("cells").GetArrayLength());
            Assert.Equal(obs, report.GetProperty("total_obs").GetInt64());
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Demo_runs_the_whole_job()
    {
        string dir = Path.Combine(Directory.CreateTempSubdirectory("zagg-demo").FullName, "d");
        try
        {
            var r = CliRunner.Run("demo", "--out", dir);
            Assert.True(r.ExitCode == 0, r.Error);
            Assert.Contains("zagg demo: 4 ATL06-format granules", r.Out);
            Assert.Contains("Done: 7 cells with data, 58789 obs, 0 errors", r.Out);
            Assert.True(File.Exists(Path.Combine(dir, "atl06.zarr", "zarr.json")));
            Assert.True(File.Exists(Path.Combine(dir, "atl06.zarr.report.json")));
            // It ends with its picture.
            string png = Path.Combine(dir, "atl06.png");
            Assert.EndsWith($"picture: {png}\n", r.Out);
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(png)[..4]);
            Assert.Equal(0, CliRunner.Run("demo", "--out", dir).ExitCode); // runs again over its own output
        }
        finally { Directory.Delete(Path.GetDirectoryName(dir)!, true); }
    }

    [Fact]
    public void Granules_without_a_point_in_the_configured_groups_give_no_catalog()
    {
        string dir = Directory.CreateTempSubdirectory("zagg-run").FullName;
        try
        {
            string config = Path.Combine(dir, "gt9.yaml");
            File.WriteAllText(config, File.ReadAllText(Path.Combine(LoopbackRoot(), "configs", "atl06.yaml")).Replace("groups: [gt1l, gt1r, gt2l, gt2r, gt3l, gt3r]", "groups: [gt9x]"));
            string catalog = Path.Combine(dir, "catalog.json");
            var r = CliRunner.Run("catalog", "--files", Path.Combine(Demo, "ATL06_20240102*.h5"), "--output", catalog, "--config", config);
            Assert.Equal(1, r.ExitCode);
            Assert.Equal("zagg: error: the granule does not hold the configuration's latitude dataset (/{group}/land_ice_segments/latitude for the groups gt9x); no catalog written", r.Error.Trim());
            Assert.False(File.Exists(catalog));
            // A run with that configuration over a catalog of the granules' real groups: done, and a warning that no cell has data.
            string good = Path.Combine(dir, "good.json");
            Assert.Equal(0, CliRunner.Run("catalog", "--files", Path.Combine(Demo, "ATL06_20240102*.h5"), "--output", good).ExitCode);
            var run = CliRunner.Run("run", "--config", config, "--catalog", good, "--store", Path.Combine(dir, "out.zarr"));
            Assert.Equal(0, run.ExitCode);
            Assert.Contains("Done: 0 cells with data, 0 obs, 0 errors", run.Out);
            Assert.EndsWith("cells has data (each: \"No data after filtering\" or \"No granules found\" in the report): check that the granules hold the configuration's groups (gt9x) and datasets, and its quality filter", run.Error.Trim());
            // A misspelt group beside real ones: the catalog is written, with a warning naming it.
            string typo = Path.Combine(dir, "typo.yaml");
            File.WriteAllText(typo, File.ReadAllText(Path.Combine(LoopbackRoot(), "configs", "atl06.yaml")).Replace("groups: [gt1l, gt1r, gt2l, gt2r, gt3l, gt3r]", "groups: [gt1l, gt1r, gt2l, gt2r, gt3l, gt3r, gt4l]"));
            var typoRun = CliRunner.Run("catalog", "--files", Path.Combine(Demo, "ATL06_20240101*.h5"), "--output", Path.Combine(dir, "typo.json"), "--config", typo);
            Assert.Equal(0, typoRun.ExitCode);
            Assert.Equal("zagg: warning: the configuration's group gt4l is not in the granule (a group a granule lacks is skipped: check the spelling)", typoRun.Error.Trim());
            // A folder without granules is named as such.
            string empty = Directory.CreateDirectory(Path.Combine(dir, "empty")).FullName;
            Assert.Equal($"zagg: error: --files {empty}: the folder holds no *.h5 file", CliRunner.Run("catalog", "--files", empty, "--output", catalog).Error.Trim());
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Catalog_files_names_every_granule_it_cannot_read_and_writes_no_catalog()
    {
        string dir = Directory.CreateTempSubdirectory("zagg-run").FullName;
        try
        {
            var demo = Directory.GetFiles(Demo, "*.h5").Order().ToArray();
            string bad1 = Path.Combine(dir, "a-truncated.h5"), bad2 = Path.Combine(dir, "b-not-hdf5.h5"), good = Path.Combine(dir, "c-good.h5");
            File.WriteAllBytes(bad1, File.ReadAllBytes(demo[0])[..4096]);
            File.WriteAllText(bad2, "not an HDF5 file");
            File.Copy(demo[2], good);
            string catalog = Path.Combine(dir, "catalog.json");
            var r = CliRunner.Run("catalog", "--files", dir, "--output", catalog);
            Assert.Equal(1, r.ExitCode);
            var lines = r.Error.TrimEnd('\n').Split('\n');
            Assert.Equal(3, lines.Length);
            Assert.StartsWith($"zagg: {bad1}: truncated file", lines[0]);
            Assert.StartsWith($"zagg: {bad2}: ", lines[1]);
            Assert.Equal("zagg: error: 2 of 3 granules cannot be read; no catalog written", lines[2]);
            Assert.False(File.Exists(catalog));
            // One of two: named, and counted.
            File.Delete(bad2);
            var one = CliRunner.Run("catalog", "--files", dir, "--output", catalog);
            var oneLines = one.Error.TrimEnd('\n').Split('\n');
            Assert.Equal(2, oneLines.Length);
            Assert.StartsWith($"zagg: {bad1}: truncated file", oneLines[0]);
            Assert.Equal("zagg: error: 1 of 2 granules cannot be read; no catalog written", oneLines[1]);
            Assert.False(File.Exists(catalog));
            // A granule given alone is the one error line.
            var alone = CliRunner.Run("catalog", "--files", bad1, "--output", catalog);
            Assert.StartsWith($"zagg: error: {bad1}: truncated file", Assert.Single(alone.Error.TrimEnd('\n').Split('\n')));
            // A link to a granule already listed is read once, with a warning; a folder as --output is refused at once.
            File.Delete(bad1);
            File.CreateSymbolicLink(Path.Combine(dir, "d-link.h5"), good);
            var linked = CliRunner.Run("catalog", "--files", dir, "--output", catalog);
            Assert.Equal(0, linked.ExitCode);
            Assert.Equal($"zagg: warning: {Path.Combine(dir, "d-link.h5")} is {good} (a link); read once", linked.Error.Split('\n')[0]);
            Assert.Contains("1 granule, ", linked.Out);
            Assert.Equal($"zagg: error: --output {dir}: a folder; give the catalog file's name", CliRunner.Run("catalog", "--files", dir, "--output", dir).Error.Trim());
            // --output through a symbolic link (even to a file not written yet) writes the file it leads to; the link stays.
            string outLink = Path.Combine(dir, "out-link.json"), outTarget = Path.Combine(dir, "target.json");
            File.CreateSymbolicLink(outLink, "target.json");
            Assert.Equal(0, CliRunner.Run("catalog", "--files", good, "--output", outLink).ExitCode);
            Assert.Equal("target.json", new FileInfo(outLink).LinkTarget);
            Assert.Contains("\"catalog\"", File.ReadAllText(outTarget));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Dry_run_selection_and_refusals()
    {
        string dir = Directory.CreateTempSubdirectory("zagg-run").FullName;
        try
        {
            string catalog = Path.Combine(dir, "catalog.json");
            Assert.Equal(0, CliRunner.Run("catalog", "--files", Demo, "--output", catalog).ExitCode);
            string store = Path.Combine(dir, "out.zarr");
            var dry = CliRunner.Run("run", "--catalog", catalog, "--store", store, "--dry-run", "--max-cells", "2");
            Assert.Equal(0, dry.ExitCode);
            Assert.Contains("cells   2 of 7", dry.Out);
            Assert.False(Directory.Exists(store));
            string first = JsonDocument.Parse(File.ReadAllText(catalog)).RootElement.GetProperty("catalog").EnumerateObject().Last().Name;
            var one = CliRunner.Run("run", "--catalog", catalog, "--store", store, "--morton-cell", first);
            Assert.Equal(0, one.ExitCode);
            Assert.Contains("Done: 1 cells with data", one.Out);
            var again = CliRunner.Run("run", "--catalog", catalog, "--store", store);
            Assert.Equal(1, again.ExitCode);
            // The reason as the user needs it, not prefixed by the service step that refused ("template: ").
            Assert.Equal($"zagg: error: {store}: a store already exists here (zagg run --overwrite replaces it)", again.Error.Trim());
            Assert.Equal(0, CliRunner.Run("run", "--catalog", catalog, "--store", store, "--overwrite").ExitCode);
            Assert.Contains("is not a cell of the catalog", CliRunner.Run("run", "--catalog", catalog, "--store", store, "--overwrite", "--morton-cell", "-6134114").Error);
            var https = CliRunner.Run("run", "--catalog", catalog, "--store", store, "--overwrite", "--driver", "https");
            Assert.Equal(1, https.ExitCode);
            Assert.Contains("--driver https: the catalog gives ", https.Error);
            Assert.Contains("metadata names no s3_base and https_base", https.Error);
            Assert.Contains("no catalog", CliRunner.Run("run", "--store", store).Error);
            // A catalog of no cells is refused at once, before any service starts (it used to fail the template step, retried).
            string empty = Path.Combine(dir, "empty.json");
            var emptied = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(catalog))!;
            emptied["catalog"] = new System.Text.Json.Nodes.JsonObject();
            File.WriteAllText(empty, emptied.ToJsonString());
            string emptyStore = Path.Combine(dir, "empty.zarr");
            var none = CliRunner.Run("run", "--catalog", empty, "--store", emptyStore);
            Assert.Equal(1, none.ExitCode);
            Assert.Equal("zagg: error: the catalog lists no parent cells: there is nothing to aggregate", none.Error.Trim());
            Assert.False(Directory.Exists(emptyStore));
            Assert.Contains("nope.json: cannot be read", CliRunner.Run("run", "--catalog", Path.Combine(dir, "nope.json"), "--store", store).Error);
            Assert.Contains("no such file, and not a built-in", CliRunner.Run("run", "--config", "atl07", "--catalog", catalog, "--store", store).Error);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void A_corrupt_granule_fails_its_cells_and_the_run()
    {
        string dir = Directory.CreateTempSubdirectory("zagg-run").FullName;
        try
        {
            foreach (string f in Directory.GetFiles(Demo, "*.h5")) File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
            string catalog = Path.Combine(dir, "catalog.json");
            Assert.Equal(0, CliRunner.Run("catalog", "--files", dir, "--output", catalog).ExitCode);
            string victim = Directory.GetFiles(dir, "*.h5").Order().First();
            var bytes = File.ReadAllBytes(victim);
            File.WriteAllBytes(victim, bytes[..(bytes.Length / 2)]);
            var r = CliRunner.Run("run", "--catalog", catalog, "--store", Path.Combine(dir, "out.zarr"));
            Assert.Equal(1, r.ExitCode);
            Assert.Contains(victim, r.Error);
            Assert.DoesNotContain(", 0 errors", r.Out);
            var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "out.zarr.report.json"))).RootElement;
            Assert.Contains(report.GetProperty("cells").EnumerateArray(), c => c.GetProperty("files_processed").GetInt32() < c.GetProperty("granule_count").GetInt32());
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>Twelve cells failing alike (one truncated granule): the first ten by name, then a count; the report lists every one.</summary>
    [Fact]
    public void A_run_names_its_first_ten_failed_cells_and_counts_the_rest()
    {
        string dir = Directory.CreateTempSubdirectory("zagg-run").FullName;
        try
        {
            string bad = Path.Combine(dir, "bad.h5");
            File.WriteAllBytes(bad, File.ReadAllBytes(Directory.GetFiles(Demo, "*.h5").Order().First())[..4096]);
            var cells = string.Join(", ", Enumerable.Range(0, 12).Select(i => $"\"-31{1 + i / 4}{1 + i % 4}111\": [\"{bad}\"]"));
            string catalog = Path.Combine(dir, "catalog.json");
            File.WriteAllText(catalog, "{\"metadata\": {\"parent_order\": 6}, \"catalog\": {" + cells + "}}");
            var r = CliRunner.Run("run", "--catalog", catalog, "--store", Path.Combine(dir, "out.zarr"));
            Assert.Equal(1, r.ExitCode);
            var lines = r.Error.TrimEnd('\n').Split('\n');
            Assert.Equal(10, lines.Count(l => l.StartsWith("zagg: cell ", StringComparison.Ordinal)));
            Assert.Contains("zagg: … and 2 more failed cells (every one in the report)", lines);
            Assert.Contains("12 errors", r.Out);
            var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "out.zarr.report.json"))).RootElement;
            Assert.Equal(12, report.GetProperty("cells").EnumerateArray().Count(c => c.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void A_folder_that_holds_other_files_is_not_made_a_store_and_overwrite_cannot_clear_it()
    {
        // --overwrite clears everything under a store: a store written among a user's files would take them with it.
        var (dir, catalog) = DemoRunFolders.Granules("zagg-run");
        try
        {
            string folder = Path.Combine(dir, "mine");
            Directory.CreateDirectory(Path.Combine(folder, "notes"));
            File.WriteAllText(Path.Combine(folder, "notes", "a.txt"), "keep me");
            foreach (var overwrite in new[] { false, true })
            {
                var r = CliRunner.Run(["run", "--catalog", catalog, "--store", folder, .. overwrite ? new[] { "--overwrite" } : []]);
                Assert.Equal(1, r.ExitCode);
                Assert.Equal($"zagg: error: {folder}: not empty and not a Zarr store (it holds notes/a.txt); give a new or empty folder for the store", r.Error.Trim());
                Assert.Equal("keep me", File.ReadAllText(Path.Combine(folder, "notes", "a.txt")));
                Assert.False(File.Exists(Path.Combine(folder, "zarr.json")));
            }
            // An empty folder takes the store.
            string empty = Path.Combine(dir, "empty");
            Directory.CreateDirectory(empty);
            Assert.Equal(0, CliRunner.Run("run", "--catalog", catalog, "--store", empty).ExitCode);
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>The demo granules and catalog in a temporary folder, a store written from them, and a copy of the catalog inside the store.</summary>
    private static (string Dir, string Catalog, string Store, string Inside) StoreHoldingItsCatalog()
    {
        var (dir, catalog) = DemoRunFolders.Granules("zagg-run");
        string store = Path.Combine(dir, "out.zarr");
        Assert.Equal(0, CliRunner.Run("run", "--catalog", catalog, "--store", store).ExitCode);
        string inside = Path.Combine(store, "catalog.json");
        File.Copy(catalog, inside);
        return (dir, catalog, store, inside);
    }

    [Fact]
    public void Overwrite_is_refused_when_the_catalog_lies_inside_the_store()
    {
        // --overwrite deletes everything under a store zagg wrote: the catalog kept there would go with it.
        var (dir, catalog, store, inside) = StoreHoldingItsCatalog();
        try
        {
            var r = CliRunner.Run("run", "--catalog", inside, "--store", store, "--overwrite");
            Assert.Equal(1, r.ExitCode);
            Assert.Equal($"zagg: error: the catalog {inside} is inside {store}, which --overwrite deletes: keep the run's inputs outside the store", r.Error.Trim());
            Assert.True(File.Exists(inside));
            // Reached through links: a link to the catalog, and the store through a link (both once deleted it).
            string link = Path.Combine(dir, "cat-link.json");
            File.CreateSymbolicLink(link, inside);
            Assert.Contains($"the catalog {link} is inside", CliRunner.Run("run", "--catalog", link, "--store", store, "--overwrite").Error);
            string storeLink = Path.Combine(dir, "link.zarr");
            Directory.CreateSymbolicLink(storeLink, store);
            Assert.Contains($"the catalog {inside} is inside {storeLink}", CliRunner.Run("run", "--catalog", inside, "--store", storeLink, "--overwrite").Error);
            Assert.True(File.Exists(inside));
            // The config file and the granules are the run's inputs too.
            string config = Path.Combine(store, "my.yaml");
            File.WriteAllText(config, Zagg.Pipeline.Config.ConfigLoader.Find("atl06").Yaml);
            var c = CliRunner.Run("run", "--config", config, "--catalog", catalog, "--store", store, "--overwrite");
            Assert.Equal(1, c.ExitCode);
            Assert.Contains($"the config {config} is inside {store}", c.Error);
            Assert.True(File.Exists(config));
            // A dry run warns of it instead.
            var dry = CliRunner.Run("run", "--catalog", inside, "--store", store, "--overwrite", "--dry-run");
            Assert.Equal(0, dry.ExitCode);
            Assert.StartsWith($"zagg: warning: the catalog {inside} is inside {store}", dry.Error.Trim());
            // Beside the store (a name that only starts like it) is not inside it.
            string beside = store + "-catalog.json";
            File.Copy(catalog, beside);
            Assert.Equal(0, CliRunner.Run("run", "--catalog", beside, "--store", store, "--overwrite").ExitCode);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Links_through_dotdot_file_urls_report_names_and_granule_spellings_are_read_as_the_system_reads_them()
    {
        var (dir, catalog, store, inside) = StoreHoldingItsCatalog();
        try
        {
            // deep -> out.zarr/12, and cat.json -> deep/../catalog.json: the system follows the link before the "..".
            string deep = Path.Combine(dir, "deep");
            Directory.CreateSymbolicLink(deep, Path.Combine(store, "12"));
            string link = Path.Combine(dir, "cat.json");
            File.CreateSymbolicLink(link, "deep/../catalog.json");
            Assert.Contains($"the catalog {link} is inside", CliRunner.Run("run", "--catalog", link, "--store", store, "--overwrite").Error);
            Assert.True(File.Exists(inside));
            // file:/absolute/path is that path, not a folder named "file:" here.
            string other = Path.Combine(dir, "other.zarr");
            Assert.Equal(0, CliRunner.Run("run", "--catalog", catalog, "--store", "file:" + other).ExitCode);
            Assert.True(File.Exists(Path.Combine(other, "zarr.json")));
            // The report is written beside the store: an input by its name is refused, not replaced.
            string report = Path.Combine(dir, "next.zarr.report.json");
            File.Copy(catalog, report);
            var r = CliRunner.Run("run", "--catalog", report, "--store", Path.Combine(dir, "next.zarr"));
            Assert.Equal(1, r.ExitCode);
            Assert.Contains($"the catalog {report} is the run's report file", r.Error);
            // One granule twice in a cell under two spellings would count twice.
            var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(catalog))!;
            var cell = json["catalog"]!.AsObject().First().Value!.AsArray();
            string first = cell[0]!.GetValue<string>();
            cell.Add(Path.Combine(Path.GetDirectoryName(first)!, "..", Path.GetFileName(Path.GetDirectoryName(first)!), Path.GetFileName(first)));
            string twice = Path.Combine(dir, "twice.json");
            File.WriteAllText(twice, json.ToJsonString());
            var t = CliRunner.Run("run", "--catalog", twice, "--store", Path.Combine(dir, "twice.zarr"));
            Assert.Equal(1, t.ExitCode);
            Assert.Contains("lists one granule twice", t.Error);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void A_dry_run_warns_of_the_store_the_run_would_refuse()
    {
        var (dir, catalog) = DemoRunFolders.Granules("zagg-run");
        try
        {
            string store = Path.Combine(dir, "out.zarr");
            var fresh = CliRunner.Run("run", "--catalog", catalog, "--store", store, "--dry-run");
            Assert.Equal(0, fresh.ExitCode);
            Assert.Equal("", fresh.Error.Trim());
            Assert.Equal(0, CliRunner.Run("run", "--catalog", catalog, "--store", store).ExitCode);
            var again = CliRunner.Run("run", "--catalog", catalog, "--store", store, "--dry-run");
            Assert.Equal(0, again.ExitCode);
            Assert.Equal($"zagg: warning: {store}: a store already exists here (zagg run --overwrite replaces it); the run itself would stop here", again.Error.Trim());
            Assert.Equal("", CliRunner.Run("run", "--catalog", catalog, "--store", store, "--dry-run", "--overwrite").Error.Trim());
            // A folder of other files: the same words as the run's refusal.
            var r = CliRunner.Run("run", "--catalog", catalog, "--store", dir, "--dry-run");
            Assert.Equal(0, r.ExitCode);
            Assert.StartsWith($"zagg: warning: {dir}: not empty and not a Zarr store (it holds ", r.Error.Trim());
            // A file where the store's folder would be, and a location that is not one.
            string file = Path.Combine(dir, "afile.zarr");
            File.WriteAllText(file, "not a folder");
            Assert.Equal($"zagg: warning: {file}: cannot list the store: a file, not a folder; the run itself would stop here",
                CliRunner.Run("run", "--catalog", catalog, "--store", file, "--dry-run").Error.Trim());
            Assert.Equal($"zagg: warning: {Path.Combine(file, "sub.zarr")}: cannot list the store: {file} is a file, not a folder; the run itself would stop here",
                CliRunner.Run("run", "--catalog", catalog, "--store", Path.Combine(file, "sub.zarr"), "--dry-run").Error.Trim());
            // A symbolic link whose target does not exist is named as one, not as "a file".
            string dangling = Path.Combine(dir, "dangling.zarr"), gone = Path.Combine(dir, "gone", "out.zarr");
            File.CreateSymbolicLink(dangling, gone);
            Assert.Equal($"zagg: warning: {dangling}: cannot list the store: a symbolic link to {gone}, which does not exist; the run itself would stop here",
                CliRunner.Run("run", "--catalog", catalog, "--store", dangling, "--dry-run").Error.Trim());
            // Through a chain of links, the target that is missing; a loop of links, as one.
            string chain = Path.Combine(dir, "chain.zarr"), loop1 = Path.Combine(dir, "loop1"), loop2 = Path.Combine(dir, "loop2");
            File.CreateSymbolicLink(chain, "dangling.zarr");
            File.CreateSymbolicLink(loop1, loop2);
            File.CreateSymbolicLink(loop2, loop1);
            Assert.Equal($"zagg: warning: {chain}: cannot list the store: a symbolic link to {gone}, which does not exist; the run itself would stop here",
                CliRunner.Run("run", "--catalog", catalog, "--store", chain, "--dry-run").Error.Trim());
            Assert.Equal($"zagg: warning: {loop1}: cannot list the store: a symbolic link that leads back to itself (a loop of links); the run itself would stop here",
                CliRunner.Run("run", "--catalog", catalog, "--store", loop1, "--dry-run").Error.Trim());
            var looped = CliRunner.Run("run", "--catalog", catalog, "--store", Path.Combine(loop1, "sub.zarr"));
            Assert.Equal(1, looped.ExitCode);
            Assert.Equal($"zagg: error: {Path.Combine(loop1, "sub.zarr")}: cannot list the store: {loop1} is a symbolic link that leads back to itself (a loop of links)", looped.Error.Trim());
            Assert.Equal("zagg: warning: store location 's3://' names no bucket; expected s3://bucket/key; the run itself would stop here",
                CliRunner.Run("run", "--catalog", catalog, "--store", "s3://", "--dry-run").Error.Trim());
            // The real run says the same of the file, and leaves it as it was.
            var real = CliRunner.Run("run", "--catalog", catalog, "--store", file);
            Assert.Equal(1, real.ExitCode);
            Assert.Contains($"{file}: cannot list the store: a file, not a folder", real.Error);
            Assert.Equal("not a folder", File.ReadAllText(file));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Overwrite_replaces_only_a_store_zagg_wrote()
    {
        // Someone else's Zarr group, and an array inside a zagg store: --overwrite would clear them, so both are refused.
        var (dir, catalog) = DemoRunFolders.Granules("zagg-run");
        try
        {
            string foreign = Path.Combine(dir, "theirs.zarr");
            Directory.CreateDirectory(foreign);
            File.WriteAllText(Path.Combine(foreign, "zarr.json"), """{"zarr_format": 3, "node_type": "group", "attributes": {}}""");
            File.WriteAllText(Path.Combine(foreign, "thesis.txt"), "keep me");
            // With --overwrite or without it: the same refusal (without, the hint once named --overwrite, which refuses it too).
            foreach (string[] extra in new[] { new[] { "--overwrite" }, Array.Empty<string>() })
            {
                var r = CliRunner.Run(["run", "--catalog", catalog, "--store", foreign, .. extra]);
                Assert.Equal(1, r.ExitCode);
                Assert.Equal($"zagg: error: {foreign}: not a Zagg DGGS store (no group with \"zagg\" attributes); --overwrite replaces only a store zagg wrote (move or delete this one yourself, or give a new folder)", r.Error.Trim());
                Assert.Equal("keep me", File.ReadAllText(Path.Combine(foreign, "thesis.txt")));
            }

            string store = Path.Combine(dir, "out.zarr");
            Assert.Equal(0, CliRunner.Run("run", "--catalog", catalog, "--store", store).ExitCode);
            string array = Path.Combine(store, "12", "count");
            var inside = CliRunner.Run("run", "--catalog", catalog, "--store", array, "--overwrite");
            Assert.Equal(1, inside.ExitCode);
            Assert.Contains("--overwrite replaces only a store zagg wrote", inside.Error);
            Assert.True(File.Exists(Path.Combine(array, "zarr.json")));
            // A store zagg wrote is still replaced.
            Assert.Equal(0, CliRunner.Run("run", "--catalog", catalog, "--store", store, "--overwrite").ExitCode);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData(5, "output.grid.child_order 5 is coarser than the catalog's parent order 6")]
    [InlineData(20, "output.grid.child_order 20 is 14 orders below the catalog's parent order 6")]
    public void A_config_whose_child_order_does_not_fit_the_catalog_is_one_line(int childOrder, string message)
    {
        // Both crashed with a stack trace before the run's catalog step could refuse them.
        var (dir, catalog) = DemoRunFolders.Granules("zagg-run");
        try
        {
            string config = Path.Combine(dir, "c.yaml");
            File.WriteAllText(config, File.ReadAllText(Path.Combine(LoopbackRoot(), "configs", "atl06.yaml")).Replace("child_order: 12}", $"child_order: {childOrder}}}"));
            var r = CliRunner.Run("run", "--config", config, "--catalog", catalog, "--store", Path.Combine(dir, "out.zarr"));
            Assert.Equal(1, r.ExitCode);
            string line = Assert.Single(r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Equal($"zagg: error: {config}: {message}", line.Split(';')[0]);
            Assert.False(Directory.Exists(Path.Combine(dir, "out.zarr")));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Transport_mistakes_are_named_and_a_broker_password_is_never_shown()
    {
        string dir = Directory.CreateTempSubdirectory("zagg-run").FullName;
        try
        {
            string catalog = Path.Combine(dir, "catalog.json");
            Assert.Equal(0, CliRunner.Run("catalog", "--files", Demo, "--output", catalog).ExitCode);
            string store = Path.Combine(dir, "out.zarr");
            var bogus = CliRunner.Run("run", "--catalog", catalog, "--store", store, "--transport", "kafka");
            Assert.NotEqual(0, bogus.ExitCode);
            Assert.Contains("--transport must be memory, rabbitmq or sqs", bogus.Error);
            int port = Zagg.TestSupport.LoopbackProcess.FreePort();
            var none = CliRunner.Run("run", "--catalog", catalog, "--store", store, "--transport", "rabbitmq", "--rabbitmq", $"amqp://zagg:hunter2@127.0.0.1:{port}");
            Assert.Equal(1, none.ExitCode);
            Assert.Contains($"no broker answers at amqp://127.0.0.1:{port}", none.Error);
            Assert.Contains("--start-broker", none.Error);
            Assert.DoesNotContain("hunter2", none.Error + none.Out);
            Assert.False(Directory.Exists(store));
            Assert.Contains("--rabbitmq must be an amqp:// URL", CliRunner.Run("run", "--catalog", catalog, "--store", store, "--transport", "rabbitmq", "--rabbitmq", "http://x:secret@h").Error);
            Assert.DoesNotContain("secret", CliRunner.Run("run", "--catalog", catalog, "--store", store, "--transport", "rabbitmq", "--rabbitmq", "http://x:secret@h").Error);
        }
        finally { Directory.Delete(dir, true); }
    }
}
