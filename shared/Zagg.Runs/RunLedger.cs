using System.Globalization;
using System.Text.Json;
using Zagg.Contracts;
using Zagg.Zarr.Stores;

namespace Zagg.Runs;

/// <summary>What became of one cell, as the ledger keeps it.</summary>
public sealed record CellRecord
{
    public required long ChunkIndex { get; init; }
    public required long ParentMorton { get; init; }
    public required bool Succeeded { get; init; }
    public int CellsWithData { get; init; }
    public long Observations { get; init; }
    public int GranuleCount { get; init; }
    public int FilesProcessed { get; init; }
    public double DurationSeconds { get; init; }

    /// <summary>The failure, or the note of a cell without data.</summary>
    public string? Message { get; init; }

    public int Attempts { get; init; } = 1;
    public string? Worker { get; init; }

    public static CellRecord From(CellAggregated m) => new()
    {
        ChunkIndex = m.ChunkIndex, ParentMorton = m.ParentMorton, Succeeded = true, CellsWithData = m.CellsWithData,
        Observations = m.Observations, GranuleCount = m.GranuleCount, FilesProcessed = m.FilesProcessed,
        DurationSeconds = m.DurationSeconds, Message = m.Note, Worker = m.Worker,
    };

    public static CellRecord From(CellFailed m) => new()
    {
        ChunkIndex = m.ChunkIndex, ParentMorton = m.ParentMorton, Succeeded = false, GranuleCount = m.GranuleCount,
        Message = m.Error, Attempts = m.Attempts, Worker = m.Worker,
    };
}

/// <summary>The run's plan: which cells to expect.</summary>
public sealed record RunPlan(IReadOnlyList<PlannedCell> Cells, DateTimeOffset RequestedAt);

/// <summary>
/// A run's state, kept in the output store under <c>.zagg/runs/RUN/</c> so that it survives a
/// restart of the service that tracks it: the plan, one record per cell (keyed by chunk, so a cell
/// reported twice is counted once), and a completion marker. Zarr readers ignore these keys.
/// </summary>
public sealed class RunLedger(IZarrStore store, Guid runId)
{
    public IZarrStore Store { get; } = store;
    public Guid RunId { get; } = runId;

    public static string PrefixOf(Guid runId) => $".zagg/runs/{runId:N}/";

    private string Prefix => PrefixOf(RunId);
    private string CellsPrefix => Prefix + "cells/";
    private string CellKey(long chunk) => CellsPrefix + chunk.ToString(CultureInfo.InvariantCulture) + ".json";

    /// <summary>The template of this run is written (a redelivered request must not clear the store again).</summary>
    public Task<bool> HasTemplateAsync(CancellationToken ct = default) => Store.ExistsAsync(Prefix + "template.json", ct);

    public Task MarkTemplateAsync(CancellationToken ct = default) =>
        Store.SetAsync(Prefix + "template.json", JsonSerializer.SerializeToUtf8Bytes(new { runId = RunId, written = DateTimeOffset.UtcNow }, ContractJson.Options), ct);

    public Task WritePlanAsync(RunPlan plan, CancellationToken ct = default) =>
        Store.SetAsync(Prefix + "plan.json", JsonSerializer.SerializeToUtf8Bytes(plan, ContractJson.Options), ct);

    public async Task<RunPlan?> ReadPlanAsync(CancellationToken ct = default) =>
        await Store.GetAsync(Prefix + "plan.json", ct).ConfigureAwait(false) is { } bytes
            ? JsonSerializer.Deserialize<RunPlan>(bytes, ContractJson.Options) : null;

    /// <summary>Keeps a cell's record. A success replaces a failure; a failure never replaces a success.</summary>
    public async Task<bool> RecordAsync(CellRecord record, CancellationToken ct = default)
    {
        if (!record.Succeeded && await ReadCellAsync(record.ChunkIndex, ct).ConfigureAwait(false) is { Succeeded: true }) return false;
        await Store.SetAsync(CellKey(record.ChunkIndex), JsonSerializer.SerializeToUtf8Bytes(record, ContractJson.Options), ct).ConfigureAwait(false);
        return true;
    }

    public async Task<CellRecord?> ReadCellAsync(long chunk, CancellationToken ct = default) =>
        await Store.GetAsync(CellKey(chunk), ct).ConfigureAwait(false) is { } bytes
            ? JsonSerializer.Deserialize<CellRecord>(bytes, ContractJson.Options) : null;

    public async Task<Dictionary<long, CellRecord>> ReadCellsAsync(CancellationToken ct = default)
    {
        var cells = new Dictionary<long, CellRecord>();
        await foreach (string key in Store.ListAsync(CellsPrefix, ct).ConfigureAwait(false))
            if (await Store.GetAsync(key, ct).ConfigureAwait(false) is { } bytes && JsonSerializer.Deserialize<CellRecord>(bytes, ContractJson.Options) is { } r)
                cells[r.ChunkIndex] = r;
        return cells;
    }

    public async Task<RunCompleted?> ReadCompletedAsync(CancellationToken ct = default) =>
        await Store.GetAsync(Prefix + "completed.json", ct).ConfigureAwait(false) is { } bytes
            ? JsonSerializer.Deserialize<RunCompleted>(bytes, ContractJson.Options) : null;

    public Task MarkCompletedAsync(RunCompleted completed, CancellationToken ct = default) =>
        Store.SetAsync(Prefix + "completed.json", JsonSerializer.SerializeToUtf8Bytes(completed, ContractJson.Options), ct);
}
