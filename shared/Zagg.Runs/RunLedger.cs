using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Zagg.Contracts;
using Zagg.Zarr.Stores;

namespace Zagg.Runs;

/// <summary>The run's plan: which cells to expect, and when the run was asked for (its duration counts from then).</summary>
public sealed record RunPlan(IReadOnlyList<PlannedCell> Cells, DateTimeOffset RequestedAt)
{
    /// <summary>The run's configuration (consolidation merges a pyramid's coarser orders by it); null in plans written before pyramids.</summary>
    public ConfigReference? Config { get; init; }

    /// <summary>The run's catalog location (a query run's: the one its catalog step built); null in plans written before it was kept.</summary>
    public string? Catalog { get; init; }

    /// <summary>
    /// The catalog's parent cells (morton words) that the run's selection (<c>--max-cells</c>, <c>--morton-cell</c>) left
    /// out: a pyramid's merged cells holding one are left unwritten, as those holding a failed cell are, since their numbers
    /// would be of part of their points. Empty when the selection takes every cell; null in plans written before it was kept.
    /// </summary>
    public IReadOnlyList<long>? LeftOut { get; init; }
}

/// <summary>
/// A run's state, kept in the output store under <c>.zagg/runs/RUN/</c> so that it survives a
/// restart of the service that tracks it: the plan, one record per cell (keyed by catalog index, so a
/// cell reported twice is counted once), and a completion marker. Zarr readers ignore these keys.
/// Every method may throw what the store throws (<see cref="Zagg.Zarr.ZarrException"/>, <see cref="IOException"/>).
/// </summary>
public sealed class RunLedger(IZarrStore store, Guid runId)
{
    public IZarrStore Store { get; } = store;
    public Guid RunId { get; } = runId;

    /// <summary>The keys of a run's ledger: <c>.zagg/runs/RUN/</c> (RUN without dashes).</summary>
    public static string PrefixOf(Guid runId) => $"{PrivateRoot}runs/{runId:N}/";

    /// <summary>The folder of a store that is zagg's own (run ledgers; a local store's temporaries), not the Zarr hierarchy's.</summary>
    public const string PrivateRoot = ".zagg/";

    /// <summary>The key of the catalog a query run builds, in the run's ledger: <c>.zagg/runs/RUN/catalog.json</c>.</summary>
    public static string CatalogKeyOf(Guid runId) => PrefixOf(runId) + "catalog.json";

    /// <summary>
    /// Where a query run's catalog is written, beside its ledger in the store: <c>{store}/.zagg/runs/{RUN}/catalog.json</c>
    /// (a path, file:// or s3:// location as the store's), so workers on other machines and later readers find it.
    /// </summary>
    /// <param name="store">The run's store location (a path, file:// or s3://bucket/prefix).</param>
    /// <param name="runId">The run.</param>
    public static string CatalogLocation(string store, Guid runId)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.TrimEnd('/') + "/" + CatalogKeyOf(runId);
    }

    /// <summary>
    /// The runs that kept a ledger in <paramref name="store"/> (every RUN of <c>.zagg/runs/RUN/</c>), in the order of their
    /// ids (a store written by one run holds one).
    /// </summary>
    /// <exception cref="Zagg.Zarr.ZarrException">The store cannot be listed.</exception>
    public static async Task<IReadOnlyList<Guid>> ListRunsAsync(IZarrStore store, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        const string root = PrivateRoot + "runs/";
        var runs = new SortedSet<Guid>();
        await foreach (string key in store.ListAsync(root, ct).ConfigureAwait(false))
        {
            int slash = key.IndexOf('/', root.Length);
            if (slash > root.Length && Guid.TryParseExact(key.AsSpan(root.Length, slash - root.Length), "N", out var id)) runs.Add(id);
        }
        return [.. runs];
    }

    private string Prefix => PrefixOf(RunId);
    private string CellsPrefix => Prefix + "cells/";
    private string CellKey(long catalogIndex) => CellsPrefix + catalogIndex.ToString(CultureInfo.InvariantCulture) + ".json";

    /// <summary>The template of this run is written (a redelivered request must not clear the store again).</summary>
    public Task<bool> HasTemplateAsync(CancellationToken ct = default) => Store.ExistsAsync(Prefix + "template.json", ct);

    public Task MarkTemplateAsync(CancellationToken ct = default) =>
        Store.SetAsync(Prefix + "template.json", JsonSerializer.SerializeToUtf8Bytes(new TemplateMark(RunId, DateTimeOffset.UtcNow), RunsJsonContext.Default.TemplateMark), ct);

    /// <summary>Writes the run's plan (the cells consolidation waits for).</summary>
    public Task WritePlanAsync(RunPlan plan, CancellationToken ct = default) =>
        Store.SetAsync(Prefix + "plan.json", JsonSerializer.SerializeToUtf8Bytes(plan, RunsJsonContext.Default.RunPlan), ct);

    /// <summary>The run's plan, or null before the dispatcher has written it.</summary>
    public async Task<RunPlan?> ReadPlanAsync(CancellationToken ct = default) =>
        await Store.GetAsync(Prefix + "plan.json", ct).ConfigureAwait(false) is { } bytes
            ? JsonSerializer.Deserialize(bytes, RunsJsonContext.Default.RunPlan) : null;

    /// <summary>Keeps a cell's record when it <see cref="CellRecord.Replaces"/> the one kept.</summary>
    /// <returns>True when the record was kept.</returns>
    public async Task<bool> RecordAsync(CellRecord record, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (!record.Succeeded && !record.Replaces(await ReadCellAsync(record.CatalogIndex, ct).ConfigureAwait(false))) return false;
        await Store.SetAsync(CellKey(record.CatalogIndex), JsonSerializer.SerializeToUtf8Bytes(record, RunsJsonContext.Default.CellRecord), ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>The record of the cell at <paramref name="catalogIndex"/>, or null when none is kept.</summary>
    public async Task<CellRecord?> ReadCellAsync(long catalogIndex, CancellationToken ct = default) =>
        await Store.GetAsync(CellKey(catalogIndex), ct).ConfigureAwait(false) is { } bytes
            ? JsonSerializer.Deserialize(bytes, RunsJsonContext.Default.CellRecord) : null;

    /// <summary>Every cell record kept, by catalog index.</summary>
    public async Task<Dictionary<long, CellRecord>> ReadCellsAsync(CancellationToken ct = default)
    {
        var cells = new Dictionary<long, CellRecord>();
        await foreach (string key in Store.ListAsync(CellsPrefix, ct).ConfigureAwait(false))
            if (await Store.GetAsync(key, ct).ConfigureAwait(false) is { } bytes && JsonSerializer.Deserialize(bytes, RunsJsonContext.Default.CellRecord) is { } r)
                cells[r.CatalogIndex] = r;
        return cells;
    }

    private string StateKey(long catalogIndex) => Prefix + "states/" + catalogIndex.ToString(CultureInfo.InvariantCulture) + ".bin";

    /// <summary>Keeps a parent cell's mergeable state (a pyramid's orders coarser than the parent's are merged from them).</summary>
    public Task WriteStateAsync(long catalogIndex, byte[] state, CancellationToken ct = default) => Store.SetAsync(StateKey(catalogIndex), state, ct);

    /// <summary>The state kept for the cell at <paramref name="catalogIndex"/>, or null.</summary>
    public Task<byte[]?> ReadStateAsync(long catalogIndex, CancellationToken ct = default) => Store.GetAsync(StateKey(catalogIndex), ct);

    /// <summary>Writes how far a query run's catalog step is (<c>catalog-progress.json</c>): what zagg run shows before the cells.</summary>
    public Task WriteCatalogProgressAsync(CatalogProgress progress, CancellationToken ct = default) =>
        Store.SetAsync(Prefix + "catalog-progress.json", JsonSerializer.SerializeToUtf8Bytes(progress, RunsJsonContext.Default.CatalogProgress), ct);

    /// <summary>How far the run's catalog step is, or null before it reported anything (or for a run given a catalog file).</summary>
    public async Task<CatalogProgress?> ReadCatalogProgressAsync(CancellationToken ct = default) =>
        await Store.GetAsync(Prefix + "catalog-progress.json", ct).ConfigureAwait(false) is { } bytes
            ? JsonSerializer.Deserialize(bytes, RunsJsonContext.Default.CatalogProgress) : null;

    /// <summary>The run's RunCompleted once it completed, else null.</summary>
    public async Task<RunCompleted?> ReadCompletedAsync(CancellationToken ct = default) =>
        await Store.GetAsync(Prefix + "completed.json", ct).ConfigureAwait(false) is { } bytes
            ? JsonSerializer.Deserialize(bytes, RunsJsonContext.Default.RunCompleted) : null;

    /// <summary>Marks the run completed (a late duplicate then completes nothing again).</summary>
    public Task MarkCompletedAsync(RunCompleted completed, CancellationToken ct = default) =>
        Store.SetAsync(Prefix + "completed.json", JsonSerializer.SerializeToUtf8Bytes(completed, RunsJsonContext.Default.RunCompleted), ct);
}

/// <summary>The ledger's mark of a written template: <c>{"runId":…,"written":…}</c>.</summary>
internal sealed record TemplateMark(Guid RunId, DateTimeOffset Written);

/// <summary>
/// The ledger's JSON, source-generated (no reflection; Native-AOT-safe) with <see cref="ContractJson"/>'s rules:
/// camelCase, nulls omitted.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TemplateMark))]
[JsonSerializable(typeof(RunPlan))]
[JsonSerializable(typeof(CellRecord))]
[JsonSerializable(typeof(RunCompleted))]
[JsonSerializable(typeof(CatalogProgress))]
internal sealed partial class RunsJsonContext : JsonSerializerContext;
