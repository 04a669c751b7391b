namespace Zagg.Grid.Geometry;

/// <summary>
/// The longitude-latitude extent of a polygon whose edges are great-circle arcs: the box a
/// search service (CMR's bounding_box, STAC's bbox) needs to find everything the polygon meets.
/// </summary>
public static class GeoExtent
{
    private static readonly Vec3 NorthPole = new(0, 0, 1);

    /// <summary>
    /// The polygon's box in degrees: latitudes include the poleward bulge of its edges (a
    /// great-circle arc between two points at 70°S passes south of 70°S); a polygon that holds a
    /// pole spans every longitude (−180 to 180) up to that pole. West &gt; East when the box
    /// crosses the antimeridian.
    /// </summary>
    /// <exception cref="ArgumentException">A ring that is not one (see <see cref="SphericalRegion.FromGeo"/>).</exception>
    public static GeoBox Of(GeoPolygon polygon)
    {
        ArgumentNullException.ThrowIfNull(polygon);
        const LatitudeConvention spherical = LatitudeConvention.GeodeticSpherical; // CMR's GEODETIC model
        var region = SphericalRegion.FromGeo(polygon, spherical);
        var (west, south, east, north) = polygon.BoundingBox();
        foreach (var part in polygon.Parts)
        {
            var ring = part[0];
            for (int i = 0; i < ring.Count; i++)
            {
                Vec3 a = GeoGrid.ToSphere(ring[i], spherical), b = GeoGrid.ToSphere(ring[(i + 1) % ring.Count], spherical);
                if (a.AngleTo(b) < 1e-15) continue;
                Vec3 n = (a + b).Cross(b - a).Normalized();
                // The great circle's highest point is ẑ projected on its plane; its lowest is the opposite.
                Vec3 top = new Vec3(-n.Z * n.X, -n.Z * n.Y, 1 - n.Z * n.Z);
                if (top.Length < 1e-15) continue;
                top = top.Normalized();
                double topLat = Math.Asin(Math.Clamp(top.Z, -1, 1)) * (180 / Math.PI);
                if (Within(a, b, n, top)) north = Math.Max(north, topLat);
                if (Within(a, b, n, -top)) south = Math.Min(south, -topLat);
            }
        }
        bool north90 = region.Contains(NorthPole), south90 = region.Contains(-NorthPole);
        if (north90) north = 90;
        if (south90) south = -90;
        if (north90 || south90) { west = -180; east = 180; }
        return new GeoBox(west, Math.Clamp(south, -90, 90), east, Math.Clamp(north, -90, 90));
    }

    private static bool Within(Vec3 a, Vec3 b, Vec3 n, Vec3 p) => a.Cross(p).Dot(n) >= 0 && p.Cross(b).Dot(n) >= 0;
}
