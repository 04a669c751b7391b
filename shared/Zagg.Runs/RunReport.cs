using System.Text.Json;
using System.Text.Json.Nodes;
using Zagg.Contracts;
using Zagg.Zarr.Stores;

namespace Zagg.Runs;

/// <summary>
/// The run report: every planned cell's record (in catalog order) and the totals, written as JSON next to the store
/// (<see cref="LocationOf"/>). Its keys are the ones users know: store, catalog, duration_s, cells_with_data, total_obs, errors,
/// cells[] {parent_morton, cells_with_data, total_obs, granule_count, files_processed, duration_s, error}; and, for a
/// run that read remote granules, reads {requests, bytes, retries, time_to_first_byte_s, wait_s} in total and per cell.
/// </summary>
/// <param name="Store">The store's name.</param>
/// <param name="Cells">The run's cells.</param>
/// <param name="DurationSeconds">From the request to the end, in seconds.</param>
public sealed record RunReport(string Store, IReadOnlyList<CellRecord> Cells, double DurationSeconds)
{
    /// <summary>The catalog the run read (for a query run, the one its catalog step built beside the ledger); null when unknown.</summary>
    public string? Catalog { get; init; }

    /// <summary>Parent cells with at least one observation (the report's top-level cells_with_data).</summary>
    public int ParentCellsWithData => Cells.Count(c => c.ChildCellsWithData > 0);

    public long Observations => Cells.Sum(c => c.Observations);

    /// <summary>Cells that failed.</summary>
    public int Errors => Cells.Count(c => !c.Succeeded);

    /// <summary>What the run's remote reads cost in total; null when it read only local files.</summary>
    public SourceReads? Reads => Cells.Aggregate((SourceReads?)null, (sum, c) => SourceReads.Add(sum, c.Reads));

    /// <summary>The report's JSON (per cell, cells_with_data counts child cells; error is <see cref="CellRecord.Reason"/>).</summary>
    public JsonObject ToJson()
    {
        var json = Json();
        if (Reads is { } total)
        {
            json["reads"] = ReadsJson(total);
            var cells = json["cells"]!.AsArray();
            for (int i = 0; i < Cells.Count; i++)
                if (Cells[i].Reads is { } r) cells[i]!["reads"] = ReadsJson(r);
        }
        return json;
    }

    private static JsonObject ReadsJson(SourceReads r) => new()
    {
        ["requests"] = r.Requests,
        ["bytes"] = r.Bytes,
        ["retries"] = r.Retries,
        ["time_to_first_byte_s"] = Math.Round(r.TimeToFirstByteSeconds, 3),
        ["wait_s"] = Math.Round(r.WaitSeconds, 3),
    };

    private JsonObject Json() => new()
    {
        ["store"] = Store,
        ["catalog"] = Catalog,
        ["duration_s"] = DurationSeconds,
        ["cells_with_data"] = ParentCellsWithData,
        ["total_obs"] = Observations,
        ["errors"] = Errors,
        ["cells"] = new JsonArray(Cells.Select(c => (JsonNode)new JsonObject
        {
            ["parent_morton"] = c.ParentMorton,
            ["cells_with_data"] = c.ChildCellsWithData,
            ["total_obs"] = c.Observations,
            ["granule_count"] = c.GranuleCount,
            ["files_processed"] = c.FilesProcessed,
            ["duration_s"] = Math.Round(c.DurationSeconds, 3),
            ["error"] = c.Reason,
        }).ToArray()),
    };

    /// <summary>Where a store's report goes: <c>STORE.report.json</c> beside it (a path, file:// or s3:// location).</summary>
    public static string LocationOf(string store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.TrimEnd('/') + ".report.json";
    }

    /// <summary>Writes the report (indented JSON) to <see cref="LocationOf"/>(<paramref name="store"/>), in one atomic write, local or S3.</summary>
    /// <param name="store">The store's location, as the run was given it.</param>
    /// <param name="ct">Cancels the write.</param>
    /// <exception cref="Zagg.Zarr.ZarrException">The folder or bucket holding the store cannot be written.</exception>
    /// <exception cref="IOException">A local write failed.</exception>
    public async Task WriteAsync(string store, CancellationToken ct = default)
    {
        string location = LocationOf(store);
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(ToJson().ToJsonString(Indented));
        // The folder (or bucket prefix) holding the store, opened as a store: the one location resolver decides which.
        var (folder, key) = ZarrStores.ForObject(location);
        await folder.SetAsync(key, bytes, ct).ConfigureAwait(false);
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
}
