using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Zagg.Grid;
using Zagg.Pipeline.Catalogs;
using Zagg.Pipeline.Catalogs.Search;
using Zagg.Pipeline.Config;

namespace Zagg.Cli.Commands;

/// <summary>
/// <c>zagg catalog</c>: step 1 of the pipeline. From NASA CMR (default) or a STAC API: the granules of
/// a product in a date range or ICESat-2 cycle, mapped to the parent cells of an area of interest
/// (<see cref="CatalogSearch"/>); or, with <c>--files</c>, local granules by their points. A thin
/// adapter: the search, mapping and catalog format live in Zagg.Pipeline.
/// </summary>
internal static class CatalogCommand
{
    public static Command Create(CliConsole console)
    {
        var files = new Option<string?>("--files") { Description = "Local granules instead of a search: a file, a folder, or a glob such as 'granules/ATL06_*.h5' (cells from their points).", HelpName = "GLOB" };
        var q = new QueryOptions();
        var output = new Option<string?>("--output", "-o") { Description = "Where to write the catalog JSON (default: catalog_{short}_{start}_{end}_order{k}.json, or ..._cycle{N}_...; catalog.json with --files).", HelpName = "FILE" };
        var config = PipelineCommands.ConfigOption();
        var cmd = new Command("catalog", "Build the catalog: the granules of a product (NASA CMR or a STAC API) mapped to the parent cells of an area of interest, or local granules (--files) by their points.");
        foreach (var o in q.All) cmd.Options.Add(o);
        cmd.Options.Add(output);
        cmd.Options.Add(files);
        cmd.Options.Add(config);
        cmd.SetAction(async (parse, ct) =>
        {
            var cfg = PipelineCommands.LoadConfig(parse.GetValue(config)!);
            if (parse.GetValue(files) is { } glob)
            {
                int order = q.ParentOrderOf(parse, cfg);
                if (QueryOptions.FirstGiven(parse, q.SearchOnly) is { } o) throw new CliException($"{o.Name} is for a search; --files catalogues local granules by their points");
                string catalog = parse.GetValue(output) ?? "catalog.json";
                RequireFolder(catalog);
                return await FromFilesAsync(console, glob, order, cfg, catalog, ct);
            }
            var search = q.Parse(parse, cfg, "--files for local granules");
            string path = parse.GetValue(output) ?? GranuleCatalog.DefaultFileName(search.Query, search.ParentOrder);
            RequireFolder(path);
            var cat = await SearchAsync(console, search, cfg.Grid.Latitude, "no catalog written", ct);
            Save(cat, path);
            console.Out.WriteLine($"catalog written to {path}");
            return 0;
        });
        return cmd;
    }

    private static async Task<int> FromFilesAsync(CliConsole console, string glob, int order, PipelineConfig cfg, string path, CancellationToken ct)
    {
        var list = DistinctFiles(console, PipelineCommands.ExpandFiles(glob));
        var watch = Stopwatch.StartNew();
        FilesCatalog read;
        try { read = await GranuleCatalog.ReadFilesAsync(list, order, cfg, ct); }
        catch (UnreadableGranulesException e) when (e.Granules == 1) { throw new CliException(e.Message); }
        catch (UnreadableGranulesException e)
        {
            const int shown = 10;
            for (int i = 0; i < Math.Min(shown, e.Failures.Count); i++) console.Error.WriteLine($"zagg: {TerminalText.OneLine(e.Failures[i])}");
            if (e.Failures.Count > shown) console.Error.WriteLine($"zagg: … and {e.Failures.Count - shown} more");
            throw new CliException($"{e.Failures.Count} of {e.Granules} granules cannot be read; no catalog written");
        }
        var cat = read.Catalog;
        if (read.GroupsRead == 0)
        {
            var ds = cfg.DataSource;
            string where = ds.Groups.Count > 0 ? $"{ds.Latitude} for the groups {string.Join(", ", ds.Groups)}" : ds.Latitude;
            throw new CliException($"{(list.Count == 1 ? "the granule does not hold" : $"none of the {list.Count} granules holds")} the configuration's latitude dataset ({where}); no catalog written");
        }
        if (read.InvalidPositions > 0)
        {
            string points = $"{TerminalText.Count(read.InvalidPositions, "point")} in {TerminalText.Count(read.GranulesWithInvalidPositions, "granule")}";
            console.Error.WriteLine(read.InvalidPositions == 1
                ? $"zagg: warning: {points} has no valid position (NaN, |latitude| > 90 or an infinite longitude); it is in no cell and the run skips it"
                : $"zagg: warning: {points} have no valid position (NaN, |latitude| > 90 or an infinite longitude); they are in no cell and the run skips them");
        }
        if (read.GranulesWithoutGroups > 0)
            console.Error.WriteLine($"zagg: warning: {(read.GranulesWithoutGroups == 1 ? "1 granule holds" : $"{read.GranulesWithoutGroups} granules hold")} the configuration's latitude dataset in none of its groups: in no cell");
        if (read.GroupsInNoGranule.Count > 0)
        {
            string groups = read.GroupsInNoGranule.Count == 1
                ? $"the configuration's group {read.GroupsInNoGranule[0]} is"
                : $"the configuration's groups {string.Join(", ", read.GroupsInNoGranule)} are";
            console.Error.WriteLine($"zagg: warning: {groups} {(list.Count == 1 ? "not in the granule" : $"in none of the {list.Count} granules")} (a group a granule lacks is skipped: check the spelling)");
        }
        if (cat.Cells.Count == 0)
            throw new CliException($"no point of the {(list.Count == 1 ? "granule" : $"{list.Count} granules")} has a valid position; no catalog written");
        Save(cat, path);
        var (min, max, mean) = PerCell(cat);
        console.Out.WriteLine($"{TerminalText.Count(list.Count, "granule")}, {cat.Cells.Count} cells of order {order} in {watch.Elapsed.TotalSeconds:F2} s; granules per cell min {min}, max {max}, mean {mean:F1}");
        console.Out.WriteLine($"catalog written to {path}");
        return 0;
    }

    /// <summary>
    /// Searches and maps in this process, showing the search, a progress bar while paging and the summary; the catalog is
    /// not written here.
    /// </summary>
    /// <param name="nothing">What the one error line says is not done when no cell is found ("no catalog written").</param>
    /// <exception cref="CliException">The search failed or no granule meets the area: one line.</exception>
    internal static async Task<GranuleCatalog> SearchAsync(CliConsole console, ParsedQuery parsed, LatitudeConvention convention, string nothing, CancellationToken ct)
    {
        var (query, aoi, search, order) = (parsed.Query, parsed.Area, parsed.Search, parsed.ParentOrder);
        var o = console.Out;
        o.WriteLine($"searching {search.Describe()}: {search.Product(query)}, {GranuleQuery.Iso(query.StartDate)} to {GranuleQuery.Iso(query.EndDate)}{(query.Cycle is int c ? $" (cycle {c})" : "")}, area {aoi.Source} (box {query.BoundingBox ?? aoi.BoundingBox})");
        bool terminal = ReferenceEquals(o, Console.Out) && !Console.IsOutputRedirected;
        var progress = new ProgressBar(terminal, console.Error);
        CatalogSearchResult result;
        try { result = await CatalogSearch.BuildAsync(search, query, aoi, order, convention, progress, ct); }
        catch (Exception e) when (e is CatalogSearchException or ArgumentException or AreaOfInterestException) { progress.End(); throw new CliException(e.Message); }
        progress.End();
        var cat = result.Catalog;
        o.WriteLine($"query: {result.Granules.Count} granules in {result.QueryTime.TotalSeconds:F2} s ({progress.Pages} page(s))");
        if (cat.Cells.Count > 0)
        {
            var (min, max, mean) = PerCell(cat);
            int listed = cat.Metadata["total_granules"]?.GetValue<int>() ?? 0;
            o.WriteLine($"mapping: {cat.Cells.Count} cells of order {order} in {result.MappingTime.TotalSeconds:F2} s, {listed} of the {result.Granules.Count} granules meet the area; granules per cell min {min}, max {max}, mean {mean:F1}");
        }
        if (result.WithoutFootprint > 0) console.Error.WriteLine($"zagg: warning: {result.WithoutFootprint} granule(s) have no footprint in their record and are in no cell");
        if (result.WithoutDataLink > 0) console.Error.WriteLine($"zagg: warning: {result.WithoutDataLink} granule(s) have no s3:// or https:// link to a data file; the catalog lists them by name");
        if (cat.Cells.Count == 0) throw new CliException($"none of the {result.Granules.Count} granules found meets the area {aoi.Source} at order {order}; {nothing}");
        return cat;
    }

    /// <summary>
    /// The granules once each: a later spelling of a file already listed (a symbolic link to it, links resolved) is
    /// dropped with a warning, as its points would otherwise count twice and the run would refuse the catalog.
    /// </summary>
    private static List<string> DistinctFiles(CliConsole console, List<string> files)
    {
        var resolver = new Zagg.Runs.LocalPaths.Resolver();
        var first = new Dictionary<string, string>(StringComparer.Ordinal);
        var distinct = new List<string>(files.Count);
        foreach (string f in files)
        {
            string resolved = resolver.Resolve(f);
            if (first.TryAdd(resolved, f)) distinct.Add(f);
            else console.Error.WriteLine($"zagg: warning: {f} is {first[resolved]} (a link); read once");
        }
        return distinct;
    }

    /// <summary>Refuses an --output whose folder does not exist before any search or reading, rather than after it.</summary>
    private static void RequireFolder(string path)
    {
        if (Directory.Exists(path)) throw new CliException($"--output {path}: a folder; give the catalog file's name");
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null && !Directory.Exists(folder)) throw new CliException($"--output {path}: cannot be written: folder {folder} does not exist");
    }

    private static void Save(GranuleCatalog cat, string path)
    {
        try { cat.Save(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new CliException($"--output {path}: cannot be written: {e.Message}"); }
    }

    internal static (int Min, int Max, double Mean) PerCell(GranuleCatalog cat)
    {
        if (cat.Cells.Count == 0) return (0, 0, 0);
        int min = int.MaxValue, max = 0;
        long sum = 0;
        foreach (var (_, g) in cat.Cells) { min = Math.Min(min, g.Count); max = Math.Max(max, g.Count); sum += g.Count; }
        return (min, max, (double)sum / cat.Cells.Count);
    }

    /// <summary>
    /// The paging progress: a bar on a terminal (granules received of the announced total), nothing otherwise; a wait's
    /// notice (no answer yet, a retry) is one <c>zagg:</c> line on <paramref name="notices"/> either way.
    /// </summary>
    internal sealed class ProgressBar(bool terminal, TextWriter notices) : IProgress<SearchProgress>
    {
        private readonly Lock _gate = new();
        private bool _drawn;

        public int Pages { get; private set; }

        public void Report(SearchProgress value)
        {
            lock (_gate) Show(value);
        }

        private void Show(SearchProgress value)
        {
            if (value.Notice is { } notice)
            {
                End();
                notices.WriteLine($"zagg: {TerminalText.OneLine(notice)}");
                return;
            }
            Pages = value.Pages;
            if (!terminal) return;
            const int width = 30;
            long total = Math.Max(value.Hits ?? value.Granules, value.Granules);
            int filled = total == 0 ? width : (int)(width * Math.Min(value.Granules, total) / total);
            Console.Write($"\r[{new string('#', filled)}{new string('.', width - filled)}] page {value.Pages}: {value.Granules} of {(value.Hits is long h ? h.ToString(CultureInfo.InvariantCulture) : "?")} granules   ");
            _drawn = true;
        }

        public void End()
        {
            if (_drawn) Console.WriteLine();
            _drawn = false;
        }
    }
}
