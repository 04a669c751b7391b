using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Zagg.Pipeline.Aggregation;
using Zagg.Pipeline.Config;
using Zagg.Grid;
using Zagg.Pipeline.Output;
using Zagg.Zarr.Stores;

namespace Zagg.Pipeline.Catalogs;

/// <summary>What <c>zagg run</c> is asked to do.</summary>
public sealed record RunOptions
{
    public required PipelineConfig Config { get; init; }
    public required GranuleCatalog Catalog { get; init; }
    public required string Store { get; init; }
    public int? MaxCells { get; init; }
    public long? MortonCell { get; init; }
    public int MaxWorkers { get; init; } = Environment.ProcessorCount;
    public bool Overwrite { get; init; }
    public string? Driver { get; init; }
}

/// <summary>Progress after each cell.</summary>
public readonly record struct RunProgress(int CellsDone, int CellsTotal, long Observations, int Errors, TimeSpan Elapsed);

/// <summary>The run report: per cell, and in total.</summary>
public sealed record RunReport(string Store, IReadOnlyList<CellResult> Cells, double DurationSeconds)
{
    public int CellsWithData => Cells.Count(c => c.CellsWithData > 0);
    public long Observations => Cells.Sum(c => c.TotalObs);

    /// <summary>Cells that failed: a granule could not be read, or the cell could not be written.</summary>
    public int Errors => Cells.Count(IsFailure);

    public static bool IsFailure(CellResult c) => c.GranuleErrors.Count > 0 || c.Error is not (null or "No data after filtering" or "No granules found");

    public string Summary => $"Done: {CellsWithData} cells with data, {Observations} obs, {Errors} errors, {DurationSeconds:F1} s";

    public JsonObject ToJson() => new()
    {
        ["store"] = Store,
        ["duration_s"] = DurationSeconds,
        ["cells_with_data"] = CellsWithData,
        ["total_obs"] = Observations,
        ["errors"] = Errors,
        ["cells"] = new JsonArray(Cells.Select(c => (JsonNode)new JsonObject
        {
            ["parent_morton"] = c.ParentMorton,
            ["cells_with_data"] = c.CellsWithData,
            ["total_obs"] = c.TotalObs,
            ["granule_count"] = c.GranuleCount,
            ["files_processed"] = c.FilesProcessed,
            ["duration_s"] = Math.Round(c.DurationSeconds, 3),
            ["error"] = c.Error is null && c.GranuleErrors.Count > 0 ? string.Join("; ", c.GranuleErrors) : c.Error,
        }).ToArray()),
    };
}

/// <summary>
/// Runs the pipeline in this process: template, then every selected cell in parallel (bounded by
/// MaxWorkers), each aggregated and written as its own chunk, then consolidation and the report.
/// </summary>
public static class PipelineRunner
{
    /// <summary>The cells a run covers: (catalog index, NESTED id, granules).</summary>
    public static IReadOnlyList<(int Index, long Nested, IReadOnlyList<string> Granules)> SelectCells(RunOptions o)
    {
        int order = o.Catalog.ParentOrder;
        var all = o.Catalog.Cells.Select((c, i) => (i, Morton.ToNested(c.Morton, out _), c.Granules)).ToList();
        if (o.MortonCell is long m)
        {
            var one = all.Where(c => o.Catalog.Cells[c.i].Morton == m).ToList();
            if (one.Count == 0) throw new CatalogException($"--morton-cell {m} is not a cell of the catalog (parent order {order})");
            return one;
        }
        return o.MaxCells is int n ? all.Take(n).ToList() : all;
    }

    public static async Task<RunReport> RunAsync(RunOptions o, IProgress<RunProgress>? progress = null, CancellationToken ct = default)
    {
        var watch = Stopwatch.StartNew();
        var cells = SelectCells(o);
        int parentOrder = o.Catalog.ParentOrder;
        if (o.Config.Grid.ChildOrder < parentOrder)
            throw new ConfigException($"{o.Config.Source}: output.grid.child_order {o.Config.Grid.ChildOrder} is coarser than the catalog's parent order {parentOrder}");
        var store = ZarrStores.Open(o.Store);
        var dggs = await DggsStore.CreateAsync(store, o.Config.ToTemplate(parentOrder, o.Catalog.Cells.Count), o.Overwrite, ct).ConfigureAwait(false);
        string driver = o.Driver ?? o.Config.DataSource.Driver;
        await using var aggregator = new CellAggregator(o.Config, parentOrder);
        var results = new CellResult[cells.Count];
        int done = 0, errors = 0;
        long observations = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, cells.Count), new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, o.MaxWorkers), CancellationToken = ct }, async (k, token) =>
        {
            var (index, nested, granules) = cells[k];
            CellResult result;
            try
            {
                var agg = await aggregator.AggregateAsync(nested, granules.Select(g => o.Catalog.Resolve(g, driver)).ToList(), token).ConfigureAwait(false);
                result = agg.Result;
                if (result.CellsWithData > 0) await dggs.WriteCellAsync(nested, index, agg.Chunks, token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is Zagg.Zarr.ZarrException or IOException)
            {
                result = new CellResult(Morton.FromNested(nested, parentOrder), nested, 0, 0, granules.Count, 0, 0, $"writing the cell failed: {e.Message}", []);
            }
            results[k] = result;
            Interlocked.Add(ref observations, result.TotalObs);
            if (RunReport.IsFailure(result)) Interlocked.Increment(ref errors);
            progress?.Report(new RunProgress(Interlocked.Increment(ref done), cells.Count, Interlocked.Read(ref observations), Volatile.Read(ref errors), watch.Elapsed));
        }).ConfigureAwait(false);
        await dggs.ConsolidateAsync(ct).ConfigureAwait(false);
        var report = new RunReport(store.Name, results, watch.Elapsed.TotalSeconds);
        await WriteReportAsync(o.Store, report, ct).ConfigureAwait(false);
        return report;
    }

    /// <summary>The report goes next to the store: STORE.report.json.</summary>
    public static string ReportLocation(string store) => store.TrimEnd('/') + ".report.json";

    public static async Task WriteReportAsync(string store, RunReport report, CancellationToken ct = default)
    {
        string location = ReportLocation(store);
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(report.ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        // The folder (or bucket prefix) holding the store, opened as a store: one atomic write, local or S3.
        int slash = location.LastIndexOf('/');
        string folder = slash < 0 ? "." : slash == 0 ? "/" : location[..slash];
        await ZarrStores.Open(folder).SetAsync(location[(slash + 1)..], bytes, ct).ConfigureAwait(false);
    }
}
