using Zagg.Grid;
using Zagg.Zarr;
using Zagg.Pipeline.Output;

namespace Zagg.Pipeline.Config;

/// <summary>
/// A validated pipeline configuration (the YAML users write; see configs/atl06.yaml and the README's
/// "The pipeline configuration"). Built by <see cref="ConfigLoader"/>, which refuses anything it
/// would not use as written.
/// </summary>
public sealed record PipelineConfig
{
    /// <summary>Names the configuration in messages: a path, or "atl06 (built in)".</summary>
    public required string Source { get; init; }

    /// <summary>data_source: where the points are in a granule.</summary>
    public required DataSourceConfig DataSource { get; init; }

    /// <summary>
    /// aggregation.coordinates as given, checked against what the store writes (cell_ids uint64 in
    /// the compact layout, morton int64 up to order 18, both fill 0); the store writes its coordinates
    /// whether or not they are listed.
    /// </summary>
    public required IReadOnlyList<CoordinateConfig> Coordinates { get; init; }

    /// <summary>aggregation.variables in config order: one output array each.</summary>
    public required IReadOnlyList<VariableConfig> Variables { get; init; }

    /// <summary>output.grid.</summary>
    public required GridConfig Grid { get; init; }

    /// <summary>output.store: the default store location, or null.</summary>
    public string? Store { get; init; }

    /// <summary>catalog: the default catalog location, or null.</summary>
    public string? Catalog { get; init; }

    /// <summary>
    /// bounds: validated (dates ordered, bbox in degrees with latitudes ordered, polygon or bbox) and
    /// carried for the catalog step, which selects granules by time and area (a later issue);
    /// <c>zagg run</c> aggregates every point of the catalog's granules and does not filter by them.
    /// </summary>
    public BoundsConfig? Bounds { get; init; }

    /// <summary>
    /// Checks that a catalog's parent order fits this configuration — the one place the rule lives:
    /// cells are aggregated at output.grid.child_order under parent cells, so the child order must
    /// not be coarser than the parent order, nor more than <see cref="MaxOrdersBelowParent"/> orders finer.
    /// </summary>
    /// <exception cref="ConfigException">child_order &lt; <paramref name="parentOrder"/>, or more than <see cref="MaxOrdersBelowParent"/> above it; the message names the config.</exception>
    public void RequireParentOrder(int parentOrder)
    {
        if (Grid.ChildOrder < parentOrder)
            throw new ConfigException($"{Source}: output.grid.child_order {Grid.ChildOrder} is coarser than the catalog's parent order {parentOrder}");
        if (Grid.ChildOrder - parentOrder > MaxOrdersBelowParent)
            throw new ConfigException($"{Source}: output.grid.child_order {Grid.ChildOrder} is {Grid.ChildOrder - parentOrder} orders below the catalog's parent order {parentOrder}; a parent cell's chunk holds 4^(child − parent) values, so at most {MaxOrdersBelowParent} orders apart");
    }

    /// <summary>
    /// The most orders the child order may lie below the parent order: a parent cell's chunk holds 4^13 (67 M) values at
    /// most, one array per variable.
    /// </summary>
    public const int MaxOrdersBelowParent = 13;

    /// <summary>The output template for a catalog of <paramref name="parentCells"/> cells at <paramref name="parentOrder"/>.</summary>
    /// <exception cref="ConfigException">The child order is coarser than <paramref name="parentOrder"/> (<see cref="RequireParentOrder"/>).</exception>
    public DggsTemplate ToTemplate(int parentOrder, long parentCells)
    {
        RequireParentOrder(parentOrder);
        return Template(parentOrder, parentCells);
    }

    private DggsTemplate Template(int parentOrder, long parentCells) => new()
    {
        ParentOrder = parentOrder,
        ChildOrder = Grid.ChildOrder,
        ParentCellCount = parentCells,
        Layout = Grid.Layout,
        Latitude = Grid.Latitude,
        Orders = Grid.Orders,
        Variables = Variables.Select(v => new DggsVariable(v.Name, v.DataType, v.FillValue)).ToList(),
    };
}

/// <summary>data_source.</summary>
/// <param name="Reader">One of <see cref="ConfigLoader.Readers"/> (all select Zagg's HDF5 reader).</param>
/// <param name="Driver">"s3" or "https": which of the catalog's URL forms granules are read through.</param>
/// <param name="Groups">Values of {group} in the dataset paths (ATL06: the six beams); empty for none.</param>
/// <param name="Latitude">Latitude dataset path, degrees.</param>
/// <param name="Longitude">Longitude dataset path, degrees.</param>
/// <param name="Variables">Column name → dataset path, each 1-D along the coordinates.</param>
/// <param name="QualityFilter">Keep only points whose dataset equals a value, or null.</param>
public sealed record DataSourceConfig(string Reader, string Driver, IReadOnlyList<string> Groups, string Latitude, string Longitude,
    IReadOnlyDictionary<string, string> Variables, QualityFilterConfig? QualityFilter);

/// <summary>data_source.quality_filter: keep points where <paramref name="Dataset"/> equals <paramref name="Value"/>.</summary>
public sealed record QualityFilterConfig(string Dataset, double Value);

/// <summary>One of aggregation.coordinates: cell_ids or morton, with the dtype and fill (little-endian) the store writes.</summary>
public sealed record CoordinateConfig(string Name, ZarrDataType DataType, byte[] FillValue);

/// <summary>How a statistic is computed: a function of a source column (with parameters), or an expression.</summary>
public sealed record VariableConfig(string Name, string? Function, string? SourceColumn, IReadOnlyDictionary<string, Expr> Parameters, Expr? Expression, ZarrDataType DataType, byte[]? FillValue)
{
    /// <summary>The fill value written where a child has no data: as configured, else <see cref="DggsVariable.DefaultFill"/>.</summary>
    public byte[] Fill => FillValue ?? DggsVariable.DefaultFill(DataType);
}

/// <summary>output.grid: HEALPix NESTED at <paramref name="ChildOrder"/> (1–29), latitude convention and store layout.</summary>
public sealed record GridConfig(int ChildOrder, LatitudeConvention Latitude, DggsLayout Layout)
{
    /// <summary>
    /// output.grid.orders: the orders of the store's levels, ascending, ending with <see cref="ChildOrder"/> (a
    /// multi-resolution pyramid when more than one); default the child order alone.
    /// </summary>
    public IReadOnlyList<int> Orders { get; init; } = [ChildOrder];
}

/// <summary>bounds: dates (inclusive), and a GeoJSON polygon file or a bbox [lon_min, lat_min, lon_max, lat_max] in degrees.</summary>
public sealed record BoundsConfig(DateOnly? StartDate, DateOnly? EndDate, string? Polygon, double[]? BoundingBox);

/// <summary>A configuration's text and where it came from (<see cref="ConfigLoader.Find"/>).</summary>
/// <param name="BuiltInName">The built-in's name, or null for a file.</param>
/// <param name="Yaml">The YAML text.</param>
/// <param name="Source">Names it in messages: "atl06 (built in)" or the path.</param>
public sealed record ConfigText(string? BuiltInName, string Yaml, string Source);

/// <summary>A configuration that is not valid; the message names the file, the key path and the line.</summary>
public sealed class ConfigException(string message) : Exception(message);
