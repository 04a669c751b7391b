using Zagg.Pipeline.Catalogs.Search;

namespace Zagg.Runs;

/// <summary>
/// How far a query run's catalog step is, as the catalog service keeps it in the run's ledger
/// (<see cref="RunLedger.WriteCatalogProgressAsync"/>) for zagg run's terminal, on any transport: the search's pages so far,
/// then, once <see cref="Built"/>, the catalog's totals and where it was written.
/// </summary>
public sealed record CatalogProgress
{
    /// <summary>Pages received from CMR or the STAC API.</summary>
    public int Pages { get; init; }

    /// <summary>Granules received so far.</summary>
    public long Granules { get; init; }

    /// <summary>The total the service announced (CMR-Hits, STAC numberMatched), when it did.</summary>
    public long? Hits { get; init; }

    /// <summary>The search's line about a wait while it waits (no answer yet, a retry: <see cref="SearchProgress.Notice"/>); null in a page's report.</summary>
    public string? Waiting { get; init; }

    /// <summary>The catalog is built and written.</summary>
    public bool Built { get; init; }

    /// <summary>Parent cells in the catalog (once built).</summary>
    public int Cells { get; init; }

    /// <summary>The catalog's parent order (once built).</summary>
    public int ParentOrder { get; init; }

    /// <summary>Granules the search kept (after the name filters), once built.</summary>
    public int GranulesFound { get; init; }

    /// <summary>Granules listed in at least one cell, once built.</summary>
    public int GranulesListed { get; init; }

    /// <summary>Seconds spent searching (all pages), once built.</summary>
    public double QuerySeconds { get; init; }

    /// <summary>Seconds spent mapping footprints to cells, once built.</summary>
    public double MappingSeconds { get; init; }

    /// <summary>Granules without a footprint (in no cell), once built.</summary>
    public int WithoutFootprint { get; init; }

    /// <summary>Granules with no s3:// or https:// data link (listed by name), once built.</summary>
    public int WithoutDataLink { get; init; }

    /// <summary>Where the catalog was written, once built.</summary>
    public string? Catalog { get; init; }

    /// <summary>The search's report this progress keeps (<see cref="LedgerSearchProgress"/> wrote it from one), for a terminal that follows the run.</summary>
    public SearchProgress ToSearchProgress() => new(Pages, (int)Math.Min(Granules, int.MaxValue), Hits, Waiting);

    /// <summary>The summary once a search's catalog is written.</summary>
    public static CatalogProgress Of(CatalogSearchResult result, int pages, long? hits, string location)
    {
        ArgumentNullException.ThrowIfNull(result);
        int listed = result.Catalog.Metadata["total_granules"]?.GetValue<int>() ?? 0;
        return new CatalogProgress
        {
            Pages = pages, Granules = result.Granules.Count, Hits = hits, Built = true, Cells = result.Catalog.Cells.Count,
            ParentOrder = result.Catalog.ParentOrder, GranulesFound = result.Granules.Count, GranulesListed = listed,
            QuerySeconds = Math.Round(result.QueryTime.TotalSeconds, 3), MappingSeconds = Math.Round(result.MappingTime.TotalSeconds, 3),
            WithoutFootprint = result.WithoutFootprint, WithoutDataLink = result.WithoutDataLink, Catalog = location,
        };
    }
}

/// <summary>
/// The search's page reports, kept in the run's ledger as they come (one write at a time, the latest report winning: a
/// slow store never holds up the search); <see cref="FlushAsync"/> waits for the last write. A wait's notice is also told to
/// <paramref name="notice"/> (the service's log) as it comes.
/// </summary>
internal sealed class LedgerSearchProgress(RunLedger ledger, Action<string>? notice = null) : IProgress<SearchProgress>
{
    private readonly Lock _gate = new();
    private SearchProgress? _next;
    private bool _running;
    private Task _writing = Task.CompletedTask;

    public SearchProgress Last { get; private set; }

    public void Report(SearchProgress value)
    {
        if (value.Notice is { } line) notice?.Invoke(line);
        lock (_gate)
        {
            Last = value;
            _next = value;
            if (_running) return;
            _running = true;
            _writing = Task.Run(WriteAsync);
        }
    }

    private async Task WriteAsync()
    {
        while (true)
        {
            SearchProgress p;
            lock (_gate)
            {
                if (_next is not { } n) { _running = false; return; }
                p = n;
                _next = null;
            }
            // Progress is for display: a store that refuses it fails the catalog write that follows, with its reason.
            try { await ledger.WriteCatalogProgressAsync(new CatalogProgress { Pages = p.Pages, Granules = p.Granules, Hits = p.Hits, Waiting = p.Notice }).ConfigureAwait(false); }
            catch (Exception e) when (e is Zagg.Zarr.ZarrException or IOException) { }
        }
    }

    public Task FlushAsync()
    {
        lock (_gate) return _writing;
    }
}
