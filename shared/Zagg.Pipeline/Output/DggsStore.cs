using System.Text.Json.Nodes;
using Zagg.Grid;
using Zagg.Zarr;
using Zagg.Zarr.Codecs;
using Zagg.Zarr.Stores;

namespace Zagg.Pipeline.Output;

/// <summary>How parent cells map to chunks.</summary>
public enum DggsLayout
{
    /// <summary>
    /// The seed-compatible layout: chunk i is the i-th parent cell of the catalog; shape is
    /// 4^(child−parent) × number of parent cells; cell_ids and morton coordinate arrays.
    /// </summary>
    Compact,

    /// <summary>
    /// The full domain: shape 12·4^child, a parent cell's chunk is its NESTED id at the parent
    /// order, cell ids are implied by position, untouched chunks are absent.
    /// </summary>
    Full,
}

/// <summary>One aggregated variable of the template.</summary>
/// <param name="Name">The array's name in the group (no '/', not cell_ids or morton).</param>
/// <param name="DataType">The array's Zarr data type.</param>
/// <param name="FillValue">One element, little-endian; null for <see cref="DefaultFill"/>.</param>
public sealed record DggsVariable(string Name, ZarrDataType DataType, byte[]? FillValue = null)
{
    /// <summary>The fill value: as given, else <see cref="DefaultFill"/>.</summary>
    public byte[] Fill => FillValue ?? DefaultFill(DataType);

    /// <summary>
    /// The fill of a variable that names none — the one place this is decided: NaN for float32 and
    /// float64 (a child without data reads as missing, as xarray expects), 0 for integers and bool.
    /// </summary>
    public static byte[] DefaultFill(ZarrDataType type) => type.Fill(type.IsFloat() ? double.NaN : 0);
}

/// <summary>What a DGGS store holds: grid, layout, variables and codecs.</summary>
public sealed record DggsTemplate
{
    /// <summary>HEALPix order of the parent cells (one chunk each), 0 ≤ parent ≤ child.</summary>
    public required int ParentOrder { get; init; }

    /// <summary>HEALPix order of the output cells (the DGGS refinement_level), ≤ 29 and at most 15 below the parent.</summary>
    public required int ChildOrder { get; init; }

    /// <summary>Parent cells in the catalog (the compact layout's chunk count).</summary>
    public long ParentCellCount { get; init; }

    /// <summary>How parent cells map to chunks.</summary>
    public DggsLayout Layout { get; init; } = DggsLayout.Compact;

    /// <summary>How latitudes were mapped to the sphere: authalic (the DGGS ellipsoid attribute, WGS84) or geodetic-spherical.</summary>
    public LatitudeConvention Latitude { get; init; } = LatitudeConvention.Authalic;

    /// <summary>The aggregated variables, one array each, besides the coordinates.</summary>
    public required IReadOnlyList<DggsVariable> Variables { get; init; }

    /// <summary>Codecs of every array (default: little-endian bytes, as the seed writes).</summary>
    public IReadOnlyList<CodecSpec> Codecs { get; init; } = [CodecSpec.Bytes()];

    /// <summary>Child order − parent order.</summary>
    public int Depth => ChildOrder - ParentOrder;

    /// <summary>Children per parent cell: the chunk length.</summary>
    public int ChunkLength => 1 << (2 * Depth);

    /// <summary>The group holding the arrays: the child order, e.g. "12".</summary>
    public string GroupPath => ChildOrder.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// output.grid.orders: the HEALPix orders of the store's levels, ascending, ending with <see cref="ChildOrder"/>;
    /// empty (the default) for the child order alone. More than one makes a multi-resolution pyramid: one group per
    /// order, <c>{store}/{order}/</c>, each a DGGS group of its own (see <see cref="DggsStore"/>).
    /// </summary>
    public IReadOnlyList<int> Orders { get; init; } = [];

    /// <summary>The orders of the store's levels: <see cref="Orders"/>, or the child order alone.</summary>
    public IReadOnlyList<int> LevelOrders => Orders.Count == 0 ? [ChildOrder] : Orders;

    /// <summary>More than one level.</summary>
    public bool IsPyramid => LevelOrders.Count > 1;

    /// <summary>
    /// Whether the level at <paramref name="order"/> is coarser than the parent order, so that its cells are merged from the
    /// parent cells inside each at consolidation (<see cref="DggsPyramid"/>), exact only for mergeable statistics; a level
    /// at or above the parent order is computed from each cell's points by the worker that holds them.
    /// </summary>
    public bool IsMergedLevel(int order) => order < ParentOrder;

    /// <summary>Whether any level is merged at consolidation (<see cref="IsMergedLevel"/>).</summary>
    public bool HasMergedLevels => IsMergedLevel(LevelOrders[0]);

    /// <summary>
    /// The template of the pyramid's level at <paramref name="order"/>. At or above the parent order (finer): the same
    /// parent cells, one chunk of 4^(order − parent) cells each. Coarser than the parent order: one chunk per cell of
    /// that order (the whole group of parent cells under it), <paramref name="cells"/> of them in the compact layout.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="order"/> is not one of <see cref="LevelOrders"/>.</exception>
    public DggsTemplate Level(int order, long cells = 0)
    {
        if (!LevelOrders.Contains(order)) throw new ArgumentOutOfRangeException(nameof(order), order, $"not a level of the store (orders {string.Join(", ", LevelOrders)})");
        return order >= ParentOrder
            ? this with { ChildOrder = order }
            : this with { ParentOrder = order, ChildOrder = order, ParentCellCount = cells };
    }
}

/// <summary>
/// A Zarr v3 store following the DGGS convention (v1, https://github.com/zarr-conventions/dggs/blob/v1/README.md:
/// HEALPix, nested indexing, refinement level = child order, dimension "cells"): the template, and one
/// parent cell's chunk of every array as the unit of work — written by any number of processes at
/// once with no coordination, idempotent, each chunk an atomic Set. This is the pipeline's output
/// format; Zagg.Zarr underneath knows nothing of grids.
/// </summary>
/// <remarks>
/// A one-order store keeps its arrays in the group <c>{child order}/</c> (as every store before pyramids). A pyramid
/// (<see cref="DggsTemplate.Orders"/>) has one such group per order, each a DGGS group of its own described by its
/// <see cref="DggsTemplate.Level"/> template and opened as its own <see cref="DggsStore"/> (<see cref="Levels"/>);
/// the root group lists them by the multiscales convention (<see cref="RootAttributes"/>). The object
/// <see cref="OpenAsync"/> and <see cref="CreateAsync"/> return is the finest level.
/// </remarks>
public sealed class DggsStore
{
    /// <summary>The compact layout's coordinate: each cell's NESTED id at the child order (uint64).</summary>
    public const string CellIds = "cell_ids";

    /// <summary>Each cell's morton word (int64), written when the child order is at most <see cref="Morton.MaxOrder"/>.</summary>
    public const string MortonName = "morton";

    /// <summary>The metadata document of every Zarr v3 node (§ "Storage keys"): no array of a group may take its name.</summary>
    private const string ZarrMetadataKey = "zarr.json";

    private readonly Dictionary<string, ZarrArray> _arrays;

    private DggsStore(IZarrStore store, DggsTemplate template, Dictionary<string, ZarrArray> arrays)
    {
        Store = store;
        Template = template;
        _arrays = arrays;
    }

    /// <summary>The Zarr store underneath.</summary>
    public IZarrStore Store { get; }

    /// <summary>What the store holds.</summary>
    public DggsTemplate Template { get; }

    /// <summary>Every array by name (variables and coordinates).</summary>
    public IReadOnlyDictionary<string, ZarrArray> Arrays => _arrays;

    /// <summary>Writes the hierarchy and every array's metadata; refuses an existing store unless <paramref name="overwrite"/>.</summary>
    /// <exception cref="ZarrException">The template is invalid (orders, names, compact without a cell count), or a store exists and <paramref name="overwrite"/> is false.</exception>
    /// <exception cref="StoreException">The store cannot be written.</exception>
    public static async Task<DggsStore> CreateAsync(IZarrStore store, DggsTemplate t, bool overwrite = false, CancellationToken ct = default)
    {
        Validate(t);
        if (await ZarrHierarchy.NodeExistsAsync(store, "", ct).ConfigureAwait(false))
        {
            if (!overwrite) throw new ZarrException($"{store.Name}: a store already exists here (zagg run --overwrite replaces it)");
            await ZarrHierarchy.ClearAsync(store, ct).ConfigureAwait(false);
        }
        await ZarrHierarchy.CreateGroupAsync(store, "", t.IsPyramid ? RootAttributes(t) : null, ct).ConfigureAwait(false);
        var levels = new SortedDictionary<int, DggsStore>();
        foreach (int order in t.LevelOrders)
            if (order >= t.ParentOrder)
                levels[order] = await CreateLevelAsync(store, t.Level(order), t.IsPyramid && order != t.ChildOrder ? AggregatedLevel : null, ct).ConfigureAwait(false);
        var finest = levels[t.ChildOrder];
        finest._levels = levels;
        return finest;
    }

    /// <summary>A variable's attributes at a level between the parent and the child order: computed from the points, exact.</summary>
    private static JsonObject? AggregatedLevel(string array) => array is CellIds or MortonName ? null
        : new JsonObject { ["zagg"] = new JsonObject { ["level"] = "aggregated", ["exact"] = true } };

    /// <summary>
    /// Writes one level's group and array metadata: a level at or finer than the parent order (written by the template
    /// step), or a coarser one (written by the consolidation step, which knows its cells).
    /// </summary>
    /// <param name="store">The Zarr store.</param>
    /// <param name="t">The level's template (<see cref="DggsTemplate.Level"/>).</param>
    /// <param name="attributes">Per variable, the array's attributes, or null.</param>
    /// <param name="ct">Cancellation.</param>
    /// <exception cref="ZarrException">The template is invalid.</exception>
    /// <exception cref="StoreException">The store cannot be written.</exception>
    public static async Task<DggsStore> CreateLevelAsync(IZarrStore store, DggsTemplate t, Func<string, JsonObject?>? attributes, CancellationToken ct = default)
    {
        Validate(t);
        await ZarrHierarchy.CreateGroupAsync(store, t.GroupPath, GroupAttributes(t), ct).ConfigureAwait(false);
        var arrays = new Dictionary<string, ZarrArray>();
        foreach (var (name, type, fill) in ArraySpecs(t))
        {
            var meta = new ArrayMetadata
            {
                Shape = [t.Layout == DggsLayout.Compact ? t.ChunkLength * t.ParentCellCount : 12L << (2 * t.ChildOrder)],
                DataType = type,
                ChunkShape = [t.ChunkLength],
                FillValue = fill,
                Codecs = t.Codecs,
                DimensionNames = ["cells"],
                Attributes = attributes?.Invoke(name) ?? [],
            };
            arrays[name] = await ZarrArray.CreateAsync(store, $"{t.GroupPath}/{name}", meta, ct).ConfigureAwait(false);
        }
        return new DggsStore(store, t, arrays);
    }

    /// <summary>Opens a store written by <see cref="CreateAsync"/> (consolidated or not).</summary>
    /// <exception cref="ZarrException">No group carries "zagg" attributes, or an array's metadata is not valid.</exception>
    public static async Task<DggsStore> OpenAsync(IZarrStore store, CancellationToken ct = default)
    {
        var nodes = await ZarrHierarchy.NodesAsync(store, ct: ct).ConfigureAwait(false);
        // Every group with "zagg" attributes is a level; the finest is the store (one level before pyramids).
        var groups = nodes.Where(n => NodeType(n.Value) == "group" && n.Value["attributes"] is JsonObject a && a["zagg"] is JsonObject).ToList();
        if (groups.Count == 0)
            throw new ZarrException(nodes.Count == 0 && !await store.ExistsAsync("zarr.json", ct).ConfigureAwait(false)
                ? $"{store.Name}: no Zarr store here (no zarr.json)"
                : $"{store.Name}: not a Zagg DGGS store (no group with \"zagg\" attributes)");
        var levels = new SortedDictionary<int, DggsStore>();
        foreach (var (key, group) in groups)
        {
            string where = $"{store.Name}: {(key.Length == 0 ? "/" : key)}";
            DggsStore level;
            try { level = Level(store, nodes, key, group, where); }
            catch (Exception e) when (e is InvalidOperationException or FormatException)
            {
                // A "zagg" attribute of the wrong JSON type (System.Text.Json's own exceptions) or an unknown name.
                throw new ZarrException($"{where}: the group's \"zagg\" attributes are not valid: {e.Message}", e);
            }
            if (!levels.TryAdd(level.Template.ChildOrder, level))
                throw new ZarrException($"{where}: a second group of child order {level.Template.ChildOrder}");
        }
        var finest = levels.Values.Last();
        finest._levels = levels;
        return finest;
    }

    /// <summary>A node's "node_type" when it is a string, else null.</summary>
    internal static string? NodeType(JsonObject node) => node["node_type"] is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    private static DggsStore Level(IZarrStore store, SortedDictionary<string, JsonObject> nodes, string groupKey, JsonObject group, string where)
    {
        var z = (JsonObject)group["attributes"]!["zagg"]!;
        JsonNode Required(string name) => z[name] ?? throw new ZarrException($"{where}: the group's \"zagg\" attributes have no \"{name}\"");
        var variables = new List<DggsVariable>();
        var arrays = new Dictionary<string, ZarrArray>();
        foreach (var (path, node) in nodes)
        {
            if (NodeType(node) != "array" || !path.StartsWith(groupKey + "/", StringComparison.Ordinal)) continue;
            var meta = ArrayMetadata.FromJson(node, $"{store.Name}: {path}");
            string name = path[(groupKey.Length + 1)..];
            arrays[name] = ZarrArray.FromMetadata(store, path, meta);
            if (name is not (CellIds or MortonName)) variables.Add(new DggsVariable(name, meta.DataType, meta.FillValue));
        }
        var template = new DggsTemplate
        {
            ParentOrder = Required("parent_order").GetValue<int>(),
            ChildOrder = Required("child_order").GetValue<int>(),
            ParentCellCount = z["parent_cells"]?.GetValue<long>() ?? 0,
            Layout = Required("layout").GetValue<string>() == "full" ? DggsLayout.Full : DggsLayout.Compact,
            Latitude = LatitudeConventionNames.Parse(Required("latitude_convention").GetValue<string>()),
            Variables = variables,
            Codecs = arrays.Values.FirstOrDefault()?.Metadata.Codecs ?? [CodecSpec.Bytes()],
            Orders = z["orders"] is JsonArray orders ? orders.Select(o => (o ?? throw new ZarrException($"{where}: the group's \"zagg\" orders hold a null")).GetValue<int>()).ToArray() : [],
        };
        return new DggsStore(store, template, arrays);
    }

    private SortedDictionary<int, DggsStore>? _levels;

    /// <summary>
    /// The store's levels by HEALPix order, ascending: the child order alone for a one-order store; for a pyramid every
    /// level written so far (the orders coarser than the parent order appear once the run is consolidated).
    /// </summary>
    public IReadOnlyDictionary<int, DggsStore> Levels => _levels ?? new SortedDictionary<int, DggsStore> { [Template.ChildOrder] = this };

    /// <summary>The chunk of a parent cell: its position in the catalog (compact) or its NESTED id (full).</summary>
    public long ChunkOf(long parentNested, long catalogIndex) => Template.Layout == DggsLayout.Compact ? catalogIndex : parentNested;

    /// <summary>
    /// Writes one parent cell: its coordinate chunks (computed here) and the given variable
    /// chunks (each <see cref="DggsTemplate.ChunkLength"/> little-endian values). Variables not
    /// given are written as fill, so a rewrite always leaves the same bytes.
    /// </summary>
    /// <param name="parentNested">The parent cell's NESTED id at the parent order.</param>
    /// <param name="catalogIndex">Its position in the catalog (the compact layout's chunk).</param>
    /// <param name="variables">Variable name → 4^depth little-endian values of its dtype.</param>
    /// <exception cref="ArgumentException">A name that is not a variable of the store, or a chunk of the wrong size.</exception>
    /// <exception cref="StoreException">A chunk cannot be written.</exception>
    public async Task WriteCellAsync(long parentNested, long catalogIndex, IReadOnlyDictionary<string, byte[]> variables, CancellationToken ct = default)
    {
        var t = Template;
        HealpixNested.CheckCell(t.ParentOrder, parentNested);
        foreach (string name in variables.Keys)
            if (!_arrays.ContainsKey(name) || name is CellIds or MortonName)
                throw new ArgumentException($"'{name}' is not a variable of this store");
        long chunk = ChunkOf(parentNested, catalogIndex);
        var writes = new List<Task>();
        long first = parentNested << (2 * t.Depth);
        byte[]? ids = null, words = null;
        try
        {
            if (_arrays.TryGetValue(CellIds, out var idArray))
            {
                ids = ChunkBuffers.Rent(t.ChunkLength * 8);
                for (int i = 0; i < t.ChunkLength; i++) BitConverter.TryWriteBytes(ids.AsSpan(i * 8), (ulong)(first + i));
                writes.Add(idArray.WriteChunkAsync([chunk], ids, ct));
            }
            if (_arrays.TryGetValue(MortonName, out var morton))
            {
                words = ChunkBuffers.Rent(t.ChunkLength * 8);
                // The chunk's cells are consecutive: checked at both ends, each word is computed without the per-cell checks.
                Morton.FromNested(first, t.ChildOrder);
                Morton.FromNested(first + t.ChunkLength - 1, t.ChildOrder);
                for (int i = 0; i < t.ChunkLength; i++) BitConverter.TryWriteBytes(words.AsSpan(i * 8), Morton.FromNestedUnchecked(first + i, t.ChildOrder));
                writes.Add(morton.WriteChunkAsync([chunk], words, ct));
            }
            foreach (var v in t.Variables)
            {
                var array = _arrays[v.Name];
                writes.Add(array.WriteChunkAsync([chunk], variables.TryGetValue(v.Name, out var data) ? data : array.FilledChunk(), ct));
            }
            await Task.WhenAll(writes).ConfigureAwait(false);
        }
        finally
        {
            // Given back once no write can read them; a write still running (something threw before the wait) keeps them.
            if (writes.TrueForAll(static w => w.IsCompleted))
            {
                if (ids is not null) ChunkBuffers.Return(ids);
                if (words is not null) ChunkBuffers.Return(words);
            }
        }
    }

    /// <summary>
    /// Writes one parent cell into every level of a pyramid computed from its points: each order from the parent's to
    /// the child's (<paramref name="levels"/>, order → variable chunks, 4^(order − parent) values each), then the child
    /// order (<paramref name="variables"/>), as <see cref="WriteCellAsync(long, long, IReadOnlyDictionary{string, byte[]}, CancellationToken)"/>.
    /// </summary>
    /// <exception cref="ArgumentException">An order that is not a level of the store, a name that is not a variable, or a chunk of the wrong size.</exception>
    /// <exception cref="StoreException">A chunk cannot be written.</exception>
    public async Task WriteCellAsync(long parentNested, long catalogIndex, IReadOnlyDictionary<string, byte[]> variables, IReadOnlyDictionary<int, IReadOnlyDictionary<string, byte[]>> levels, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(levels);
        foreach (var (order, chunks) in levels)
        {
            if (order == Template.ChildOrder || !Levels.TryGetValue(order, out var level) || Template.IsMergedLevel(order))
                throw new ArgumentException($"order {order} is not a level of this store between the parent order {Template.ParentOrder} and the child order {Template.ChildOrder}");
            await level.WriteCellAsync(parentNested, catalogIndex, chunks, ct).ConfigureAwait(false);
        }
        await WriteCellAsync(parentNested, catalogIndex, variables, ct).ConfigureAwait(false);
    }

    /// <summary>Writes the consolidated metadata (every node's zarr.json in the root's), see <see cref="ZarrHierarchy.ConsolidateAsync"/>.</summary>
    public Task ConsolidateAsync(CancellationToken ct = default) => ZarrHierarchy.ConsolidateAsync(Store, ct);

    private static IEnumerable<(string Name, ZarrDataType Type, byte[] Fill)> ArraySpecs(DggsTemplate t)
    {
        if (t.Layout == DggsLayout.Compact) yield return (CellIds, ZarrDataType.UInt64, ZarrDataType.UInt64.Fill(0));
        // Morton words exist for orders 1–18 only: a level of order 0 (the 12 base cells) or above 18 has none.
        if (t.ChildOrder is >= Morton.MinOrder and <= Morton.MaxOrder) yield return (MortonName, ZarrDataType.Int64, ZarrDataType.Int64.Fill(0));
        foreach (var v in t.Variables) yield return (v.Name, v.DataType, v.Fill);
    }

    private static void Validate(DggsTemplate t)
    {
        if (t.ParentOrder < 0 || t.ChildOrder > HealpixNested.MaxOrder || t.ChildOrder < t.ParentOrder)
            throw new ZarrException($"orders parent {t.ParentOrder}, child {t.ChildOrder}: need 0 ≤ parent ≤ child ≤ {HealpixNested.MaxOrder}");
        if (t.Depth > 15) throw new ZarrException($"child order {t.ChildOrder} is {t.Depth} levels below the parent; chunks of 4^{t.Depth} cells are too large (at most 15 levels)");
        if (t.Layout == DggsLayout.Compact && t.ParentCellCount <= 0) throw new ZarrException("the compact layout needs the number of parent cells");
        var orders = t.LevelOrders;
        for (int i = 0; i < orders.Count; i++)
            if (orders[i] < 0 || (i > 0 && orders[i] <= orders[i - 1]))
                throw new ZarrException($"orders {string.Join(", ", orders)}: need ascending, distinct orders from 0");
        if (!orders.Contains(t.ChildOrder)) throw new ZarrException($"orders {string.Join(", ", orders)} do not include the level's order {t.ChildOrder}");
        var names = new HashSet<string>();
        foreach (var v in t.Variables)
        {
            if (VariableNameProblem(v.Name) is { } problem) throw new ZarrException($"variable '{v.Name}' {problem}");
            if (!names.Add(v.Name)) throw new ZarrException($"variable '{v.Name}' is named twice");
        }
    }

    /// <summary>
    /// Why <paramref name="name"/> cannot name a variable's array in a group, or null when it can: the one rule for the
    /// store and the configuration's <c>aggregation.variables</c>. A Zarr v3 node name (§ "Node names": not empty, no "/",
    /// not only periods; here no leading "." or "__", which the spec reserves) that is not a coordinate's (<c>cell_ids</c>,
    /// <c>morton</c>).
    /// </summary>
    public static string? VariableNameProblem(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (string.IsNullOrWhiteSpace(name) || name.Contains('/') || name.StartsWith('.') || name.StartsWith("__", StringComparison.Ordinal))
            return "is not a usable array name (not empty, no '/', not starting with '.' or '__')";
        if (name == ZarrMetadataKey) return $"is the name of the group's own metadata document ({ZarrMetadataKey})";
        if (name is CellIds or MortonName) return $"is the name of a coordinate array the store writes ({CellIds}, {MortonName})";
        return null;
    }

    /// <summary>
    /// The group's attributes: "zarr_conventions" naming the DGGS convention v1 (its uuid and schema),
    /// "dggs" (name healpix, refinement_level, indexing_scheme nested, spatial_dimension cells; the
    /// compact layout's coordinate; the WGS84 ellipsoid under the authalic convention), and "zagg"
    /// (layout, orders, parent cells, latitude convention) from which <see cref="OpenAsync"/> rebuilds the template.
    /// </summary>
    public static JsonObject GroupAttributes(DggsTemplate t)
    {
        var dggs = new JsonObject
        {
            ["name"] = "healpix",
            ["refinement_level"] = t.ChildOrder,
            ["indexing_scheme"] = "nested",
            ["spatial_dimension"] = "cells",
        };
        if (t.Layout == DggsLayout.Compact)
        {
            dggs["coordinate"] = CellIds;
            dggs["compression"] = "none";
        }
        if (t.Latitude == LatitudeConvention.Authalic)
            dggs["ellipsoid"] = new JsonObject
            {
                ["name"] = "WGS84",
                ["semi_major_axis"] = AuthalicLatitude.SemiMajorAxis,
                ["inverse_flattening"] = AuthalicLatitude.InverseFlattening,
            };
        else
            dggs["latitude_convention"] = LatitudeConvention.GeodeticSpherical.ToName();
        var result = new JsonObject
        {
            ["zarr_conventions"] = new JsonArray(new JsonObject
            {
                ["schema_url"] = "https://raw.githubusercontent.com/zarr-conventions/dggs/refs/tags/v1/schema.json",
                ["spec_url"] = "https://github.com/zarr-conventions/dggs/blob/v1/README.md",
                ["uuid"] = "7b255807-140c-42ca-97f6-7a1cfecdbc38",
                ["name"] = "dggs",
                ["description"] = "Discrete Global Grid Systems convention for zarr",
            }),
            ["dggs"] = dggs,
            ["zagg"] = new JsonObject
            {
                ["layout"] = t.Layout == DggsLayout.Compact ? "compact" : "full",
                ["parent_order"] = t.ParentOrder,
                ["child_order"] = t.ChildOrder,
                ["parent_cells"] = t.Layout == DggsLayout.Compact ? t.ParentCellCount : null,
                ["latitude_convention"] = t.Latitude.ToName(),
            },
        };
        if (t.IsPyramid) ((JsonObject)result["zagg"]!)["orders"] = new JsonArray(t.LevelOrders.Select(o => (JsonNode)o).ToArray());
        return result;
    }

    /// <summary>The multiscales convention's identity (v1, https://github.com/zarr-conventions/multiscales/blob/v1/README.md).</summary>
    private static JsonObject MultiscalesConvention() => new()
    {
        ["schema_url"] = "https://raw.githubusercontent.com/zarr-conventions/multiscales/refs/tags/v1/schema.json",
        ["spec_url"] = "https://github.com/zarr-conventions/multiscales/blob/v1/README.md",
        ["uuid"] = "d35379db-88df-4056-af3a-620245f8e347",
        ["name"] = "multiscales",
        ["description"] = "Multiscale layout of zarr datasets",
    };

    /// <summary>
    /// A pyramid's root attributes: the multiscales convention (v1) with one <c>layout</c> entry per level, finest
    /// first: <c>asset</c> the level's group ("12"), the coarser ones <c>derived_from</c> the finest with
    /// <c>transform.scale</c> [4^(child − order)] along the cells dimension (a NESTED id at the coarser order is the
    /// finer id ÷ that), <c>resampling_method</c> "aggregate" (recomputed from the points: the orders from the parent
    /// order down) or "merge" (merged from the parent cells' states: the coarser orders), and
    /// <c>dggs:refinement_level</c> the level's HEALPix order, as the DGGS convention's draft proposes.
    /// </summary>
    public static JsonObject RootAttributes(DggsTemplate t)
    {
        var layout = new JsonArray();
        string finest = t.GroupPath;
        foreach (int order in t.LevelOrders.Reverse())
        {
            var entry = new JsonObject { ["asset"] = order.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            if (order == t.ChildOrder) entry["transform"] = new JsonObject { ["scale"] = new JsonArray(1.0) };
            else
            {
                entry["derived_from"] = finest;
                entry["transform"] = new JsonObject { ["scale"] = new JsonArray((double)(1L << (2 * (t.ChildOrder - order)))) };
                entry["resampling_method"] = order >= t.ParentOrder ? "aggregate" : "merge";
            }
            entry["dggs:refinement_level"] = order;
            layout.Add(entry);
        }
        return new JsonObject
        {
            ["zarr_conventions"] = new JsonArray(MultiscalesConvention()),
            ["multiscales"] = new JsonObject { ["layout"] = layout },
        };
    }
}
