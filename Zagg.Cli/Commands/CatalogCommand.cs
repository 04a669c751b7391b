using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Zagg.Grid;
using Zagg.Grid.Geometry;
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
        var cycle = new Option<int?>("--cycle") { Description = "ICESat-2 cycle N: 91 days from 2018-10-13 + (N-1)*91 days.", HelpName = "N" };
        var startDate = new Option<string?>("--start-date") { Description = "First day searched (UTC, included).", HelpName = "YYYY-MM-DD" };
        var endDate = new Option<string?>("--end-date") { Description = "Last day searched (UTC, included).", HelpName = "YYYY-MM-DD" };
        var shortName = new Option<string>("--short-name") { Description = "The product's short name.", DefaultValueFactory = _ => "ATL06", HelpName = "NAME" };
        var version = new Option<string>("--version") { Description = "The product's version.", DefaultValueFactory = _ => "007", HelpName = "VERSION" };
        var provider = new Option<string>("--provider") { Description = "The CMR provider.", DefaultValueFactory = _ => "NSIDC_CPRD", HelpName = "PROVIDER" };
        var polygon = new Option<string?>("--polygon") { Description = "Area of interest: a GeoJSON file (Polygon, MultiPolygon, Feature, FeatureCollection; holes). Default: antarctica (south of 60°S).", HelpName = "FILE" };
        var basinsFile = new Option<string?>("--basins-file") { Description = "Area of interest: a drainage-basin file (columns lat lon basin_id).", HelpName = "FILE" };
        var basins = new Option<string?>("--basins") { Description = "With --basins-file: the basin ids to take, e.g. 1,2,17 (default: all).", HelpName = "LIST" };
        var bbox = new Option<string?>("--bbox") { Description = "Area of interest: a box lon_min,lat_min,lon_max,lat_max (lon_min > lon_max crosses the antimeridian).", HelpName = "BOX" };
        var parentOrder = new Option<int>("--parent-order") { Description = "Order of the parent cells (the shards).", DefaultValueFactory = _ => 6, HelpName = "K" };
        var cmrUrl = new Option<string?>("--cmr-url") { Description = $"The CMR to search (default {CmrGranuleSearch.DefaultUrl}).", HelpName = "URL" };
        var stacUrl = new Option<string?>("--stac-url") { Description = "Search this STAC API instead of CMR (with --collection).", HelpName = "URL" };
        var collection = new Option<string?>("--collection") { Description = "With --stac-url: the collection id, e.g. ATL06_007.", HelpName = "ID" };
        var name = new Option<string?>("--name") { Description = "Keep granules whose name matches this pattern (* and ?), e.g. 'ATL06_2024*'.", HelpName = "PATTERN" };
        var rgt = new Option<string?>("--rgt") { Description = "Keep ICESat-2 granules of these reference ground tracks, e.g. 221,1234.", HelpName = "LIST" };
        var region = new Option<string?>("--region") { Description = "Keep ICESat-2 granules of these regions (1-14), e.g. 10,11,12.", HelpName = "LIST" };
        var retries = new Option<int>("--retries") { Description = "Retries of a request that fails (429, 5xx, timeout, dropped connection), with growing jittered delays.", DefaultValueFactory = _ => 5, HelpName = "N" };
        var output = new Option<string?>("--output", "-o") { Description = "Where to write the catalog JSON (default: catalog_{short}_{start}_{end}_order{k}.json, or ..._cycle{N}_...; catalog.json with --files).", HelpName = "FILE" };
        var config = PipelineCommands.ConfigOption();
        var cmd = new Command("catalog", "Build the catalog: the granules of a product (NASA CMR or a STAC API) mapped to the parent cells of an area of interest, or local granules (--files) by their points.")
        {
            cycle, startDate, endDate, shortName, version, provider, polygon, basinsFile, basins, bbox, parentOrder,
            cmrUrl, stacUrl, collection, name, rgt, region, retries, output, files, config,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            var cfg = PipelineCommands.LoadConfig(parse.GetValue(config)!);
            int order = parse.GetValue(parentOrder);
            if (order < Morton.MinOrder || order > Morton.MaxOrder)
                throw new CliException($"--parent-order must be in {Morton.MinOrder}–{Morton.MaxOrder}");
            try { cfg.RequireParentOrder(order); }
            catch (ConfigException e) { throw new CliException($"--parent-order {order}: {e.Message}"); }
            if (parse.GetValue(files) is { } glob)
            {
                foreach (var o in new Option[] { cycle, startDate, endDate, polygon, basinsFile, basins, bbox, cmrUrl, stacUrl, collection, name, rgt, region })
                    if (parse.GetResult(o) is { Implicit: false }) throw new CliException($"{o.Name} is for a search; --files catalogues local granules by their points");
                return await FromFilesAsync(console, glob, order, cfg, parse.GetValue(output) ?? "catalog.json", ct);
            }
            var query = Query(parse.GetValue(cycle), parse.GetValue(startDate), parse.GetValue(endDate), parse.GetValue(shortName)!, parse.GetValue(version)!, parse.GetValue(provider)!,
                Filter(parse.GetValue(name), parse.GetValue(rgt), parse.GetValue(region)));
            var aoi = Area(parse.GetValue(polygon), parse.GetValue(basinsFile), parse.GetValue(basins), parse.GetValue(bbox));
            if (parse.GetValue(retries) < 0) throw new CliException("--retries must be 0 or more");
            var options = new SearchOptions { MaxRetries = parse.GetValue(retries) };
            var search = Service(parse.GetValue(cmrUrl), parse.GetValue(stacUrl), parse.GetValue(collection), options);
            string path = parse.GetValue(output) ?? GranuleCatalog.DefaultFileName(query, order);
            return await SearchAsync(console, search, query, aoi, order, cfg.Grid.Latitude, path, ct);
        });
        return cmd;
    }

    private static async Task<int> FromFilesAsync(CliConsole console, string glob, int order, PipelineConfig cfg, string path, CancellationToken ct)
    {
        var list = PipelineCommands.ExpandFiles(glob);
        var watch = Stopwatch.StartNew();
        GranuleCatalog cat;
        try { cat = await GranuleCatalog.FromFilesAsync(list, order, cfg, ct); }
        catch (Exception e) when (e is Zagg.Hdf5.Hdf5Exception or InvalidDataException) { throw new CliException(e.Message); }
        Save(cat, path);
        var (min, max, mean) = PerCell(cat);
        console.Out.WriteLine($"{list.Count} granules, {cat.Cells.Count} cells of order {order} in {watch.Elapsed.TotalSeconds:F2} s; granules per cell min {min}, max {max}, mean {mean:F1}");
        console.Out.WriteLine($"catalog written to {path}");
        return 0;
    }

    private static async Task<int> SearchAsync(CliConsole console, IGranuleSearch search, GranuleQuery query, AreaOfInterest aoi, int order, LatitudeConvention convention, string path, CancellationToken ct)
    {
        var o = console.Out;
        o.WriteLine($"searching {search.Describe()}: {search.Product(query)}, {GranuleQuery.Iso(query.StartDate)} to {GranuleQuery.Iso(query.EndDate)}{(query.Cycle is int c ? $" (cycle {c})" : "")}, area {aoi.Source} (box {aoi.BoundingBox})");
        bool terminal = ReferenceEquals(o, Console.Out) && !Console.IsOutputRedirected;
        var progress = new ProgressBar(terminal);
        CatalogSearchResult result;
        try { result = await CatalogSearch.BuildAsync(search, query, aoi, order, convention, progress, ct); }
        catch (Exception e) when (e is CatalogSearchException or ArgumentException or AreaOfInterestException) { progress.End(); throw new CliException(e.Message); }
        progress.End();
        var cat = result.Catalog;
        o.WriteLine($"query: {result.Granules.Count} granules in {result.QueryTime.TotalSeconds:F2} s ({progress.Pages} page(s))");
        var (min, max, mean) = PerCell(cat);
        o.WriteLine($"mapping: {cat.Cells.Count} cells of order {order} in {result.MappingTime.TotalSeconds:F2} s; granules per cell min {min}, max {max}, mean {mean:F1}");
        if (result.WithoutFootprint > 0) console.Error.WriteLine($"zagg: warning: {result.WithoutFootprint} granule(s) have no footprint in their record and are in no cell");
        if (result.WithoutDataLink > 0) console.Error.WriteLine($"zagg: warning: {result.WithoutDataLink} granule(s) have no s3:// or https:// link to a data file; the catalog lists them by name");
        if (cat.Cells.Count == 0) throw new CliException($"none of the {result.Granules.Count} granules found meets the area {aoi.Source} at order {order}; no catalog written");
        Save(cat, path);
        o.WriteLine($"catalog written to {path}");
        return 0;
    }

    private static void Save(GranuleCatalog cat, string path)
    {
        try { cat.Save(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new CliException($"--output {path}: cannot be written: {e.Message}"); }
    }

    private static (int Min, int Max, double Mean) PerCell(GranuleCatalog cat)
    {
        if (cat.Cells.Count == 0) return (0, 0, 0);
        int min = int.MaxValue, max = 0;
        long sum = 0;
        foreach (var (_, g) in cat.Cells) { min = Math.Min(min, g.Count); max = Math.Max(max, g.Count); sum += g.Count; }
        return (min, max, (double)sum / cat.Cells.Count);
    }

    private static GranuleQuery Query(int? cycle, string? start, string? end, string shortName, string version, string provider, GranuleFilter? filter)
    {
        DateOnly from, to;
        if (cycle is int n)
        {
            if (start is not null || end is not null) throw new CliException("give --cycle or --start-date/--end-date, not both");
            if (n < 1) throw new CliException($"--cycle {n}: ICESat-2 cycles are numbered from 1");
            try { (from, to) = GranuleQuery.CycleDates(n); }
            catch (ArgumentOutOfRangeException) { throw new CliException($"--cycle {n}: too large"); }
        }
        else
        {
            if (start is null || end is null) throw new CliException("give --cycle N, or both --start-date and --end-date (or --files for local granules)");
            from = Date("--start-date", start);
            to = Date("--end-date", end);
            if (to < from) throw new CliException($"--end-date {end} is before --start-date {start}");
        }
        return new GranuleQuery { ShortName = shortName, Version = version, Provider = provider, StartDate = from, EndDate = to, Cycle = cycle, Filter = filter };
    }

    private static DateOnly Date(string option, string text)
        => DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d : throw new CliException($"{option} '{text}' is not a date YYYY-MM-DD");

    private static GranuleFilter? Filter(string? name, string? rgt, string? region)
    {
        if (name is null && rgt is null && region is null) return null;
        return new GranuleFilter { NamePattern = name, Rgts = Ints("--rgt", rgt, 1, 1387), Regions = Ints("--region", region, 1, 14) };
    }

    private static int[] Ints(string option, string? list, int min, int max)
    {
        if (list is null) return [];
        var parts = list.Split(',', StringSplitOptions.TrimEntries);
        var result = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out result[i]) || result[i] < min || result[i] > max)
                throw new CliException($"{option} '{list}': '{parts[i]}' is not a number in {min}–{max}");
        return result;
    }

    private static AreaOfInterest Area(string? polygon, string? basinsFile, string? basins, string? bbox)
    {
        int given = (polygon is null ? 0 : 1) + (basinsFile is null ? 0 : 1) + (bbox is null ? 0 : 1);
        if (given > 1) throw new CliException("give one area of interest: --polygon, --basins-file or --bbox");
        if (basins is not null && basinsFile is null) throw new CliException("--basins picks basins of --basins-file: give the file too");
        try
        {
            if (polygon is not null) return AreaOfInterest.FromGeoJsonFile(polygon);
            if (basinsFile is not null) return AreaOfInterest.FromBasinsFile(basinsFile, basins is null ? null : Ints("--basins", basins, 0, int.MaxValue));
            if (bbox is not null) return AreaOfInterest.FromBbox(bbox);
            return AreaOfInterest.Antarctica;
        }
        catch (GeoJsonException e) { throw new CliException($"--polygon {e.Message}"); }
        catch (AreaOfInterestException e) { throw new CliException(e.Message); }
    }

    private static IGranuleSearch Service(string? cmr, string? stac, string? collection, SearchOptions options)
    {
        try
        {
            if (stac is not null)
            {
                if (cmr is not null) throw new CliException("give --cmr-url or --stac-url, not both");
                if (collection is null) throw new CliException("--stac-url needs --collection ID (e.g. ATL06_007)");
                return new StacItemSearch(stac, collection, options);
            }
            if (collection is not null) throw new CliException("--collection is for --stac-url");
            return new CmrGranuleSearch(cmr ?? CmrGranuleSearch.DefaultUrl, options);
        }
        catch (ArgumentException e) { throw new CliException(e.Message); }
    }

    /// <summary>The paging progress: a bar on a terminal (granules received of the announced total), nothing otherwise.</summary>
    private sealed class ProgressBar(bool terminal) : IProgress<SearchProgress>
    {
        private bool _drawn;

        public int Pages { get; private set; }

        public void Report(SearchProgress value)
        {
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
