using System.CommandLine;
using System.Globalization;
using Zagg.Contracts;
using Zagg.Grid;
using Zagg.Grid.Geometry;
using Zagg.Pipeline.Catalogs;
using Zagg.Pipeline.Catalogs.Search;
using Zagg.Pipeline.Config;

namespace Zagg.Cli.Commands;

/// <summary>
/// The catalog-search options that <c>zagg catalog</c> and <c>zagg run</c> share (product, dates or ICESat-2 cycle, area of
/// interest, parent order, CMR or STAC API, granule filters, retries), and the one parsing and checking of them: every
/// wrong value ends in one line naming the option. <see cref="Parse"/> gives what <c>zagg catalog</c> searches with and
/// the <see cref="CatalogQuery"/> a run's message carries (so the catalog service builds the same catalog).
/// </summary>
internal sealed class QueryOptions
{
    public Option<int?> Cycle { get; } = new Option<int?>("--cycle") { Description = "ICESat-2 cycle N: 91 days from 2018-10-13 + (N-1)*91 days.", HelpName = "N" }
        .Check(v => v is < 1 ? $"--cycle {v}: ICESat-2 cycles are numbered from 1" : null);
    public Option<string?> StartDate { get; } = new("--start-date") { Description = "First day searched (UTC, included).", HelpName = "YYYY-MM-DD" };
    public Option<string?> EndDate { get; } = new("--end-date") { Description = "Last day searched (UTC, included).", HelpName = "YYYY-MM-DD" };
    public Option<string> ShortName { get; } = new("--short-name") { Description = "The product's short name.", DefaultValueFactory = _ => "ATL06", HelpName = "NAME" };
    public Option<string> Version { get; } = new("--version") { Description = "The product's version.", DefaultValueFactory = _ => "007", HelpName = "VERSION" };
    public Option<string> Provider { get; } = new("--provider") { Description = "The CMR provider.", DefaultValueFactory = _ => "NSIDC_CPRD", HelpName = "PROVIDER" };
    public Option<string?> Polygon { get; } = new("--polygon") { Description = "Area of interest: a GeoJSON file (Polygon, MultiPolygon, Feature, FeatureCollection; holes). Default: antarctica (south of 60°S).", HelpName = "FILE" };
    public Option<string?> BasinsFile { get; } = new("--basins-file") { Description = "Area of interest: a drainage-basin file (columns lat lon basin_id).", HelpName = "FILE" };
    public Option<string?> Basins { get; } = new("--basins") { Description = "With --basins-file: the basin ids to take, e.g. 1,2,17 (default: all).", HelpName = "LIST" };
    public Option<string?> Bbox { get; } = new("--bbox") { Description = "Area of interest: a box lon_min,lat_min,lon_max,lat_max (lon_min > lon_max crosses the antimeridian); beside --polygon or --basins-file, the box the search asks for instead of the area's extent.", HelpName = "BOX" };
    public Option<int> ParentOrder { get; } = new Option<int>("--parent-order") { Description = "Order of the parent cells (the shards).", DefaultValueFactory = _ => 6, HelpName = "K" }
        .InRange(Morton.MinOrder, Morton.MaxOrder);
    public Option<string?> CmrUrl { get; } = new("--cmr-url") { Description = $"The CMR to search (default {CmrGranuleSearch.DefaultUrl}).", HelpName = "URL" };
    public Option<string?> StacUrl { get; } = new("--stac-url") { Description = "Search this STAC API instead of CMR (with --collection).", HelpName = "URL" };
    public Option<string?> Collection { get; } = new("--collection") { Description = "With --stac-url: the collection id, e.g. ATL06_007.", HelpName = "ID" };
    public Option<string?> Name { get; } = new("--name") { Description = "Keep granules whose name matches this pattern (* and ?), e.g. 'ATL06_2024*'.", HelpName = "PATTERN" };
    public Option<string?> Rgt { get; } = new("--rgt") { Description = "Keep ICESat-2 granules of these reference ground tracks, e.g. 221,1234.", HelpName = "LIST" };
    public Option<string?> Region { get; } = new("--region") { Description = "Keep ICESat-2 granules of these regions (1-14), e.g. 10,11,12.", HelpName = "LIST" };
    public Option<int> Retries { get; } = new Option<int>("--retries") { Description = "Retries of a request that fails (429, 5xx, timeout, dropped connection), with growing jittered delays.", DefaultValueFactory = _ => 5, HelpName = "N" }.AtLeast(0);

    /// <summary>Every option, in the order help lists them.</summary>
    public IEnumerable<Option> All =>
        [Cycle, StartDate, EndDate, ShortName, Version, Provider, Polygon, BasinsFile, Basins, Bbox, ParentOrder, CmrUrl, StacUrl, Collection, Name, Rgt, Region, Retries];

    /// <summary>The options only a search has (the product options, parent order and retries have defaults that fit a catalog file too).</summary>
    public IEnumerable<Option> SearchOnly => [Cycle, StartDate, EndDate, Polygon, BasinsFile, Basins, Bbox, CmrUrl, StacUrl, Collection, Name, Rgt, Region];

    /// <summary>The first of <paramref name="options"/> given on the command line, or null.</summary>
    public static Option? FirstGiven(ParseResult parse, IEnumerable<Option> options)
    {
        foreach (var o in options)
            if (parse.GetResult(o) is { Implicit: false }) return o;
        return null;
    }

    /// <summary>
    /// Parses and checks the options: the parent order against the config, the dates or cycle, the filters, the area of
    /// interest (its file read and checked now) and the search service.
    /// </summary>
    /// <param name="parse">The command line.</param>
    /// <param name="config">The run's or catalog's configuration (its grid's orders and latitude convention).</param>
    /// <param name="alternative">What else the verb takes instead of dates, for the message when neither is given ("--files for local granules").</param>
    /// <exception cref="CliException">Any wrong value: one line naming the option.</exception>
    public ParsedQuery Parse(ParseResult parse, PipelineConfig config, string alternative)
    {
        int order = ParentOrderOf(parse, config);
        string? name = parse.GetValue(Name), rgt = parse.GetValue(Rgt), region = parse.GetValue(Region);
        var filter = Filter(name, rgt, region);
        var query = Query(parse.GetValue(Cycle), parse.GetValue(StartDate), parse.GetValue(EndDate), parse.GetValue(ShortName)!, parse.GetValue(Version)!, parse.GetValue(Provider)!, filter, alternative);
        string? polygon = parse.GetValue(Polygon), basinsFile = parse.GetValue(BasinsFile), basins = parse.GetValue(Basins), bbox = parse.GetValue(Bbox);
        var aoi = Area(polygon, basinsFile, basins, bbox, out int[]? basinIds, out var searchBox);
        if (searchBox is not null) query = query with { BoundingBox = searchBox };
        int retries = parse.GetValue(Retries);
        string? cmr = parse.GetValue(CmrUrl), stac = parse.GetValue(StacUrl), collection = parse.GetValue(Collection);
        var search = Service(cmr, stac, collection, new SearchOptions { MaxRetries = retries });
        var wire = new CatalogQuery
        {
            ShortName = query.ShortName, Version = query.Version, Provider = query.Provider,
            StartDate = query.Cycle is null ? GranuleQuery.Iso(query.StartDate) : null,
            EndDate = query.Cycle is null ? GranuleQuery.Iso(query.EndDate) : null,
            Cycle = query.Cycle,
            Bbox = bbox,
            // Files by absolute path: the catalog service reads them, from its own working folder.
            Polygon = polygon is null ? null : Path.GetFullPath(polygon),
            BasinsFile = basinsFile is null ? null : Path.GetFullPath(basinsFile),
            Basins = basinIds,
            ParentOrder = order,
            CmrUrl = cmr, StacUrl = stac, Collection = collection,
            NamePattern = filter?.NamePattern,
            Rgts = filter is { Rgts.Count: > 0 } ? [.. filter.Rgts] : null,
            Regions = filter is { Regions.Count: > 0 } ? [.. filter.Regions] : null,
            Retries = retries,
        };
        return new ParsedQuery(query, aoi, search, order, wire);
    }

    /// <summary>--parent-order (a morton order, checked when parsed), checked against the config's grid.</summary>
    /// <exception cref="CliException">Not coarser than the config's child order.</exception>
    public int ParentOrderOf(ParseResult parse, PipelineConfig config)
    {
        int order = parse.GetValue(ParentOrder);
        try { config.RequireParentOrder(order); }
        catch (ConfigException e) { throw new CliException($"--parent-order {order}: {e.Message}"); }
        return order;
    }

    private static GranuleQuery Query(int? cycle, string? start, string? end, string shortName, string version, string provider, GranuleFilter? filter, string alternative)
    {
        DateOnly from, to;
        if (cycle is int n)
        {
            if (start is not null || end is not null) throw new CliException("give --cycle or --start-date/--end-date, not both");
            try { (from, to) = GranuleQuery.CycleDates(n); }
            catch (ArgumentOutOfRangeException) { throw new CliException($"--cycle {n}: too large"); }
        }
        else
        {
            if (start is null || end is null) throw new CliException($"give --cycle N, or both --start-date and --end-date (or {alternative})");
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

    /// <summary>
    /// The area of interest (<see cref="AreaOfInterest.Choose"/>, named by the options): --polygon, --basins-file or --bbox,
    /// else Antarctica; --bbox beside a polygon or basins file is the search's box (<paramref name="searchBox"/>).
    /// </summary>
    private static AreaOfInterest Area(string? polygon, string? basinsFile, string? basins, string? bbox, out int[]? basinIds, out GeoBox? searchBox)
    {
        try
        {
            // Basins without the file are refused by Choose, before their numbers are read.
            basinIds = basins is null ? null : basinsFile is null ? [] : Ints("--basins", basins, 0, int.MaxValue);
            return AreaOfInterest.Choose(polygon, basinsFile, basinIds, bbox, AreaInputNames.Options, out searchBox);
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
}

/// <summary>A checked catalog search: what <c>zagg catalog</c> searches with, and the same as a run's message carries it.</summary>
/// <param name="Query">The product, dates or cycle and filters.</param>
/// <param name="Area">The area of interest, read and checked.</param>
/// <param name="Search">The CMR or STAC API search.</param>
/// <param name="ParentOrder">The parent cells' HEALPix order.</param>
/// <param name="Wire">The same search as <see cref="RunSpec.Query"/> carries it (files by absolute path).</param>
internal sealed record ParsedQuery(GranuleQuery Query, AreaOfInterest Area, IGranuleSearch Search, int ParentOrder, CatalogQuery Wire);
