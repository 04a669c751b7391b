using System.Globalization;
using Zagg.Contracts;
using Zagg.Pipeline.Catalogs;
using Zagg.Pipeline.Catalogs.Search;
using Zagg.Pipeline.Config;

namespace Zagg.Runs;

/// <summary>
/// The catalog step of a run that carries a <see cref="CatalogQuery"/>: the search and mapping of <c>zagg catalog</c>
/// (<see cref="CatalogSearch.BuildAsync"/>), the catalog written to the run's catalog location.
/// </summary>
public static class QueryCatalogs
{
    /// <summary>
    /// Builds the query's catalog and writes it to <paramref name="location"/> (a path, file:// or s3://bucket/key; zagg run
    /// gives <see cref="RunLedger.CatalogLocation"/>, beside the run's ledger in its store) in one atomic write.
    /// </summary>
    /// <param name="q">The search, as a run's message carries it.</param>
    /// <param name="location">Where the catalog goes.</param>
    /// <param name="config">The run's configuration (its parent orders and latitude convention).</param>
    /// <param name="progress">Told after each page received (pages, granules, the total announced).</param>
    /// <param name="ct">Stops the search.</param>
    /// <exception cref="CatalogException">The query is not valid (names what), the search failed or found nothing in the area, or the location cannot be written. Permanent: the search has retried already.</exception>
    public static async Task<CatalogSearchResult> BuildAsync(CatalogQuery q, string location, PipelineConfig config, IProgress<SearchProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(q);
        ArgumentNullException.ThrowIfNull(config);
        CatalogSearchResult result;
        try
        {
            config.RequireParentOrder(q.ParentOrder);
            var query = ToQuery(q);
            var aoi = AreaOfInterest.Choose(q.Polygon, q.BasinsFile, q.Basins is { Count: > 0 } b ? [.. b] : null, q.Bbox, AreaInputNames.Fields, out var searchBox);
            if (searchBox is { } box) query = query with { BoundingBox = box };
            var options = new SearchOptions { MaxRetries = q.Retries is int r ? (r >= 0 ? r : throw new ArgumentException($"retries {r} must be 0 or more")) : 5 };
            IGranuleSearch search = q.StacUrl is not null
                ? new StacItemSearch(q.StacUrl, q.Collection ?? throw new ArgumentException("a STAC search needs a collection"), options)
                : new CmrGranuleSearch(q.CmrUrl ?? CmrGranuleSearch.DefaultUrl, options);
            result = await CatalogSearch.BuildAsync(search, query, aoi, q.ParentOrder, config.Grid.Latitude, progress, ct).ConfigureAwait(false);
            if (result.Catalog.Cells.Count == 0) throw new CatalogException($"query: none of the {result.Granules.Count} granules found meets the area {aoi.Source}");
        }
        catch (Exception e) when (e is CatalogSearchException or AreaOfInterestException or Zagg.Grid.Geometry.GeoJsonException or ArgumentException)
        {
            throw new CatalogException($"query: {e.Message}");
        }
        catch (ConfigException e) { throw new CatalogException($"query: parent order {q.ParentOrder}: {e.Message}"); }
        await result.Catalog.SaveAsync(location, ct).ConfigureAwait(false);
        return result;
    }

    private static GranuleQuery ToQuery(CatalogQuery q)
    {
        DateOnly start, end;
        if (q.Cycle is int c)
        {
            if (q.StartDate is not null || q.EndDate is not null) throw new ArgumentException("give a cycle or start and end dates, not both");
            (start, end) = GranuleQuery.CycleDates(c);
        }
        else
        {
            start = Date("startDate", q.StartDate);
            end = Date("endDate", q.EndDate);
        }
        GranuleFilter? filter = q.NamePattern is null && q.Rgts is not { Count: > 0 } && q.Regions is not { Count: > 0 } ? null
            : new GranuleFilter { NamePattern = q.NamePattern, Rgts = q.Rgts ?? [], Regions = q.Regions ?? [] };
        var query = new GranuleQuery { ShortName = q.ShortName, Version = q.Version, Provider = q.Provider, StartDate = start, EndDate = end, Cycle = q.Cycle, Filter = filter };
        query.Validate();
        return query;
    }

    private static DateOnly Date(string name, string? text)
        => text is not null && DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d : throw new ArgumentException($"{name} '{text}' is not a date YYYY-MM-DD (or give a cycle)");
}
