namespace Zagg.Pipeline.Aggregation;

/// <summary>How one parent cell's aggregation ended.</summary>
public enum CellOutcome
{
    /// <summary>Every granule was read and points fell in the cell: its chunk holds them.</summary>
    Aggregated,

    /// <summary>The catalog lists no granule for the cell (report text "No granules found"); not a failure.</summary>
    NoGranules,

    /// <summary>Every granule was read but no point passed the quality filter in the cell (report text "No data after filtering"); not a failure.</summary>
    NoDataAfterFiltering,

    /// <summary>At least one granule could not be read (see <see cref="CellResult.GranuleFailures"/>): the chunk would be incomplete.</summary>
    GranulesFailed,

    /// <summary>The cell could not be computed or written (see <see cref="CellResult.Detail"/>).</summary>
    Failed,
}

/// <summary>Why a granule could not be read for a cell.</summary>
public enum GranuleFailureKind
{
    /// <summary>
    /// The granule lacks a dataset the configuration names, or holds it in another shape than the
    /// coordinates: a configuration mistake. Permanent.
    /// </summary>
    MissingDataset,

    /// <summary>The file is not valid HDF5 or is damaged (truncated, corrupt), or uses a feature the reader lacks. Permanent.</summary>
    Damaged,

    /// <summary>The file or object does not exist or access is refused (no such file, HTTP 404/403, S3 NoSuchKey/AccessDenied). Permanent.</summary>
    Unavailable,

    /// <summary>Reading failed in transport (IO error, HTTP or S3 connection, 5xx, throttling): a later attempt may succeed.</summary>
    Transient,
}

/// <summary>One granule that could not be read for a cell.</summary>
/// <param name="Granule">The granule's location as read (path or URL).</param>
/// <param name="Kind">Why, as a kind a caller can act on.</param>
/// <param name="Message">The reader's message, beginning with the granule's location.</param>
public sealed record GranuleFailure(string Granule, GranuleFailureKind Kind, string Message)
{
    /// <summary>True unless <see cref="Kind"/> is <see cref="GranuleFailureKind.Transient"/>: retrying cannot help.</summary>
    public bool IsPermanent => Kind != GranuleFailureKind.Transient;
}

/// <summary>What one parent cell's aggregation did (the run report's row).</summary>
/// <param name="ParentMorton">The parent cell's morton word (0 below <see cref="Grid.Morton.MinOrder"/>).</param>
/// <param name="ParentNested">The parent cell's HEALPix NESTED id at the parent order.</param>
/// <param name="CellsWithData">Children (cells at the child order) holding at least one point.</param>
/// <param name="TotalObs">Points aggregated (after the quality filter).</param>
/// <param name="GranuleCount">Granules the cell was given.</param>
/// <param name="FilesProcessed">Granules read without error.</param>
/// <param name="DurationSeconds">Wall time of the aggregation, in seconds.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="GranuleFailures">The granules that could not be read (empty unless <see cref="CellOutcome.GranulesFailed"/>).</param>
/// <param name="Detail">For <see cref="CellOutcome.Failed"/>: why.</param>
public sealed record CellResult(
    long ParentMorton, long ParentNested, int CellsWithData, long TotalObs, int GranuleCount, int FilesProcessed,
    double DurationSeconds, CellOutcome Outcome, IReadOnlyList<GranuleFailure> GranuleFailures, string? Detail = null)
{
    /// <summary>What the cell's remote reads cost (requests, bytes, retries, waits); null when it read only local files.</summary>
    public CellReads? Reads { get; init; }

    /// <summary>The report's text for an outcome users know: "No granules found", "No data after filtering".</summary>
    public const string NoGranulesText = "No granules found", NoDataText = "No data after filtering", NoGranuleReadText = "No granule could be read";

    /// <summary>
    /// The report's note: "No granules found", "No data after filtering", "No granule could be read"
    /// (every granule failed), the failure's detail; null when the cell aggregated (or some of its granules failed).
    /// </summary>
    public string? Error => Outcome switch
    {
        CellOutcome.NoGranules => NoGranulesText,
        CellOutcome.NoDataAfterFiltering => NoDataText,
        CellOutcome.GranulesFailed when FilesProcessed == 0 => NoGranuleReadText,
        CellOutcome.Failed => Detail,
        _ => null,
    };

    /// <summary>The failures' messages, one per granule that could not be read.</summary>
    public IReadOnlyList<string> GranuleErrors => GranuleFailures.Select(f => f.Message).ToList();

    /// <summary>True for <see cref="CellOutcome.GranulesFailed"/> and <see cref="CellOutcome.Failed"/>: the run counts it as an error.</summary>
    public bool IsFailure => Outcome is CellOutcome.GranulesFailed or CellOutcome.Failed;

    /// <summary>
    /// True when the failure cannot be mended by retrying: the cell failed to compute
    /// (<see cref="CellOutcome.Failed"/>), or any of its granule failures is permanent.
    /// </summary>
    public bool IsPermanentFailure => Outcome == CellOutcome.Failed || GranuleFailures.Any(f => f.IsPermanent);

    /// <summary>What failed, in one line: the detail, or the granule failures joined by "; ".</summary>
    public string FailureMessage => Outcome == CellOutcome.Failed ? Detail ?? "failed" : string.Join("; ", GranuleFailures.Select(f => f.Message));
}

/// <summary>What one cell's remote reads cost, counted by the byte sources (never a URL, token or key).</summary>
/// <param name="Requests">Ranged requests made (retries not included).</param>
/// <param name="Bytes">Bytes fetched.</param>
/// <param name="Retries">Requests tried again after a transient failure.</param>
/// <param name="TimeToFirstByteSeconds">Summed time from sending each request to its response headers, in seconds.</param>
/// <param name="WaitSeconds">Summed time requests waited for a slot under the per-worker bound, in seconds.</param>
public sealed record CellReads(long Requests, long Bytes, long Retries, double TimeToFirstByteSeconds, double WaitSeconds);

/// <summary>A cell's result and its chunk of every configured variable (little-endian, the variable's dtype, 4^(child−parent) values).</summary>
public sealed record CellAggregation(CellResult Result, IReadOnlyDictionary<string, byte[]> Chunks)
{
    /// <summary>
    /// For a pyramid (output.grid.orders), each order from the parent's up to (not including) the child's → its chunk of
    /// every variable (4^(order − parent) values); empty for one order.
    /// </summary>
    public IReadOnlyDictionary<int, IReadOnlyDictionary<string, byte[]>> Levels { get; init; } = new Dictionary<int, IReadOnlyDictionary<string, byte[]>>();

    /// <summary>
    /// The parent cell's mergeable state (<see cref="CellState.ToBytes"/>) when the pyramid has orders coarser than the
    /// parent's (the consolidation step merges them); else null.
    /// </summary>
    public byte[]? State { get; init; }

    /// <summary>
    /// Gives the chunks' arrays (<see cref="Chunks"/>, every level's) back to the pool they came from, once they are
    /// written: afterwards they must not be read. Calling it is optional (arrays not given back are collected).
    /// </summary>
    public void ReleaseChunks()
    {
        foreach (var chunk in Chunks.Values) Output.ChunkBuffers.Return(chunk);
        foreach (var level in Levels.Values)
            foreach (var chunk in level.Values) Output.ChunkBuffers.Return(chunk);
    }
}
