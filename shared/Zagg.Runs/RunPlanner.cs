using Zagg.Contracts;
using Zagg.Pipeline.Catalogs;
using Zagg.Pipeline.Config;
using Zagg.Pipeline.Output;
using Zagg.Zarr;
using Zagg.Zarr.Stores;

namespace Zagg.Runs;

/// <summary>One cell of a run's plan: its index in the catalog, its morton word, its granules resolved for the run's driver.</summary>
public sealed record PlannedCell(long CatalogIndex, long ParentMorton, IReadOnlyList<string> Granules);

/// <summary>What the dispatcher publishes and sends for a run: the count to consolidation, then one AggregateCell per cell.</summary>
public sealed record RunDispatch(CellsDispatched Dispatched, IReadOnlyList<AggregateCell> Cells);

/// <summary>
/// The steps before the cells, without a transport: the catalog service's check (<see cref="CheckCatalogAsync"/>), the
/// template service's store (<see cref="WriteTemplateAsync"/>), the dispatcher's plan (<see cref="DispatchAsync"/>), and
/// the selection of cells zagg run's dry run shows (<see cref="Select"/>). Each returns the message(s) to publish; each
/// failure is an exception that <see cref="FailurePolicy"/> classifies.
/// </summary>
public static class RunPlanner
{
    /// <summary>The step names in a stopped run's error ("catalog: …").</summary>
    public const string CatalogStep = "catalog", TemplateStep = "template", DispatchStep = "dispatch";

    /// <summary>
    /// Reads a run's catalog: a local path or file:// URL (through <see cref="CatalogFiles"/>: parsed once while unchanged),
    /// or s3://bucket/key (see <see cref="GranuleCatalog.LoadAsync"/>).
    /// </summary>
    /// <exception cref="CatalogException">The catalog is missing, unreadable or not a catalog.</exception>
    public static Task<GranuleCatalog> LoadCatalogAsync(string location, CancellationToken ct = default) =>
        Zagg.Cloud.StorageLocation.TryParse(location, out var where, out _) && where.Kind == Zagg.Cloud.StorageKind.File
            ? Task.FromResult(CatalogFiles.Load(where.Path))
            : GranuleCatalog.LoadAsync(location, ct);

    /// <summary>
    /// The catalog step: reads the run's config and catalog (or, when the run carries a query, builds the catalog with
    /// <see cref="QueryCatalogs"/> and writes it to the run's catalog location) and checks that they, and the selection, fit together.
    /// </summary>
    /// <returns>The CatalogReady to publish.</returns>
    /// <exception cref="ConfigException">The config is wrong, or its child order is coarser than the catalog's parent order.</exception>
    /// <exception cref="CatalogException">The catalog cannot be read, or the selection names no cell of it.</exception>
    public static Task<CatalogReady> CheckCatalogAsync(RunRequested m, CancellationToken ct = default) => CheckCatalogAsync(m, null, ct);

    /// <inheritdoc cref="CheckCatalogAsync(RunRequested, CancellationToken)"/>
    /// <param name="m">The run's request.</param>
    /// <param name="notice">Told each line about a query's wait (no answer yet, a retry: <see cref="SearchProgress.Notice"/>), for
    /// the service's log; the ledger keeps them for zagg run's terminal either way.</param>
    /// <param name="ct">Cancellation.</param>
    public static async Task<CatalogReady> CheckCatalogAsync(RunRequested m, Action<string>? notice, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(m);
        var config = ConfigReferences.Load(m.Spec.Config);
        var catalog = m.Spec.Query is { } query
            ? await BuildQueryCatalogAsync(m, query, config, notice, ct).ConfigureAwait(false)
            : await LoadCatalogAsync(m.Spec.Catalog, ct).ConfigureAwait(false);
        config.RequireParentOrder(catalog.ParentOrder);
        RequireDistinctGranules(catalog, new LocalPaths.Resolver());
        // The selection must name a cell of this catalog: refuse now rather than dispatch nothing.
        Select(catalog, m.Spec.Selection, config);
        return new CatalogReady { RunId = m.RunId, Spec = m.Spec, ParentOrder = catalog.ParentOrder, CatalogCells = catalog.Cells.Count };
    }

    /// <summary>
    /// Refuses a cell that lists one local granule twice under two spellings (a link, "..", file://; links resolved by
    /// <paramref name="resolver"/>): its points would count twice. The catalog reader already refuses one spelling twice;
    /// remote granules (s3://, https://) are compared as written there.
    /// </summary>
    /// <exception cref="CatalogException">A cell lists one local granule twice; the message names the cell and both spellings.</exception>
    public static void RequireDistinctGranules(GranuleCatalog catalog, LocalPaths.Resolver resolver)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(resolver);
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (morton, granules) in catalog.Cells)
        {
            seen.Clear();
            foreach (string g in granules)
            {
                if (!Zagg.Cloud.StorageLocation.TryParse(g, out var where, out _) || where.Kind != Zagg.Cloud.StorageKind.File) continue;
                string resolved = resolver.Resolve(where.Path);
                if (!seen.TryAdd(resolved, g))
                    throw new CatalogException($"the catalog's cell {morton} lists one granule twice, as {seen[resolved]} and {g}; its points would count twice");
            }
        }
    }

    /// <summary>
    /// A query run's catalog: refuses an existing store the run may not overwrite before searching, then searches and maps
    /// (<see cref="QueryCatalogs.BuildAsync"/>), writes the catalog to the run's catalog location, and keeps the paging
    /// progress and the summary in the run's ledger (<see cref="CatalogProgress"/>) for zagg run's terminal.
    /// </summary>
    private static async Task<GranuleCatalog> BuildQueryCatalogAsync(RunRequested m, CatalogQuery query, PipelineConfig config, Action<string>? notice, CancellationToken ct)
    {
        var store = ZarrStores.Open(m.Spec.Store);
        if (!m.Spec.Selection.Overwrite && await store.ExistsAsync("zarr.json", ct).ConfigureAwait(false))
            throw new StoreExistsException($"{store.Name}: a store already exists here (zagg run --overwrite replaces it)");
        var ledger = new RunLedger(store, m.RunId);
        var progress = new LedgerSearchProgress(ledger, notice);
        var result = await QueryCatalogs.BuildAsync(query, m.Spec.Catalog, config, progress, ct).ConfigureAwait(false);
        await progress.FlushAsync().ConfigureAwait(false);
        await ledger.WriteCatalogProgressAsync(CatalogProgress.Of(result, progress.Last.Pages, progress.Last.Hits, m.Spec.Catalog), ct).ConfigureAwait(false);
        return result.Catalog;
    }

    /// <summary>
    /// The template step: writes the store's hierarchy and array metadata, once per run (a redelivered CatalogReady never
    /// clears cells already written).
    /// </summary>
    /// <returns>The TemplateReady to publish, and whether this call wrote the template.</returns>
    /// <exception cref="ConfigException">The config is wrong.</exception>
    /// <exception cref="StoreExistsException">A store exists at the location and the run does not overwrite.</exception>
    /// <exception cref="ZarrException">The store cannot be written (retried).</exception>
    public static async Task<(TemplateReady Ready, bool Written)> WriteTemplateAsync(CatalogReady m, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(m);
        var config = ConfigReferences.Load(m.Spec.Config);
        var store = ZarrStores.Open(m.Spec.Store);
        var ledger = new RunLedger(store, m.RunId);
        bool written = false;
        if (!await ledger.HasTemplateAsync(ct).ConfigureAwait(false))
        {
            var (exists, refusal) = await CheckStoreAsync(store, m.Spec.Selection.Overwrite, ct).ConfigureAwait(false);
            if (refusal is not null) throw new StoreExistsException(refusal);
            // Overwriting clears the store but this run's ledger: a query run's catalog step wrote its catalog there.
            if (exists) await ClearButLedgerAsync(store, m.RunId, ct).ConfigureAwait(false);
            await DggsStore.CreateAsync(store, config.ToTemplate(m.ParentOrder, m.CatalogCells), m.Spec.Selection.Overwrite, ct).ConfigureAwait(false);
            await ledger.MarkTemplateAsync(ct).ConfigureAwait(false);
            written = true;
        }
        var ready = new TemplateReady
        {
            RunId = m.RunId, Spec = m.Spec, ParentOrder = m.ParentOrder, ChildOrder = config.Grid.ChildOrder, CatalogCells = m.CatalogCells,
        };
        return (ready, written);
    }

    /// <summary>
    /// The template step's rule for the store's location: whether a store exists there, and why the run would not write
    /// its store there, or null when it would. Refused: a Zarr hierarchy zagg did not write (not ours to delete, with or
    /// without <paramref name="overwrite"/>); a store zagg wrote, without it; a location holding anything but zagg's own
    /// <c>.zagg/</c> (a new store goes only where nothing else is: a later --overwrite clears everything under it).
    /// </summary>
    /// <exception cref="ZarrException">The location cannot be read.</exception>
    public static async Task<(bool Exists, string? Refusal)> CheckStoreAsync(IZarrStore store, bool overwrite, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (await store.ExistsAsync("zarr.json", ct).ConfigureAwait(false))
        {
            // Someone else's Zarr hierarchy is refused with or without --overwrite: the hint names what would work.
            if (await NotZaggStoreAsync(store, ct).ConfigureAwait(false) is { } why)
                return (true, $"{why}; --overwrite replaces only a store zagg wrote (move or delete this one yourself, or give a new folder)");
            if (!overwrite) return (true, $"{store.Name}: a store already exists here (zagg run --overwrite replaces it)");
            return (true, null);
        }
        if (await ForeignKeyAsync(store, ct).ConfigureAwait(false) is { } foreign)
            return (false, $"{store.Name}: not empty and not a Zarr store (it holds {foreign}); give a new or empty folder for the store");
        return (false, null);
    }

    /// <summary>Why the Zarr hierarchy at the location is not a Zagg DGGS store (<see cref="DggsStore.OpenAsync"/>), or null when it is one.</summary>
    private static async Task<string?> NotZaggStoreAsync(IZarrStore store, CancellationToken ct)
    {
        try
        {
            await DggsStore.OpenAsync(store, ct).ConfigureAwait(false);
            return null;
        }
        catch (ZarrException e) { return e.Message; }
    }

    /// <summary>A key at the location that is not zagg's own (<c>.zagg/</c>: ledgers, temporaries), or null.</summary>
    private static async Task<string?> ForeignKeyAsync(IZarrStore store, CancellationToken ct)
    {
        await foreach (string k in store.ListAsync("", ct).ConfigureAwait(false))
            if (!k.StartsWith(RunLedger.PrivateRoot, StringComparison.Ordinal)) return k;
        return null;
    }

    private static async Task ClearButLedgerAsync(IZarrStore store, Guid runId, CancellationToken ct)
    {
        string keep = RunLedger.PrefixOf(runId);
        var keys = new List<string>();
        await foreach (string k in store.ListAsync("", ct).ConfigureAwait(false))
            if (!k.StartsWith(keep, StringComparison.Ordinal)) keys.Add(k);
        // The root's zarr.json last: a clearing that fails half-way (a key that cannot be deleted) leaves a store that is
        // still one, which the retry and the next --overwrite clear again, rather than a folder refused as not a store.
        keys.Sort(static (a, b) => (a == "zarr.json").CompareTo(b == "zarr.json"));
        foreach (string k in keys) await store.DeleteAsync(k, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The dispatch step: selects the run's cells, writes the plan to the run's ledger (consolidation waits for exactly
    /// these), and returns what to publish and send.
    /// </summary>
    /// <exception cref="ConfigException">The config is wrong.</exception>
    /// <exception cref="CatalogException">The catalog cannot be read, or the selection names no cell of it.</exception>
    public static async Task<RunDispatch> DispatchAsync(TemplateReady m, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(m);
        var config = ConfigReferences.Load(m.Spec.Config);
        var catalog = await LoadCatalogAsync(m.Spec.Catalog, ct).ConfigureAwait(false);
        var cells = Select(catalog, m.Spec.Selection, config);
        var ledger = new RunLedger(ZarrStores.Open(m.Spec.Store), m.RunId);
        await ledger.WritePlanAsync(new RunPlan(cells, m.Spec.RequestedAt) { Config = m.Spec.Config, Catalog = m.Spec.Catalog, LeftOut = LeftOut(catalog, cells) }, ct).ConfigureAwait(false);
        var dispatched = new CellsDispatched { RunId = m.RunId, Store = m.Spec.Store, Cells = cells.Count, RequestedAt = m.Spec.RequestedAt };
        var messages = new AggregateCell[cells.Count];
        for (int i = 0; i < cells.Count; i++)
        {
            var cell = cells[i];
            messages[i] = new AggregateCell
            {
                RunId = m.RunId, CatalogIndex = cell.CatalogIndex, ParentMorton = cell.ParentMorton, ParentOrder = m.ParentOrder,
                Granules = cell.Granules, Store = m.Spec.Store, Config = m.Spec.Config,
            };
        }
        return new RunDispatch(dispatched, messages);
    }

    /// <summary>The morton words of the catalog's parent cells that <paramref name="selected"/> does not hold, in catalog order.</summary>
    private static List<long> LeftOut(GranuleCatalog catalog, IReadOnlyList<PlannedCell> selected)
    {
        var taken = new HashSet<long>(selected.Count);
        foreach (var cell in selected) taken.Add(cell.CatalogIndex);
        var left = new List<long>(catalog.Cells.Count - taken.Count);
        for (int i = 0; i < catalog.Cells.Count; i++)
            if (!taken.Contains(i)) left.Add(catalog.Cells[i].Morton);
        return left;
    }

    /// <summary>
    /// The cells of a run: the catalog's cells, or only <see cref="RunSelection.MortonCell"/>, or the first
    /// <see cref="RunSelection.MaxCells"/>; their granules resolved for the run's driver (the selection's, else the
    /// config's data_source.driver); largest first (most granules; equal sizes keep catalog order) so the long cells do
    /// not finish last.
    /// </summary>
    /// <exception cref="CatalogException">The catalog lists no cell, the selection's morton cell is not a cell of it, or the
    /// selection's explicit driver cannot reach a granule (a local file, or a link the catalog's s3_base/https_base do not
    /// translate).</exception>
    public static IReadOnlyList<PlannedCell> Select(GranuleCatalog catalog, RunSelection selection, PipelineConfig config)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(selection);
        ArgumentNullException.ThrowIfNull(config);
        // Nothing to aggregate is the catalog's fault, said at once: the template step would fail on it, and be retried.
        if (catalog.Cells.Count == 0) throw new CatalogException("the catalog lists no parent cells: there is nothing to aggregate");
        string driver = selection.Driver ?? config.DataSource.Driver;
        IEnumerable<int> indexes = Enumerable.Range(0, catalog.Cells.Count);
        if (selection.MortonCell is long morton)
        {
            indexes = indexes.Where(i => catalog.Cells[i].Morton == morton).ToList();
            if (!indexes.Any()) throw new CatalogException($"--morton-cell {morton} is not a cell of the catalog (parent order {catalog.ParentOrder})");
        }
        else if (selection.MaxCells is int n) indexes = indexes.Take(n);
        var planned = new List<PlannedCell>();
        foreach (int i in indexes)
        {
            var (cellMorton, granules) = catalog.Cells[i];
            var resolved = new string[granules.Count];
            for (int g = 0; g < resolved.Length; g++)
            {
                resolved[g] = catalog.Resolve(granules[g], driver);
                // An explicit --driver the catalog cannot honour (local files, or links without the other base) is refused
                // rather than run another way; the config's default driver applies only where the catalog allows it.
                if (selection.Driver is { } asked && !Reaches(resolved[g], asked))
                    throw new CatalogException($"--driver {asked}: the catalog gives {granules[g]}, which it cannot turn into {(asked == "s3" ? "an s3://" : "an https://")} link (its metadata names no s3_base and https_base for it)");
            }
            planned.Add(new PlannedCell(i, cellMorton, resolved));
        }
        // Stable: equal sizes keep catalog order.
        return planned.OrderByDescending(c => c.Granules.Count).ThenBy(c => c.CatalogIndex).ToList();
    }

    private static bool Reaches(string url, string driver) => driver == "s3"
        ? url.StartsWith("s3://", StringComparison.OrdinalIgnoreCase)
        : url.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("http://", StringComparison.OrdinalIgnoreCase);
}
