using System.Collections.Concurrent;
using System.Globalization;
using Zagg.Grid;
using Zagg.Grid.Geometry;

namespace Zagg.Pipeline.Catalogs;

/// <summary>
/// Where the catalog looks for granules: a region of the Earth (polygons with holes or a
/// longitude-latitude box), what the catalog records as its source, the box a search service is
/// asked for, and the grid's parent cells that meet it.
/// </summary>
public sealed class AreaOfInterest
{
    private readonly ConcurrentDictionary<(int, LatitudeConvention), CellRanges> _cells = new();

    private AreaOfInterest(string source, GeoFootprint footprint, GeoBox boundingBox)
    {
        Source = source;
        Footprint = footprint;
        BoundingBox = boundingBox;
    }

    /// <summary>What the catalog's metadata records: "antarctica", "bbox:W,S,E,N", "geojson:PATH" or "basins:PATH[:1,2,17]".</summary>
    public string Source { get; }

    /// <summary>
    /// The area's extent in degrees (for CMR's bounding_box or STAC's bbox): a superset of the
    /// area, spanning every longitude up to the pole when the area holds a pole; West &gt; East
    /// when it crosses the antimeridian.
    /// </summary>
    public GeoBox BoundingBox { get; }

    /// <summary>The area as shapes on the sphere (a polygon with parts and holes, or one box).</summary>
    public GeoFootprint Footprint { get; }

    /// <summary>Every NESTED cell of <paramref name="order"/> that meets the area (computed once per order and convention).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An order outside 0–29.</exception>
    public CellRanges Cells(int order, LatitudeConvention convention = LatitudeConvention.Authalic)
        => _cells.GetOrAdd((order, convention), static (key, footprint) => FootprintCoverage.Cover(footprint, key.Item1, key.Item2), Footprint);

    /// <summary>The built-in area: everything south of 60°S (the Antarctic ice sheet and its shelves).</summary>
    public static AreaOfInterest Antarctica { get; } = FromBox("antarctica", new GeoBox(-180, -90, 180, -60));

    /// <summary>
    /// A box given as "lon_min,lat_min,lon_max,lat_max" in degrees (the command line's --bbox);
    /// lon_min &gt; lon_max crosses the antimeridian. The rules are <see cref="GeoBox.ProblemOf"/>'s.
    /// </summary>
    /// <exception cref="AreaOfInterestException">Not four numbers, or a box <see cref="GeoBox.ProblemOf"/> refuses.</exception>
    /// <param name="bbox">The box's text.</param>
    /// <param name="name">What the messages call it (the command line's "--bbox").</param>
    public static AreaOfInterest FromBbox(string bbox, string name = "bbox")
    {
        ArgumentNullException.ThrowIfNull(bbox);
        ArgumentNullException.ThrowIfNull(name);
        string[] parts = bbox.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length != 4)
            throw new AreaOfInterestException($"{name} '{bbox}': expected 4 numbers lon_min,lat_min,lon_max,lat_max, got {parts.Length}");
        var v = new double[4];
        for (int i = 0; i < 4; i++)
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out v[i]))
                throw new AreaOfInterestException($"{name} '{bbox}': {GeoBox.CornerNames[i]} '{parts[i]}' is not a number");
        if (GeoBox.ProblemOf(v[0], v[1], v[2], v[3]) is { } problem) throw new AreaOfInterestException($"{name} '{bbox}': {problem}");
        var box = new GeoBox(v[0], v[1], v[2], v[3]);
        return FromBox($"bbox:{box}", box);
    }

    /// <summary>The polygons of a GeoJSON file (Polygon, MultiPolygon, Feature, FeatureCollection; holes).</summary>
    /// <exception cref="GeoJsonException">The file cannot be read or is not polygonal GeoJSON.</exception>
    /// <exception cref="AreaOfInterestException">A ring that is not one (fewer than three distinct positions, antipodal neighbours) or that crosses itself or its part's other rings.</exception>
    public static AreaOfInterest FromGeoJsonFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var polygon = GeoJson.ReadPolygonFile(path);
        return FromPolygon($"geojson:{path}", polygon, path);
    }

    /// <summary>
    /// A drainage-basin file: whitespace-separated columns <c>lat lon basin_id</c> (Zwally's
    /// Ant_Grounded_DrainageSystem_Polygons.txt and the like), comment lines (#, %, !, //) and
    /// header lines (not starting with a number) skipped; the positions of one basin id, in file
    /// order, are one ring. <paramref name="basins"/> picks some ids (all when null or empty).
    /// </summary>
    /// <exception cref="AreaOfInterestException">The file cannot be read; a data line that is not three numbers (named by line number); a basin id asked for that is not in the file; a basin with fewer than three positions or whose ring crosses itself; no basin at all.</exception>
    public static AreaOfInterest FromBasinsFile(string path, IReadOnlyCollection<int>? basins = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var rings = BasinsFile.Read(path, basins);
        var parts = new List<IReadOnlyList<IReadOnlyList<GeoPoint>>>(rings.Count);
        foreach (var (_, ring) in rings) parts.Add([ring]);
        string source = basins is { Count: > 0 }
            ? $"basins:{path}:{string.Join(',', basins.OrderBy(b => b).Select(b => b.ToString(CultureInfo.InvariantCulture)))}"
            : $"basins:{path}";
        return FromPolygon(source, new GeoPolygon(parts), path, partNames: rings.ConvertAll(r => $"basin {r.Basin}"));
    }

    /// <summary>
    /// The area of a catalog search from its inputs, as a front door takes them: a GeoJSON polygon file, a basins file
    /// (with some of its basins), a box, else <see cref="Antarctica"/>. A box beside a polygon or basins file is not the
    /// area but the search's own box (CMR's bounding_box, STAC's bbox), given back in <paramref name="searchBox"/>.
    /// </summary>
    /// <param name="polygon">A GeoJSON file, or null.</param>
    /// <param name="basinsFile">A drainage-basin file, or null.</param>
    /// <param name="basins">The basins of <paramref name="basinsFile"/> to take (null: all).</param>
    /// <param name="bbox">"lon_min,lat_min,lon_max,lat_max", or null.</param>
    /// <param name="names">What the front door calls these inputs, for the messages.</param>
    /// <param name="searchBox">The search's box when a box comes beside a polygon or basins file; else null.</param>
    /// <exception cref="AreaOfInterestException">Both a polygon and a basins file; basins without the file; a search box that does not overlap the area's extent; or as <see cref="FromBbox"/>, <see cref="FromGeoJsonFile"/>, <see cref="FromBasinsFile"/>.</exception>
    /// <exception cref="GeoJsonException">As <see cref="FromGeoJsonFile"/>.</exception>
    public static AreaOfInterest Choose(string? polygon, string? basinsFile, IReadOnlyCollection<int>? basins, string? bbox, AreaInputNames names, out GeoBox? searchBox)
    {
        ArgumentNullException.ThrowIfNull(names);
        searchBox = null;
        if (polygon is not null && basinsFile is not null)
            throw new AreaOfInterestException($"give one area of interest: {names.Polygon} or {names.BasinsFile} ({names.Bbox} beside either is the search's box)");
        if (basins is not null && basinsFile is null)
            throw new AreaOfInterestException($"{names.Basins} picks basins of {names.BasinsFile}: give the file too");
        if (polygon is null && basinsFile is null) return bbox is not null ? FromBbox(bbox, names.Bbox) : Antarctica;
        var box = bbox is null ? (GeoBox?)null : FromBbox(bbox, names.Bbox).BoundingBox;
        AreaOfInterest area;
        try { area = polygon is not null ? FromGeoJsonFile(polygon) : FromBasinsFile(basinsFile!, basins); }
        catch (AreaOfInterestException e)
        {
            // The file's own messages start with its path: put the input's name before it.
            throw new AreaOfInterestException($"{(polygon is not null ? names.Polygon : names.BasinsFile)} {e.Message}", e);
        }
        if (box is { } b && !b.Intersects(area.BoundingBox))
            throw new AreaOfInterestException($"{names.Bbox} {bbox} does not overlap the area's extent {area.BoundingBox}: a search there finds nothing in the area");
        searchBox = box;
        return area;
    }

    private static AreaOfInterest FromBox(string source, GeoBox box)
        => new(source, new GeoFootprint(boxes: [box]), box);

    private static AreaOfInterest FromPolygon(string source, GeoPolygon polygon, string file, IReadOnlyList<string>? partNames = null)
    {
        GeoBox extent;
        string? crossing;
        try
        {
            extent = GeoExtent.Of(polygon);
            crossing = PolygonValidation.FindSelfIntersection(polygon);
        }
        catch (ArgumentException e) { throw new AreaOfInterestException($"{file}: {Rename(e.Message, partNames)}", e); }
        if (crossing is not null)
            throw new AreaOfInterestException($"{file}: self-intersecting ring: {Rename(crossing, partNames)}");
        return new AreaOfInterest(source, new GeoFootprint(polygons: [polygon]), extent);
    }

    private static string Rename(string message, IReadOnlyList<string>? partNames)
    {
        if (partNames is null || !message.StartsWith("part ", StringComparison.Ordinal)) return message;
        int end = message.IndexOf(' ', 5);
        if (end > 5 && int.TryParse(message.AsSpan(5, end - 5), out int p) && p < partNames.Count)
            return partNames[p] + message[end..].Replace(" ring 0", "", StringComparison.Ordinal);
        return message;
    }
}
