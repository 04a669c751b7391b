using Zagg.Contracts;

namespace Zagg.Runs;

/// <summary>What became of one parent cell of a run: as the run ledger keeps it, the report lists it and zagg run shows it.</summary>
public sealed record CellRecord
{
    /// <summary>The cell's index in the catalog's cell list (see <see cref="AggregateCell.CatalogIndex"/>).</summary>
    public required long CatalogIndex { get; init; }

    /// <summary>The parent cell's morton word.</summary>
    public required long ParentMorton { get; init; }

    public required bool Succeeded { get; init; }

    /// <summary>Child cells that received at least one observation.</summary>
    public int ChildCellsWithData { get; init; }

    public long Observations { get; init; }
    public int GranuleCount { get; init; }
    public int FilesProcessed { get; init; }

    /// <summary>The aggregation's time, in seconds (0 for a failed cell).</summary>
    public double DurationSeconds { get; init; }

    /// <summary>The failure's reason, or the note of a cell without data ("No data after filtering"); null otherwise.</summary>
    public string? Message { get; init; }

    /// <summary>How many times the cell was tried (1 when it succeeded at once or failed permanently).</summary>
    public int Attempts { get; init; } = 1;

    /// <summary>The worker (host:process id) that aggregated it, or gave up on it.</summary>
    public string? Worker { get; init; }

    /// <summary>What the cell's remote reads cost; null when it read only local files (or failed).</summary>
    public SourceReads? Reads { get; init; }

    /// <summary>
    /// What the report and zagg run say of the cell: for a failure "failed after N attempt(s): reason"; for a success its
    /// note or null.
    /// </summary>
    public string? Reason => Succeeded ? Message : $"failed after {Attempts} attempt(s): {Message}";

    /// <summary>
    /// Whether this record replaces <paramref name="known"/>, the cell's record so far (null: none): a success replaces
    /// anything; a failure replaces a failure, never a success (a redelivered cell that failed after it was written).
    /// </summary>
    public bool Replaces(CellRecord? known) => known is null || Succeeded || !known.Succeeded;

    /// <summary>The record of an aggregated cell.</summary>
    public static CellRecord From(CellAggregated m)
    {
        ArgumentNullException.ThrowIfNull(m);
        return new()
        {
            CatalogIndex = m.CatalogIndex, ParentMorton = m.ParentMorton, Succeeded = true, ChildCellsWithData = m.ChildCellsWithData,
            Observations = m.Observations, GranuleCount = m.GranuleCount, FilesProcessed = m.FilesProcessed,
            DurationSeconds = m.DurationSeconds, Message = m.Note, Worker = m.Worker, Reads = m.Reads,
        };
    }

    /// <summary>The record of a cell whose last attempt failed.</summary>
    /// <param name="m">The cell's message.</param>
    /// <param name="reason">Why it failed.</param>
    /// <param name="attempts">How many times it was tried (≥ 1).</param>
    /// <param name="worker">The host that gave up on it.</param>
    public static CellRecord Failed(AggregateCell m, string reason, int attempts, string worker)
    {
        ArgumentNullException.ThrowIfNull(m);
        return new()
        {
            CatalogIndex = m.CatalogIndex, ParentMorton = m.ParentMorton, Succeeded = false, GranuleCount = m.Granules.Count,
            Message = reason, Attempts = Math.Max(1, attempts), Worker = worker,
        };
    }
}
