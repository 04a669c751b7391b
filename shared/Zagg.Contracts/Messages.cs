using System.Text.Json.Serialization;

namespace Zagg.Contracts;

// The messages of a run, in the order they flow:
//
//   RunRequested ──► Catalog ──► CatalogReady ──► Template ──► TemplateReady ──► Dispatcher
//   Dispatcher ──► CellsDispatched (to Consolidation) + one AggregateCell per cell (to the worker queue)
//   Worker ──► CellAggregated | CellFailed ──► Consolidation ──► RunCompleted
//
// Every message carries the contract Version it was written with (readers refuse a newer major
// version) and the RunId that ties a run's messages together. Messages carry references, never
// secrets: a config by name or YAML text, a catalog and a store by location, credentials by the
// name of a source the receiving host resolves itself.

/// <summary>The contract version this library writes. Readers accept messages of this version or older.</summary>
public static class ContractVersion
{
    public const int Current = 1;

    /// <summary>Refuses a message written by a newer contract version than this build understands.</summary>
    public static void Check(int version, string message)
    {
        if (version > Current)
            throw new ContractVersionException($"{message} has contract version {version}; this build understands up to {Current}: upgrade zagg");
    }
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

    /// <summary>The catalog JSON's location (a path, file://, s3:// or https://).</summary>
    public required string Catalog { get; init; }

    /// <summary>The output store's location (a path, file:// or s3://bucket/prefix).</summary>
    public required string Store { get; init; }

    public RunSelection Selection { get; init; } = new();

    /// <summary>
    /// The name of a credentials source the worker resolves in its own environment (for example
    /// "env": EARTHDATA_TOKEN and the AWS variables), or null for none. Never a secret.
    /// </summary>
    public string? Credentials { get; init; }

    public required DateTimeOffset RequestedAt { get; init; }
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

/// <summary>Aggregate one parent cell and write its chunk. Sent by the dispatcher to the worker queue (or an SQS queue for Lambdas).</summary>
public sealed record AggregateCell
{
    public int Version { get; init; } = ContractVersion.Current;
    public required Guid RunId { get; init; }

    /// <summary>The cell's index in the catalog (its chunk in a compact store).</summary>
    public required long ChunkIndex { get; init; }

    public required long ParentMorton { get; init; }
    public required int ParentOrder { get; init; }
    public required int ChildOrder { get; init; }

    /// <summary>The cell's granules, already resolved for the run's driver (s3:// or https://, or local paths).</summary>
    public required IReadOnlyList<string> Granules { get; init; }

    public required string Store { get; init; }
    public required ConfigReference Config { get; init; }

    /// <summary>See <see cref="RunSpec.Credentials"/>: a reference, never a secret.</summary>
    public string? Credentials { get; init; }
}

/// <summary>A cell's chunk is written. Published by the worker; consumed by consolidation (and progress displays).</summary>
public sealed record CellAggregated
{
    public int Version { get; init; } = ContractVersion.Current;
    public required Guid RunId { get; init; }
    public required long ChunkIndex { get; init; }
    public required long ParentMorton { get; init; }
    public required int CellsWithData { get; init; }
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
}

/// <summary>A cell failed after every retry; its message is in the error queue. Consumed by consolidation.</summary>
public sealed record CellFailed
{
    public int Version { get; init; } = ContractVersion.Current;
    public required Guid RunId { get; init; }
    public required long ChunkIndex { get; init; }
    public required long ParentMorton { get; init; }
    public required string Error { get; init; }

    /// <summary>How many times the cell was tried.</summary>
    public required int Attempts { get; init; }

    public required int GranuleCount { get; init; }
    public required string Worker { get; init; }

    /// <summary>The run's store (where consolidation keeps the run's ledger).</summary>
    public required string Store { get; init; }
}

/// <summary>The run is over: every cell aggregated or failed, the store consolidated, the report written; or the run could not start.</summary>
public sealed record RunCompleted
{
    public int Version { get; init; } = ContractVersion.Current;
    public required Guid RunId { get; init; }
    public required string Store { get; init; }

    /// <summary>Why the run stopped before its cells (unreadable catalog, existing store, …); null when it ran.</summary>
    public string? Error { get; init; }

    public required int Cells { get; init; }
    public required int CellsWithData { get; init; }
    public required long Observations { get; init; }

    /// <summary>Cells that failed.</summary>
    public required int Errors { get; init; }

    public required double DurationSeconds { get; init; }

    /// <summary>Where the run report is (STORE.report.json), or null when the run did not get that far.</summary>
    public string? Report { get; init; }

    [JsonIgnore]
    public bool Succeeded => Error is null && Errors == 0;

    /// <summary>The line zagg run ends with.</summary>
    [JsonIgnore]
    public string Summary => $"Done: {CellsWithData} cells with data, {Observations} obs, {Errors} errors, {DurationSeconds:F1} s";
}
