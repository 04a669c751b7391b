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
    /// <summary>Builds the query's catalog and writes it to <paramref name="location"/> (a local path or file:// URL).</summary>
    /// <exception cref="CatalogException">The query is not valid (names what), the search failed or found nothing, or the location is not local or cannot be written. Permanent: the search has retried already.</exception>
    public static async Task<GranuleCatalog> BuildAsync(CatalogQuery q, string location, PipelineConfig config, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(q);
        string path = location.StartsWith("file://", StringComparison.Ordinal) ? new Uri(location).LocalPath
            : location.Contains("://", StringComparison.Ordinal) ? throw new CatalogException($"query: the catalog it builds is written to a local path, not {location}")
            : location;
        try
        {
            config.RequireParentOrder(q.ParentOrder);
            var query = ToQuery(q);
            var aoi = q.Polygon is not null ? AreaOfInterest.FromGeoJsonFile(q.Polygon)
                : q.Bbox is not null ? AreaOfInterest.FromBbox(q.Bbox) : AreaOfInterest.Antarctica;
            IGranuleSearch search = q.StacUrl is not null
                ? new StacItemSearch(q.StacUrl, q.Collection ?? throw new ArgumentException("a STAC search needs a collection"))
                : new CmrGranuleSearch(q.CmrUrl ?? CmrGranuleSearch.DefaultUrl);
            var result = await CatalogSearch.BuildAsync(search, query, aoi, q.ParentOrder, config.Grid.Latitude, ct: ct).ConfigureAwait(false);
            if (result.Catalog.Cells.Count == 0) throw new CatalogException($"query: none of the {result.Granules.Count} granules found meets the area {aoi.Source}");
            result.Catalog.Save(path);
            return result.Catalog;
        }
        catch (Exception e) when (e is CatalogSearchException or AreaOfInterestException or Zagg.Grid.Geometry.GeoJsonException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            throw new CatalogException($"query: {e.Message}");
        }
        catch (ConfigException e) { throw new CatalogException($"query: parent order {q.ParentOrder}: {e.Message}"); }
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
