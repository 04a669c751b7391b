using System.Text.Json.Serialization;

namespace Zagg.Contracts;

// The messages of a run, in the order they flow:
//
//   RunRequested ──► Catalog ──► CatalogReady ──► Template ──► TemplateReady ──► Dispatcher
//   Dispatcher ──► CellsDispatched (to Consolidation) + one AggregateCell per cell (to the worker queue)
//   Worker ──► CellAggregated ──► Consolidation ──► RunCompleted
//   a cell's last failed attempt ──► MassTransit's Fault<AggregateCell> ──► Consolidation
//   a step's final failure ──► Fault<RunRequested | CatalogReady | TemplateReady> ──► Consolidation ──► RunCompleted (with the reason)
//
// Every message carries the contract Version it was written with (readers refuse a newer
// version) and the RunId that ties a run's messages together. Messages carry references, never
// secrets: a config by name or YAML text, a catalog and a store by location. Each host takes its
// credentials from its own environment (the AWS variables, EARTHDATA_TOKEN); no message names them.

/// <summary>
/// The contract version this library writes. Readers accept messages of this version and refuse newer ones.
/// Version 2 renamed chunkIndex to catalogIndex and cellsWithData to childCellsWithData (parentCellsWithData in
/// RunCompleted), dropped CellFailed (Fault&lt;AggregateCell&gt; replaces it), AggregateCell.childOrder and the
/// credentials fields: a version 1 message is not readable by version 2 (drain the queues before upgrading).
/// </summary>
public static class ContractVersion
{
    public const int Current = 2;

    /// <summary>Refuses a message written by a newer contract version than this build understands.</summary>
    /// <param name="version">The message's <c>version</c> field.</param>
    /// <param name="message">The message type's name, for the error.</param>
    /// <exception cref="ContractVersionException"><paramref name="version"/> is newer than <see cref="Current"/>.</exception>
    public static void Check(int version, string message)
    {
        if (version > Current)
            throw new ContractVersionException($"{message} has contract version {version}; this build understands up to {Current}: upgrade zagg");
    }

    /// <summary>The contract version a message was written with, or null when it is not one of Zagg's contracts.</summary>
    public static int? Of(object message) => message switch
    {
        RunRequested m => m.Version,
        CatalogReady m => m.Version,
        TemplateReady m => m.Version,
        CellsDispatched m => m.Version,
        AggregateCell m => m.Version,
        CellAggregated m => m.Version,
        RunCompleted m => m.Version,
        _ => null,
    };
}

/// <summary>A message from a newer contract version (never retried: retrying cannot help).</summary>
public sealed class ContractVersionException(string message) : Exception(message);

/// <summary>A pipeline configuration: a built-in by name ("atl06") or the YAML text itself.</summary>
public sealed record ConfigReference
{
    /// <summary>A built-in configuration's name; null when <see cref="Yaml"/> is given.</summary>
    public string? Name { get; init; }

    /// <summary>The configuration's YAML text; null when <see cref="Name"/> is given.</summary>
    public string? Yaml { get; init; }

    /// <summary>Where the YAML came from (a file name), for messages.</summary>
    public string? Source { get; init; }

    public static ConfigReference BuiltIn(string name) => new() { Name = name };

    public static ConfigReference Text(string yaml, string source) => new() { Yaml = yaml, Source = source };

    public override string ToString() => Name ?? Source ?? "(inline YAML)";
}

/// <summary>How much of the catalog a run covers, and how (the options users know from zagg run).</summary>
public sealed record RunSelection
{
    /// <summary>Only the first N cells of the catalog.</summary>
    public int? MaxCells { get; init; }

    /// <summary>Only this parent cell (a morton word of the catalog's parent order).</summary>
    public long? MortonCell { get; init; }

    /// <summary>Replace an existing store.</summary>
    public bool Overwrite { get; init; }

    /// <summary>How NASA granules are reached: "s3" or "https"; null takes the config's data_source.driver.</summary>
    public string? Driver { get; init; }
}

/// <summary>What a run is: carried unchanged from RunRequested through to the dispatcher.</summary>
public sealed record RunSpec
{
    public required ConfigReference Config { get; init; }

    /// <summary>
    /// The catalog JSON's location (a path, file://, s3:// or https://); with <see cref="Query"/>, where the catalog service
    /// writes the catalog it builds (a path, file:// or s3://; zagg run puts it beside the run's ledger in the store,
    /// <c>{store}/.zagg/runs/{RUN}/catalog.json</c>, so every worker and later reader finds it).
    /// </summary>
    public required string Catalog { get; init; }

    /// <summary>A catalog search instead of a catalog file: the catalog service builds the catalog from it (the code of <c>zagg catalog</c>) and writes it to <see cref="Catalog"/>. Optional (added in version 2).</summary>
    public CatalogQuery? Query { get; init; }

    /// <summary>The output store's location (a path, file:// or s3://bucket/prefix).</summary>
    public required string Store { get; init; }

    public RunSelection Selection { get; init; } = new();

    /// <summary>When the run was asked for (UTC); the run's duration counts from it.</summary>
    public required DateTimeOffset RequestedAt { get; init; }
}

/// <summary>
/// What <c>zagg catalog</c> asks a search service, as a message carries it: the product, dates or ICESat-2 cycle, the area
/// of interest (a box or a GeoJSON file the catalog service can read; default antarctica), the parent order, the service
/// (CMR by default, or a STAC API and collection) and the granule filters. No credentials: CMR and STAC searches are public.
/// </summary>
public sealed record CatalogQuery
{
    public string ShortName { get; init; } = "ATL06";
    public string Version { get; init; } = "007";
    public string Provider { get; init; } = "NSIDC_CPRD";

    /// <summary>First day (YYYY-MM-DD, UTC, included); with <see cref="EndDate"/>, instead of <see cref="Cycle"/>.</summary>
    public string? StartDate { get; init; }

    /// <summary>Last day (YYYY-MM-DD, UTC, included).</summary>
    public string? EndDate { get; init; }

    /// <summary>ICESat-2 cycle: 91 days from 2018-10-13 + (N−1)·91 days.</summary>
    public int? Cycle { get; init; }

    /// <summary>Area of interest as lon_min,lat_min,lon_max,lat_max (degrees); null with no <see cref="Polygon"/>: antarctica.</summary>
    public string? Bbox { get; init; }

    /// <summary>Area of interest as a GeoJSON file's path, readable by the catalog service.</summary>
    public string? Polygon { get; init; }

    /// <summary>Area of interest as a drainage-basin file's path (columns lat lon basin_id), readable by the catalog service.</summary>
    public string? BasinsFile { get; init; }

    /// <summary>With <see cref="BasinsFile"/>: the basin ids to take (null or empty: all).</summary>
    public IReadOnlyList<int>? Basins { get; init; }

    public int ParentOrder { get; init; } = 6;

    /// <summary>The CMR root (default NASA's operational CMR).</summary>
    public string? CmrUrl { get; init; }

    /// <summary>A STAC API root, instead of CMR; needs <see cref="Collection"/>.</summary>
    public string? StacUrl { get; init; }

    public string? Collection { get; init; }

    /// <summary>Keep granules whose name matches (* and ?).</summary>
    public string? NamePattern { get; init; }

    /// <summary>Keep ICESat-2 granules of these reference ground tracks.</summary>
    public IReadOnlyList<int>? Rgts { get; init; }

    /// <summary>Keep ICESat-2 granules of these regions (1–14).</summary>
    public IReadOnlyList<int>? Regions { get; init; }

    /// <summary>Retries of a search request that fails (429, 5xx, timeout, dropped connection); null: the search's default (5).</summary>
    public int? Retries { get; init; }
}

/// <summary>Start a run. Published by the AppHost (or any client); consumed by the catalog service.</summary>
public sealed record RunRequested
{
    public int Version { get; init; } = ContractVersion.Current;
    public required Guid RunId { get; init; }
    public required RunSpec Spec { get; init; }
}

/// <summary>The catalog is read and valid. Published by the catalog service; consumed by the template service.</summary>
public sealed record CatalogReady
{
    public int Version { get; init; } = ContractVersion.Current;
    public required Guid RunId { get; init; }
    public required RunSpec Spec { get; init; }
    public required int ParentOrder { get; init; }

    /// <summary>Cells in the whole catalog (the compact layout's chunk count).</summary>
    public required int CatalogCells { get; init; }
}

/// <summary>The store's hierarchy and array metadata exist. Published by the template service; consumed by the dispatcher.</summary>
public sealed record TemplateReady
{
    public int Version { get; init; } = ContractVersion.Current;
    public required Guid RunId { get; init; }
    public required RunSpec Spec { get; init; }
    public required int ParentOrder { get; init; }
    public required int ChildOrder { get; init; }
    public required int CatalogCells { get; init; }
}

/// <summary>
/// The dispatcher has planned the run (the plan is in the store's run ledger) and sends one
/// AggregateCell per cell. Consumed by consolidation, which then knows how many results to wait for.
/// </summary>
public sealed record CellsDispatched
{
    public int Version { get; init; } = ContractVersion.Current;
    public required Guid RunId { get; init; }
    public required string Store { get; init; }
    public required int Cells { get; init; }
    public required DateTimeOffset RequestedAt { get; init; }
}

/// <summary>
/// Aggregate one parent cell and write its chunk. Sent by the dispatcher to the worker queue (or an SQS queue for
/// Lambdas). Its final failure is MassTransit's <c>Fault&lt;AggregateCell&gt;</c>, consumed by consolidation.
/// </summary>
public sealed record AggregateCell
{
    public int Version { get; init; } = ContractVersion.Current;
    public required Guid RunId { get; init; }

    /// <summary>The cell's index in the catalog's cell list (0-based); in a compact store, also its chunk.</summary>
    public required long CatalogIndex { get; init; }

    /// <summary>The parent cell: a morton word of order <see cref="ParentOrder"/>.</summary>
    public required long ParentMorton { get; init; }

    public required int ParentOrder { get; init; }

    /// <summary>The cell's granules, already resolved for the run's driver (s3:// or https://, or local paths).</summary>
    public required IReadOnlyList<string> Granules { get; init; }

    public required string Store { get; init; }

    /// <summary>The run's configuration (its grid gives the child order).</summary>
    public required ConfigReference Config { get; init; }
}

/// <summary>A cell's chunk is written. Published by the worker; consumed by consolidation (and progress displays).</summary>
public sealed record CellAggregated
{
    public int Version { get; init; } = ContractVersion.Current;
    public required Guid RunId { get; init; }

    /// <summary>See <see cref="AggregateCell.CatalogIndex"/>.</summary>
    public required long CatalogIndex { get; init; }

    public required long ParentMorton { get; init; }

    /// <summary>Child cells of this parent that received at least one observation.</summary>
    public required int ChildCellsWithData { get; init; }

    /// <summary>Observations aggregated (after the quality filter).</summary>
    public required long Observations { get; init; }
    public required int GranuleCount { get; init; }
    public required int FilesProcessed { get; init; }
    public required double DurationSeconds { get; init; }

    /// <summary>Why a cell has no data ("No data after filtering", "No granules found"); not an error.</summary>
    public string? Note { get; init; }

    /// <summary>Which worker (host:process id) did it.</summary>
    public required string Worker { get; init; }

    /// <summary>The run's store (where consolidation keeps the run's ledger).</summary>
    public required string Store { get; init; }

    /// <summary>The message had been delivered before (a worker died holding it, or a retry).</summary>
    public bool Redelivered { get; init; }

    /// <summary>What the cell's remote reads cost; null when it read only local files. Counts only: never a URL, token or key.</summary>
    public SourceReads? Reads { get; init; }
}

/// <summary>What remote reads cost: the byte sources' counters, for a cell or summed over a run.</summary>
public sealed record SourceReads
{
    /// <summary>Ranged requests made (retries not included).</summary>
    public long Requests { get; init; }

    /// <summary>Bytes fetched.</summary>
    public long Bytes { get; init; }

    /// <summary>Requests tried again after a transient failure.</summary>
    public long Retries { get; init; }

    /// <summary>Summed time from sending each request to its response headers, in seconds.</summary>
    public double TimeToFirstByteSeconds { get; init; }

    /// <summary>Summed time requests waited for a slot under the per-worker bound, in seconds.</summary>
    public double WaitSeconds { get; init; }

    /// <summary>The sum of two (either may be null).</summary>
    public static SourceReads? Add(SourceReads? a, SourceReads? b) => a is null ? b : b is null ? a : new()
    {
        Requests = a.Requests + b.Requests, Bytes = a.Bytes + b.Bytes, Retries = a.Retries + b.Retries,
        TimeToFirstByteSeconds = a.TimeToFirstByteSeconds + b.TimeToFirstByteSeconds, WaitSeconds = a.WaitSeconds + b.WaitSeconds,
    };
}

/// <summary>The run is over: every cell aggregated or failed, the store consolidated, the report written; or the run could not start.</summary>
public sealed record RunCompleted
{
    public int Version { get; init; } = ContractVersion.Current;
    public required Guid RunId { get; init; }
    public required string Store { get; init; }

    /// <summary>Why the run stopped before its cells, after the step that stopped it ("template: STORE: a store already exists here …"); null when it ran.</summary>
    public string? Error { get; init; }

    /// <summary>The same reason without the step, for the user who asked for the run (null in messages of earlier versions).</summary>
    public string? Reason { get; init; }

    /// <summary>Parent cells the run planned.</summary>
    public required int Cells { get; init; }

    /// <summary>Parent cells with at least one observation.</summary>
    public required int ParentCellsWithData { get; init; }

    public required long Observations { get; init; }

    /// <summary>Parent cells that failed.</summary>
    public required int Errors { get; init; }

    public required double DurationSeconds { get; init; }

    /// <summary>Where the run report is (STORE.report.json), or null when the run did not get that far.</summary>
    public string? Report { get; init; }

    [JsonIgnore]
    public bool Succeeded => Error is null && Errors == 0;

    /// <summary>The line zagg run ends with: "Done: N cells with data, M obs, E errors, T s" (the one place it is written).</summary>
    [JsonIgnore]
    public string Summary => $"Done: {ParentCellsWithData} cells with data, {Observations} obs, {Errors} errors, {DurationSeconds:F1} s";

    /// <summary>
    /// The RunCompleted of a run that stopped before its cells: <c>Error</c> is "<paramref name="step"/>: <paramref name="reason"/>".
    /// </summary>
    /// <param name="runId">The run.</param>
    /// <param name="spec">The run's spec (its store, and when it was asked for).</param>
    /// <param name="step">The step that gave up: "catalog", "template" or "dispatch".</param>
    /// <param name="reason">Why, as the failure said it.</param>
    public static RunCompleted Stopped(Guid runId, RunSpec spec, string step, string reason) => new()
    {
        RunId = runId,
        Store = spec.Store,
        Error = $"{step}: {reason}",
        Reason = reason,
        Cells = 0,
        ParentCellsWithData = 0,
        Observations = 0,
        Errors = 0,
        DurationSeconds = (DateTimeOffset.UtcNow - spec.RequestedAt).TotalSeconds,
    };
}
