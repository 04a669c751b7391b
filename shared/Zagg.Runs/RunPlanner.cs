using Zagg.Contracts;
using Zagg.Pipeline.Config;
using Zagg.Pipeline.Catalogs;

namespace Zagg.Runs;

/// <summary>One cell of a run's plan.</summary>
public sealed record PlannedCell(long ChunkIndex, long ParentMorton, IReadOnlyList<string> Granules);

/// <summary>What the catalog, template and dispatcher services do, without a transport.</summary>
public static class RunPlanner
{
    /// <summary>Reads a run's catalog: a local path or file:// URL, or s3://bucket/key (see <see cref="GranuleCatalog.LoadAsync"/>).</summary>
    public static Task<GranuleCatalog> LoadCatalogAsync(string location, CancellationToken ct = default) => GranuleCatalog.LoadAsync(location, ct);

    /// <summary>Checks that the config and the catalog fit together (the catalog service's job).</summary>
    public static CatalogReady CatalogReady(Guid runId, RunSpec spec, PipelineConfig config, GranuleCatalog catalog)
    {
        config.RequireParentOrder(catalog.ParentOrder);
        // The selection must name a cell of this catalog: refuse now rather than dispatch nothing.
        Select(catalog, spec.Selection, config);
        return new CatalogReady { RunId = runId, Spec = spec, ParentOrder = catalog.ParentOrder, CatalogCells = catalog.Cells.Count };
    }

    /// <summary>
    /// The cells of a run (honouring max-cells and morton-cell), their granules resolved for the
    /// run's driver, largest first so the long cells do not finish last.
    /// </summary>
    public static IReadOnlyList<PlannedCell> Select(GranuleCatalog catalog, RunSelection selection, PipelineConfig config)
    {
        var options = new RunOptions
        {
            Config = config, Catalog = catalog, Store = "", MaxCells = selection.MaxCells, MortonCell = selection.MortonCell,
        };
        string driver = selection.Driver ?? config.DataSource.Driver;
        var cells = PipelineRunner.SelectCells(options);
        var planned = new PlannedCell[cells.Count];
        for (int i = 0; i < cells.Count; i++)
        {
            var (index, _, granules) = cells[i];
            var resolved = new string[granules.Count];
            for (int g = 0; g < resolved.Length; g++) resolved[g] = catalog.Resolve(granules[g], driver);
            planned[i] = new PlannedCell(index, catalog.Cells[index].Morton, resolved);
        }
        // Stable: equal sizes keep catalog order.
        return planned.OrderByDescending(c => c.Granules.Count).ThenBy(c => c.ChunkIndex).ToList();
    }

    public static AggregateCell Message(Guid runId, RunSpec spec, TemplateReady template, PlannedCell cell) => new()
    {
        RunId = runId,
        ChunkIndex = cell.ChunkIndex,
        ParentMorton = cell.ParentMorton,
        ParentOrder = template.ParentOrder,
        ChildOrder = template.ChildOrder,
        Granules = cell.Granules,
        Store = spec.Store,
        Config = spec.Config,
        Credentials = spec.Credentials,
    };
}

/// <summary>Runs that stop before their cells.</summary>
public static class RunFailures
{
    /// <summary>Failures that retrying cannot mend: bad config or catalog, a newer contract, an existing store.</summary>
    public static readonly Type[] Permanent = [typeof(Zagg.Pipeline.Config.ConfigException), typeof(CatalogException), typeof(ContractVersionException)];

    public static RunCompleted Completed(Guid runId, RunSpec spec, string step, Exception e) => new()
    {
        RunId = runId,
        Store = spec.Store,
        Error = $"{step}: {e.Message}",
        Cells = 0,
        CellsWithData = 0,
        Observations = 0,
        Errors = 0,
        DurationSeconds = (DateTimeOffset.UtcNow - spec.RequestedAt).TotalSeconds,
    };
}
