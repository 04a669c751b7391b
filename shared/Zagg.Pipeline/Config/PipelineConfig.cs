using Zagg.Grid;
using Zagg.Zarr;
using Zagg.Zarr.Dggs;

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

    /// <summary>The output template for a catalog of <paramref name="parentCells"/> cells at <paramref name="parentOrder"/>.</summary>
    public DggsTemplate ToTemplate(int parentOrder, long parentCells) => new()
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
public sealed record VariableConfig(string Name, string? Function, string? SourceColumn, IReadOnlyDictionary<string, Expr> Parameters, Expr? Expression, ZarrDataType DataType, byte[]? FillValue);

public sealed record GridConfig(int ChildOrder, LatitudeConvention Latitude, DggsLayout Layout);

public sealed record BoundsConfig(DateOnly? StartDate, DateOnly? EndDate, string? Polygon, double[]? BoundingBox);

/// <summary>A configuration that is not valid; the message names the file, the key path and the line.</summary>
public sealed class ConfigException(string message) : Exception(message);
