using System.Diagnostics;
using Zagg.Grid;
using Zagg.Grid.Geometry;

namespace Zagg.Pipeline.Catalogs.Search;

/// <summary>What a searched catalog came from and cost: the catalog, the granules found, timings and the granules left out.</summary>
/// <param name="Catalog">The catalog (cells in NESTED order).</param>
/// <param name="Granules">Every granule the search kept (after name filters and duplicates), in GranuleUR order.</param>
/// <param name="QueryTime">Time spent searching (all pages).</param>
/// <param name="MappingTime">Time spent covering the area and mapping footprints to cells.</param>
/// <param name="WithoutFootprint">Granules whose record gave no footprint (mapped to no cell).</param>
/// <param name="WithoutDataLink">Granules with no s3:// or https:// link to a data file (listed by GranuleUR).</param>
public sealed record CatalogSearchResult(
    GranuleCatalog Catalog, IReadOnlyList<GranuleRecord> Granules, TimeSpan QueryTime, TimeSpan MappingTime, int WithoutFootprint, int WithoutDataLink);

/// <summary>
/// Step 1 of the pipeline from a search service: ask it once for the query's granules (the area's
/// bounding box as the query's box unless one is given), then map every footprint to the area's
/// parent cells on the sphere (<see cref="CatalogMapping.Map"/>) and make the catalog
/// (<see cref="GranuleCatalog.FromSearch"/>). The CLI and the Catalog service both call this.
/// </summary>
public static class CatalogSearch
{
    /// <exception cref="ArgumentException">The query is not valid (dates out of order, no short name).</exception>
    /// <exception cref="CatalogSearchException">The search failed, found no granule, or a footprint is not a region.</exception>
    public static async Task<CatalogSearchResult> BuildAsync(
        IGranuleSearch search, GranuleQuery query, AreaOfInterest aoi, int parentOrder, LatitudeConvention convention,
        IProgress<SearchProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(search);
        ArgumentNullException.ThrowIfNull(aoi);
        query.Validate();
        if (query.BoundingBox is null) query = query with { BoundingBox = aoi.BoundingBox };
        var clock = Stopwatch.StartNew();
        var found = await search.SearchAsync(query, progress, ct).ConfigureAwait(false);
        var queryTime = clock.Elapsed;
        // One record per GranuleUR (a service may repeat one across pages), in name order: the catalog does not depend on page order.
        var byName = new SortedDictionary<string, GranuleRecord>(StringComparer.Ordinal);
        foreach (var g in found) byName.TryAdd(g.GranuleUR, g);
        var granules = byName.Values.ToList();
        if (granules.Count == 0)
            throw new CatalogSearchException($"{search.Describe()} found no {query.ShortName} {query.Version} granule from {GranuleQuery.Iso(query.StartDate)} to {GranuleQuery.Iso(query.EndDate)} in {query.BoundingBox}{(query.Filter is { IsEmpty: false } ? " passing the name filters" : "")}");
        clock.Restart();
        var footprints = new GeoFootprint[granules.Count];
        int withoutFootprint = 0, withoutLink = 0;
        for (int i = 0; i < granules.Count; i++)
        {
            footprints[i] = granules[i].Footprint;
            if (footprints[i].IsEmpty) withoutFootprint++;
            if (granules[i].S3Url is null && granules[i].HttpsUrl is null) withoutLink++;
        }
        IReadOnlyList<(long Morton, int[] Granules)> mapping;
        try { mapping = CatalogMapping.Map(footprints, aoi.Cells(parentOrder, convention), parentOrder, convention); }
        catch (ArgumentException e) when (e.InnerException is ArgumentException && FootprintIndex(e.Message) is int i)
        {
            throw new CatalogSearchException($"{search.Describe()}: granule {granules[i].GranuleUR}: its footprint is not a region: {e.InnerException.Message}", e);
        }
        var catalog = GranuleCatalog.FromSearch(granules, mapping, query, search.Describe(), aoi, parentOrder, convention);
        return new CatalogSearchResult(catalog, granules, queryTime, clock.Elapsed, withoutFootprint, withoutLink);
    }

    private static int? FootprintIndex(string message)
    {
        const string prefix = "footprint ";
        if (!message.StartsWith(prefix, StringComparison.Ordinal)) return null;
        int colon = message.IndexOf(':', prefix.Length);
        return colon > 0 && int.TryParse(message.AsSpan(prefix.Length, colon - prefix.Length), out int i) ? i : null;
    }
}
