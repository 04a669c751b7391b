namespace Zagg.Grid.Geometry;

/// <summary>
/// Where a granule has data: the union of polygons (with holes), great-circle polylines, points
/// and longitude-latitude boxes — every shape CMR's UMM-G <c>HorizontalSpatialDomain.Geometry</c>
/// can hold (GPolygons, Lines, Points, BoundingRectangles), several of each, and a STAC item's
/// geometry. Data only; <c>FootprintCoverage</c> finds the cells it meets.
/// </summary>
public sealed class GeoFootprint
{
    /// <exception cref="ArgumentException">A line with fewer than two positions, or a position that is not one.</exception>
    public GeoFootprint(
        IReadOnlyList<GeoPolygon>? polygons = null,
        IReadOnlyList<IReadOnlyList<GeoPoint>>? lines = null,
        IReadOnlyList<GeoPoint>? points = null,
        IReadOnlyList<GeoBox>? boxes = null)
    {
        Polygons = polygons ?? [];
        Lines = lines ?? [];
        Points = points ?? [];
        Boxes = boxes ?? [];
        for (int i = 0; i < Lines.Count; i++)
        {
            if (Lines[i].Count < 2) throw new ArgumentException($"line {i} has {Lines[i].Count} position(s); a line needs two or more");
            for (int j = 0; j < Lines[i].Count; j++)
                if (!Lines[i][j].IsValid) throw new ArgumentException($"line {i} position {j} {Lines[i][j]} is not a position");
        }
        for (int i = 0; i < Points.Count; i++)
            if (!Points[i].IsValid) throw new ArgumentException($"point {i} {Points[i]} is not a position");
    }

    /// <summary>Polygons; edges are great-circle arcs (CMR's GEODETIC coordinate system).</summary>
    public IReadOnlyList<GeoPolygon> Polygons { get; }

    /// <summary>Polylines of two or more positions; segments are great-circle arcs.</summary>
    public IReadOnlyList<IReadOnlyList<GeoPoint>> Lines { get; }

    public IReadOnlyList<GeoPoint> Points { get; }

    public IReadOnlyList<GeoBox> Boxes { get; }

    /// <summary>True when the footprint holds no shape at all.</summary>
    public bool IsEmpty => Polygons.Count == 0 && Lines.Count == 0 && Points.Count == 0 && Boxes.Count == 0;
}
