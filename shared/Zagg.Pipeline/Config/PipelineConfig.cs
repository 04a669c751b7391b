using Zagg.Grid;
using Zagg.Zarr;
using Zagg.Pipeline.Output;

namespace Zagg.Pipeline.Config;

/// <summary>A validated pipeline configuration (the YAML users write; see configs/atl06.yaml).</summary>
public sealed record PipelineConfig
{
    public required string Source { get; init; }
    public required DataSourceConfig DataSource { get; init; }
    public required IReadOnlyList<CoordinateConfig> Coordinates { get; init; }
    public required IReadOnlyList<VariableConfig> Variables { get; init; }
    public required GridConfig Grid { get; init; }
    public string? Store { get; init; }
    public string? Catalog { get; init; }
    public BoundsConfig? Bounds { get; init; }

    /// <summary>
    /// Checks that a catalog's parent order fits this configuration — the one place the rule lives:
    /// cells are aggregated at output.grid.child_order under parent cells, so the child order must
    /// not be coarser than the parent order.
    /// </summary>
    /// <exception cref="ConfigException">child_order &lt; <paramref name="parentOrder"/>; the message names the config.</exception>
    public void RequireParentOrder(int parentOrder)
    {
        if (Grid.ChildOrder < parentOrder)
            throw new ConfigException($"{Source}: output.grid.child_order {Grid.ChildOrder} is coarser than the catalog's parent order {parentOrder}");
    }

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
        Variables = Variables.Select(v => new DggsVariable(v.Name, v.DataType, v.FillValue)).ToList(),
    };
}

public sealed record DataSourceConfig(string Reader, string Driver, IReadOnlyList<string> Groups, string Latitude, string Longitude,
    IReadOnlyDictionary<string, string> Variables, QualityFilterConfig? QualityFilter);

public sealed record QualityFilterConfig(string Dataset, double Value);

public sealed record CoordinateConfig(string Name, ZarrDataType DataType, byte[] FillValue);

/// <summary>How a statistic is computed: a function of a source column (with parameters), or an expression.</summary>
public sealed record VariableConfig(string Name, string? Function, string? SourceColumn, IReadOnlyDictionary<string, Expr> Parameters, Expr? Expression, ZarrDataType DataType, byte[]? FillValue)
{
    /// <summary>The fill value written where a child has no data: as configured, else <see cref="DggsVariable.DefaultFill"/>.</summary>
    public byte[] Fill => FillValue ?? DggsVariable.DefaultFill(DataType);
}

public sealed record GridConfig(int ChildOrder, LatitudeConvention Latitude, DggsLayout Layout);

public sealed record BoundsConfig(DateOnly? StartDate, DateOnly? EndDate, string? Polygon, double[]? BoundingBox);

/// <summary>A configuration's text and where it came from (<see cref="ConfigLoader.Find"/>).</summary>
/// <param name="BuiltInName">The built-in's name, or null for a file.</param>
/// <param name="Yaml">The YAML text.</param>
/// <param name="Source">Names it in messages: "atl06 (built in)" or the path.</param>
public sealed record ConfigText(string? BuiltInName, string Yaml, string Source);

/// <summary>A configuration that is not valid; the message names the file, the key path and the line.</summary>
public sealed class ConfigException(string message) : Exception(message);
