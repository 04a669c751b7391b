namespace Zagg.Grid.Geometry;

/// <summary>
/// The cells of an order that a granule's footprint meets on the HEALPix sphere: the union of
/// the coverage of its polygons (great-circle edges, holes), polylines (great-circle segments),
/// points (their cell) and longitude-latitude boxes (parallels and meridians).
/// </summary>
/// <remarks>
/// Each shape is covered by a descent from the base cells that follows its boundary
/// (<see cref="PolygonCoverage"/>, and the same walk for lines and boxes), so the cost grows with
/// the footprint's perimeter in cells and the number of its vertices, not with the grid.
/// Antimeridian crossings need no splitting and a polygon around a pole is the cap on the pole's
/// side (<see cref="GeoPolygon"/>).
/// </remarks>
public static class FootprintCoverage
{
    /// <summary>Every NESTED cell of <paramref name="order"/> whose region meets the footprint.</summary>
    /// <param name="footprint">The shapes; an empty footprint covers nothing.</param>
    /// <param name="order">HEALPix order, 0–29.</param>
    /// <param name="convention">How geodetic latitudes are put on the sphere.</param>
    /// <exception cref="ArgumentOutOfRangeException">An order outside 0–29.</exception>
    /// <exception cref="ArgumentException">A polygon ring with fewer than three distinct positions or an edge between antipodal positions; a line segment between antipodal positions.</exception>
    public static CellRanges Cover(GeoFootprint footprint, int order, LatitudeConvention convention = LatitudeConvention.Authalic)
    {
        ArgumentNullException.ThrowIfNull(footprint);
        HealpixNested.CheckOrder(order);
        CellRanges? result = null;
        // Indexed loops: no enumerator boxed per footprint through the interfaces.
        var polygons = footprint.Polygons;
        for (int i = 0; i < polygons.Count; i++)
            result = Join(result, PolygonCoverage.Cover(SphericalRegion.FromGeoReused(polygons[i], convention), order));
        var boxes = footprint.Boxes;
        for (int i = 0; i < boxes.Count; i++)
            result = Join(result, BoxCoverage.Cover(boxes[i], order, convention));
        if (footprint.Lines.Count > 0)
            result = Join(result, LineCoverage.Cover(Arcs(footprint.Lines, convention), order));
        if (footprint.Points.Count > 0)
        {
            var cells = new long[footprint.Points.Count];
            for (int i = 0; i < cells.Length; i++)
                cells[i] = GeoGrid.Locate(footprint.Points[i].Latitude, footprint.Points[i].Longitude, order, convention);
            result = Join(result, CellRanges.FromCells(order, cells));
        }
        return result ?? new CellRanges(order);
    }

    private static CellRanges Join(CellRanges? a, CellRanges b) => a is null ? b : a.Union(b);

    private static SphericalRegion.Edge[] Arcs(IReadOnlyList<IReadOnlyList<GeoPoint>> lines, LatitudeConvention convention)
    {
        var arcs = new List<SphericalRegion.Edge>();
        for (int l = 0; l < lines.Count; l++)
        {
            var line = lines[l];
            Vec3 previous = GeoGrid.ToSphere(line[0], convention);
            for (int i = 1; i < line.Count; i++)
            {
                Vec3 next = GeoGrid.ToSphere(line[i], convention);
                if (previous.AngleTo(next) >= Math.PI - 1e-12)
                    throw new ArgumentException($"line {l}: positions {i - 1} and {i} are antipodal, so the segment between them is undefined");
                arcs.Add(new SphericalRegion.Edge(previous, next, 0));
                previous = next;
            }
        }
        return [.. arcs];
    }
}
