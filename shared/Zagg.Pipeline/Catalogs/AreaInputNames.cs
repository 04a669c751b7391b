namespace Zagg.Pipeline.Catalogs;

/// <summary>What a front door calls the inputs of <see cref="AreaOfInterest.Choose"/>, so its messages name them as the user wrote them.</summary>
/// <param name="Polygon">The GeoJSON file's name (e.g. "--polygon").</param>
/// <param name="BasinsFile">The basins file's name.</param>
/// <param name="Basins">The basin list's name.</param>
/// <param name="Bbox">The box's name.</param>
public sealed record AreaInputNames(string Polygon, string BasinsFile, string Basins, string Bbox)
{
    /// <summary>The command line's options (<c>zagg catalog</c>).</summary>
    public static AreaInputNames Options { get; } = new("--polygon", "--basins-file", "--basins", "--bbox");

    /// <summary>The fields of a run's query message (<c>CatalogQuery</c>).</summary>
    public static AreaInputNames Fields { get; } = new("polygon", "basinsFile", "basins", "bbox");
}
