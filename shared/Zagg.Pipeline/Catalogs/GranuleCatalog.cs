using System.Text.Json;
using System.Text.Json.Nodes;
using Zagg.Pipeline.Config;
using Zagg.Pipeline.Catalogs.Search;
using Zagg.Grid;
using Zagg.Hdf5;
using Zagg.Hdf5.IO;
using Zagg.Cloud;
using Zagg.Zarr;
using Zagg.Zarr.Stores;

namespace Zagg.Pipeline.Catalogs;

/// <summary>
/// The catalog file: metadata (product, dates, parent order, counts, S3/HTTPS bases) and, in
/// order, every parent cell (morton word) with its granules. Chunk i of a compact store is the
/// i-th cell here.
/// </summary>
public sealed class GranuleCatalog
{
    /// <summary>The catalog's "metadata" object (parent_order, short_name, s3_base, https_base, counts, …).</summary>
    public required JsonObject Metadata { get; init; }

    /// <summary>The parent cells in catalog order: morton word (order = parent order) and granule locations.</summary>
    public required IReadOnlyList<(long Morton, IReadOnlyList<string> Granules)> Cells { get; init; }

    /// <summary>metadata.parent_order: the order of every cell of the catalog (morton orders 1–18).</summary>
    /// <exception cref="CatalogException">The metadata has no parent_order.</exception>
    public int ParentOrder => Metadata["parent_order"]?.GetValue<int>() ?? throw new CatalogException("metadata.parent_order is missing");

    /// <summary>
    /// Reads a catalog from a location (parsed by <see cref="StorageLocation"/>): a path or file://
    /// URL, or s3://bucket/key (read through the Zarr store of its folder, so the same client and
    /// errors as the output store).
    /// </summary>
    /// <exception cref="CatalogException">The location is not a path, file:// or s3://; the object is missing or unreadable; or it is not a valid catalog.</exception>
    public static async Task<GranuleCatalog> LoadAsync(string location, CancellationToken ct = default)
    {
        if (!StorageLocation.TryParse(location, out var where, out string? error)) throw new CatalogException($"catalog location {error}");
        switch (where.Kind)
        {
            case StorageKind.File: return Load(where.Path);
            case StorageKind.S3:
            {
                byte[] bytes;
                try
                {
                    var (folder, key) = ZarrStores.ForObject(location);
                    bytes = await folder.GetAsync(key, ct).ConfigureAwait(false)
                        ?? throw new CatalogException($"{where.Display}: no such object");
                }
                catch (ZarrException e) { throw new CatalogException($"{where.Display}: cannot be read: {e.Message}"); }
                return Parse(System.Text.Encoding.UTF8.GetString(bytes), location);
            }
            default: throw new CatalogException($"{where.Display}: catalogs are read from a path, file:// or s3://bucket/key");
        }
    }

    /// <summary>Reads a catalog file.</summary>
    /// <exception cref="CatalogException">The file cannot be read or is not a valid catalog.</exception>
    public static GranuleCatalog Load(string path)
    {
        string text;
        if (Directory.Exists(path)) throw new CatalogException($"{path}: a folder, not a catalog file");
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new CatalogException($"{path}: cannot be read: {e.Message}"); }
        return Parse(text, path);
    }

    /// <summary>Parses a catalog's JSON; <paramref name="source"/> names it in messages.</summary>
    /// <exception cref="CatalogException">Not JSON, no metadata or catalog object, a bad parent_order, a key that is not a morton word of that order, or a granule list that is not strings or lists one twice.</exception>
    public static GranuleCatalog Parse(string json, string source)
    {
        JsonObject root;
        // A key twice (a cell listed twice) is refused as the reader finds it, not later by the object's dictionary.
        try { root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }) as JsonObject ?? throw new CatalogException($"{source}: not a JSON object"); }
        catch (JsonException e) when (e.LineNumber is null) { throw new CatalogException($"{source}: not valid JSON: {e.Message}"); }
        catch (JsonException e) { throw new CatalogException($"{source}: not valid JSON at line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}"); }
        var meta = root["metadata"] as JsonObject ?? throw new CatalogException($"{source}: no \"metadata\" object");
        if (meta["parent_order"] is not JsonValue po || !po.TryGetValue(out int order) || order < Morton.MinOrder || order > Morton.MaxOrder)
            throw new CatalogException($"{source}: metadata.parent_order must be an order in {Morton.MinOrder}–{Morton.MaxOrder}");
        var catalog = root["catalog"] as JsonObject ?? throw new CatalogException($"{source}: no \"catalog\" object mapping parent cells to granules");
        var cells = new List<(long, IReadOnlyList<string>)>();
        foreach (var (key, value) in catalog)
        {
            if (!long.TryParse(key, out long word)) throw new CatalogException($"{source}: catalog key \"{key}\" is not a morton word");
            if (!Morton.TryToNested(word, out _, out int o, out string? why)) throw new CatalogException($"{source}: catalog key \"{key}\": {why}");
            if (o != order) throw new CatalogException($"{source}: catalog key {key} has order {o}, metadata.parent_order is {order}");
            if (value is not JsonArray granules) throw new CatalogException($"{source}: catalog[\"{key}\"] should be a list of granule URLs");
            var urls = new List<string>(granules.Count);
            var seen = new HashSet<string>(granules.Count, StringComparer.Ordinal);
            for (int i = 0; i < granules.Count; i++)
            {
                if (granules[i] is not JsonValue v || !v.TryGetValue(out string? url) || url.Length == 0)
                    throw new CatalogException($"{source}: catalog[\"{key}\"][{i}] is not a granule URL (a string)");
                // A granule listed twice would count its points twice.
                if (!seen.Add(url)) throw new CatalogException($"{source}: catalog[\"{key}\"] lists {url} twice");
                urls.Add(url);
            }
            cells.Add((word, urls));
        }
        return new GranuleCatalog { Metadata = (JsonObject)meta.DeepClone(), Cells = cells };
    }

    /// <summary>
    /// Writes the catalog as indented JSON to a local path, atomically: a temporary file in the same
    /// folder renamed into place, removed if anything fails, so no partial catalog is ever left. A symbolic link is
    /// written through: the file it leads to is replaced (<see cref="SymbolicLinks.FinalTarget"/>), the link stays.
    /// </summary>
    /// <exception cref="IOException">The folder does not exist or cannot be written, or the path is a loop of symbolic links.</exception>
    /// <exception cref="UnauthorizedAccessException">No permission to write there.</exception>
    public void Save(string path)
    {
        // Through a symbolic link to the file it names, as a shell's redirection writes: the rename replaces that file, not the link.
        string target = SymbolicLinks.FinalTarget(path) ?? throw new IOException($"{path}: a loop of symbolic links");
        string temp = target + ".tmp";
        try
        {
            File.WriteAllText(temp, ToJsonText());
            File.Move(temp, target, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>The catalog file's text: indented JSON, <c>{"metadata": {…}, "catalog": {"morton": [granule, …], …}}</c>, cells in catalog order.</summary>
    public string ToJsonText()
    {
        var catalog = new JsonObject();
        foreach (var (morton, granules) in Cells)
            catalog[morton.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new JsonArray(granules.Select(g => (JsonNode)JsonValue.Create(g)).ToArray());
        var root = new JsonObject { ["metadata"] = Metadata.DeepClone(), ["catalog"] = catalog };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>
    /// Writes the catalog (<see cref="ToJsonText"/>, UTF-8) to a location parsed by <see cref="StorageLocation"/> — a path,
    /// file:// URL or s3://bucket/key — in one atomic write through the Zarr store of its folder (a temporary file renamed
    /// into place; one S3 PUT), so a reader sees the whole catalog or none; missing folders are made.
    /// </summary>
    /// <exception cref="CatalogException">The location is not a path, file:// or s3://bucket/key, or cannot be written (the message names it and why).</exception>
    public async Task SaveAsync(string location, CancellationToken ct = default)
    {
        if (!StorageLocation.TryParse(location, out var where, out string? error)) throw new CatalogException($"catalog location {error}");
        if (where.Kind is not (StorageKind.File or StorageKind.S3)) throw new CatalogException($"{where.Display}: catalogs are written to a path, file:// or s3://bucket/key");
        try
        {
            var (folder, key) = ZarrStores.ForObject(location);
            await folder.SetAsync(key, System.Text.Encoding.UTF8.GetBytes(ToJsonText()), ct).ConfigureAwait(false);
        }
        catch (ZarrException e) { throw new CatalogException($"{where.Display}: cannot be written: {e.Message}"); }
    }

    /// <summary>
    /// The default file name of a searched catalog: <c>catalog_{short}_{start}_{end}_order{k}.json</c>,
    /// or <c>catalog_{short}_cycle{N}_order{k}.json</c> for an ICESat-2 cycle (MISSION: "Command lines").
    /// </summary>
    public static string DefaultFileName(GranuleQuery query, int parentOrder)
        => query.Cycle is int c
            ? $"catalog_{query.ShortName}_cycle{c}_order{parentOrder}.json"
            : $"catalog_{query.ShortName}_{GranuleQuery.Iso(query.StartDate)}_{GranuleQuery.Iso(query.EndDate)}_order{parentOrder}.json";

    /// <summary>
    /// A catalog from a search's granules and their mapping to parent cells (<see cref="CatalogMapping.Map"/>):
    /// each cell lists its granules' locations (<see cref="GranuleRecord.Location"/>, the S3 link when there
    /// is one) in ordinal order, cells in the mapping's (NESTED) order. Metadata: the product, dates,
    /// cycle, parent order, totals, the S3 and HTTPS bases (from the first granule with both links),
    /// the service, the area of interest (source and box) and the query.
    /// </summary>
    public static GranuleCatalog FromSearch(
        IReadOnlyList<GranuleRecord> granules, IReadOnlyList<(long Morton, int[] Granules)> mapping,
        GranuleQuery query, string service, AreaOfInterest aoi, int parentOrder, LatitudeConvention convention)
    {
        var cells = new List<(long, IReadOnlyList<string>)>(mapping.Count);
        var listed = new HashSet<int>();
        foreach (var (morton, indices) in mapping)
        {
            var urls = new SortedSet<string>(StringComparer.Ordinal);
            // Two records of one file (a service that lists a granule twice) are one granule: a cell lists each file once.
            foreach (int i in indices) { urls.Add(granules[i].Location); listed.Add(i); }
            cells.Add((morton, [.. urls]));
        }
        var meta = new JsonObject
        {
            ["short_name"] = query.ShortName,
            ["version"] = query.Version,
            ["provider"] = query.Provider,
            ["start_date"] = GranuleQuery.Iso(query.StartDate),
            ["end_date"] = GranuleQuery.Iso(query.EndDate),
        };
        if (query.Cycle is int cycle) meta["cycle"] = cycle;
        meta["parent_order"] = parentOrder;
        meta["total_granules"] = listed.Count;
        meta["total_cells"] = cells.Count;
        meta["granules_found"] = granules.Count;
        meta["latitude_convention"] = convention.ToName();
        foreach (var g in granules)
            if (Bases(g) is var (s3, https))
            {
                meta["s3_base"] = s3;
                meta["https_base"] = https;
                break;
            }
        meta["created"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        meta["source"] = service;
        meta["aoi"] = new JsonObject { ["source"] = aoi.Source, ["bbox"] = aoi.BoundingBox.ToString() };
        meta["query"] = query.ToJson();
        return new GranuleCatalog { Metadata = meta, Cells = cells };
    }

    /// <summary>
    /// The bucket of a granule's S3 link and the HTTPS prefix that stands for it: <c>s3://bucket/KEY</c> and
    /// <c>https://host/…/KEY</c> give <c>s3://bucket</c> and <c>https://host/…</c>; null when the links do not end alike.
    /// </summary>
    internal static (string S3, string Https)? Bases(GranuleRecord g)
    {
        if (g.S3Url is not { } s3 || g.HttpsUrl is not { } https) return null;
        int slash = s3.IndexOf('/', "s3://".Length);
        if (slash < 0) return null;
        string key = s3[slash..];
        if (!https.EndsWith(key, StringComparison.Ordinal)) return null;
        return (s3[..slash], https[..^key.Length]);
    }

    /// <summary>A granule URL for the chosen driver: S3 links become HTTPS links (and back) through the catalog's bases.</summary>
    public string Resolve(string url, string driver)
    {
        string? s3 = Metadata["s3_base"]?.GetValue<string>(), https = Metadata["https_base"]?.GetValue<string>();
        if (driver == "https" && s3 is not null && https is not null && url.StartsWith(s3, StringComparison.Ordinal)) return https + url[s3.Length..];
        if (driver == "s3" && s3 is not null && https is not null && url.StartsWith(https, StringComparison.Ordinal)) return s3 + url[https.Length..];
        return url;
    }

    /// <summary>
    /// A catalog of local granules by reading their coordinates: every parent cell a valid point
    /// falls in (exact, no footprints), in NESTED order, each with the granules that have points there.
    /// </summary>
    /// <exception cref="UnreadableGranulesException">Granules cannot be read (damaged, truncated, not HDF5, lacking the config's longitude dataset,
    /// latitude and longitude of different lengths): every granule is tried, and all that failed are named.</exception>
    public static async Task<GranuleCatalog> FromFilesAsync(IReadOnlyList<string> files, int parentOrder, PipelineConfig config, CancellationToken ct = default)
        => (await ReadFilesAsync(files, parentOrder, config, ct).ConfigureAwait(false)).Catalog;

    /// <summary>
    /// <see cref="FromFilesAsync"/>, also counting the points that are in no cell because their position is not one
    /// (NaN, |latitude| &gt; 90°, an infinite longitude: <see cref="GeoGrid.Locate(ReadOnlySpan{double}, ReadOnlySpan{double}, int, LatitudeConvention, Span{long})"/>).
    /// The aggregation skips the same points.
    /// </summary>
    /// <exception cref="UnreadableGranulesException">Granules cannot be read: every granule is tried, and all that failed are named.</exception>
    public static async Task<FilesCatalog> ReadFilesAsync(IReadOnlyList<string> files, int parentOrder, PipelineConfig config, CancellationToken ct = default)
    {
        var cells = new SortedDictionary<long, SortedSet<string>>();
        long invalid = 0;
        int granulesWithInvalid = 0, groupsRead = 0, withoutGroups = 0;
        var ds = config.DataSource;
        IReadOnlyList<string> groups = ds.Groups.Count > 0 ? ds.Groups : [""];
        List<string>? unreadable = null;
        var groupFound = new bool[groups.Count];
        foreach (string file in files)
        {
            // A granule's cells are kept only once all its groups are read: a damaged one adds nothing.
            var found = new List<long[]>();
            long invalidHere = 0;
            try
            {
                await using var h5 = await Hdf5File.OpenAsync(new FileByteSource(file), ownsSource: true, ct).ConfigureAwait(false);
                for (int gi = 0; gi < groups.Count; gi++)
                {
                    string group = groups[gi];
                    if (await h5.TryGetAsync(ds.Latitude.Replace("{group}", group), ct).ConfigureAwait(false) is not Hdf5Dataset latDs) continue;
                    groupFound[gi] = true;
                    var lat = await latDs.ReadAsync<double>(ct: ct).ConfigureAwait(false);
                    var lon = await (await h5.GetDatasetAsync(ds.Longitude.Replace("{group}", group), ct).ConfigureAwait(false)).ReadAsync<double>(ct: ct).ConfigureAwait(false);
                    if (lat.Length != lon.Length) throw new InvalidDataException($"{file}: {group} latitude and longitude differ in length");
                    var parents = new long[lat.Length];
                    invalidHere += GeoGrid.Locate(lat, lon, parentOrder, config.Grid.Latitude, parents);
                    found.Add(parents);
                }
            }
            catch (Exception e) when (e is Hdf5Exception or InvalidDataException)
            {
                (unreadable ??= []).Add(e.Message);
                continue;
            }
            string path = Path.GetFullPath(file);
            foreach (var parents in found)
                foreach (long p in parents)
                    if (p >= 0) (cells.TryGetValue(p, out var set) ? set : cells[p] = []).Add(path);
            invalid += invalidHere;
            if (invalidHere > 0) granulesWithInvalid++;
            groupsRead += found.Count;
            if (found.Count == 0) withoutGroups++;
        }
        if (unreadable is not null) throw new UnreadableGranulesException(unreadable, files.Count);
        string shortName = files.Select(f => Path.GetFileName(f).Split('_')[0]).Distinct().Count() == 1 && files.Count > 0 ? Path.GetFileName(files[0]).Split('_')[0] : "unknown";
        var catalog = new GranuleCatalog
        {
            Metadata = new JsonObject
            {
                ["short_name"] = shortName,
                ["parent_order"] = parentOrder,
                ["total_granules"] = files.Count,
                ["total_cells"] = cells.Count,
                ["latitude_convention"] = config.Grid.Latitude.ToName(),
                ["created"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
                ["source"] = "files",
            },
            Cells = cells.Select(c => (Morton.FromNested(c.Key, parentOrder), (IReadOnlyList<string>)c.Value.ToList())).ToList(),
        };
        var absent = new List<string>();
        if (ds.Groups.Count > 0)
            for (int gi = 0; gi < groups.Count; gi++)
                if (!groupFound[gi]) absent.Add(groups[gi]);
        return new FilesCatalog(catalog, invalid, granulesWithInvalid, groupsRead, absent, withoutGroups);
    }
}

/// <summary>A catalog of local granules (<see cref="GranuleCatalog.ReadFilesAsync"/>) and what reading them found besides.</summary>
/// <param name="Catalog">The catalog.</param>
/// <param name="InvalidPositions">Points whose position is not one (NaN, |latitude| &gt; 90°, an infinite longitude): in no cell, and skipped by the aggregation.</param>
/// <param name="GranulesWithInvalidPositions">How many granules have such points.</param>
/// <param name="GroupsRead">How many groups (beams) of all the granules have the configuration's latitude dataset and were read: 0 when
/// the configuration names datasets or groups the granules do not have.</param>
/// <param name="GroupsInNoGranule">The configuration's groups whose latitude dataset no granule holds (a misspelt beam, or one
/// these granules lack), in configuration order.</param>
/// <param name="GranulesWithoutGroups">Granules that hold the configuration's latitude dataset in none of its groups (in no cell).</param>
public sealed record FilesCatalog(GranuleCatalog Catalog, long InvalidPositions, int GranulesWithInvalidPositions, int GroupsRead, IReadOnlyList<string> GroupsInNoGranule,
    int GranulesWithoutGroups);

/// <summary>
/// Local granules that cannot be read (<see cref="GranuleCatalog.ReadFilesAsync"/>): all of them, each by the reader's
/// message, which names the file. The message is the one failure's, or "N of M granules cannot be read: " and the first.
/// </summary>
public sealed class UnreadableGranulesException(IReadOnlyList<string> failures, int granules)
    : Exception(failures.Count == 1 ? failures[0] : $"{failures.Count} of {granules} granules cannot be read: {failures[0]} (and {failures.Count - 1} more)")
{
    /// <summary>One message per granule that cannot be read, in the order given; each names its file.</summary>
    public IReadOnlyList<string> Failures { get; } = failures;

    /// <summary>How many granules were read or tried.</summary>
    public int Granules { get; } = granules;
}

/// <summary>A catalog that cannot be read or is not valid; the message names its location and what is wrong.</summary>
public sealed class CatalogException(string message) : Exception(message);
