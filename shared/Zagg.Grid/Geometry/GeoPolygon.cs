namespace Zagg.Grid.Geometry;

/// <summary>
/// A polygon in geographic coordinates: one or more parts, each an exterior ring followed by
/// zero or more holes (GeoJSON's Polygon and MultiPolygon). Rings need not repeat their first
/// position at the end.
/// </summary>
/// <remarks>
/// Edges are great-circle arcs (CMR's GEODETIC polygons); a ring bounds the smaller of the two
/// regions it separates on the sphere, whichever way it is wound, so a ring around a pole is
/// the cap on the pole's side and one across the antimeridian needs no splitting.
/// </remarks>
public sealed class GeoPolygon
{
    public GeoPolygon(IReadOnlyList<IReadOnlyList<IReadOnlyList<GeoPoint>>> parts)
    {
        if (parts.Count == 0) throw new ArgumentException("a polygon needs at least one part", nameof(parts));
        for (int p = 0; p < parts.Count; p++)
        {
            if (parts[p].Count == 0) throw new ArgumentException($"part {p} has no exterior ring", nameof(parts));
            for (int r = 0; r < parts[p].Count; r++)
            {
                var ring = parts[p][r];
                for (int i = 0; i < ring.Count; i++)
                    if (!ring[i].IsValid)
                        throw new ArgumentException($"part {p} ring {r} position {i} {ring[i]} is not a position: latitude must be in [-90, 90], longitude finite", nameof(parts));
            }
        }
        Parts = parts;
    }

    /// <summary>A single-part polygon without holes.</summary>
    public static GeoPolygon FromRing(IReadOnlyList<GeoPoint> ring) => new([[ring]]);

    public IReadOnlyList<IReadOnlyList<IReadOnlyList<GeoPoint>>> Parts { get; }

    /// <summary>The bounding box (west, south, east, north) in degrees; west &gt; east when it crosses the antimeridian.</summary>
    public (double West, double South, double East, double North) BoundingBox()
    {
        double south = 90, north = -90;
        var lons = new List<double>();
        foreach (var part in Parts)
            foreach (var p in part[0])
            {
                south = Math.Min(south, p.Latitude);
                north = Math.Max(north, p.Latitude);
                lons.Add(GeoGrid.NormalizeLongitude(p.Longitude));
            }
        lons.Sort();
        // The smallest arc holding every longitude is the complement of the largest gap.
        double bestGap = lons[0] + 360 - lons[^1];
        double west = lons[0], east = lons[^1];
        for (int i = 1; i < lons.Count; i++)
        {
            double gap = lons[i] - lons[i - 1];
            if (gap > bestGap) { bestGap = gap; west = lons[i]; east = lons[i - 1]; }
        }
        return (west, south, east, north);
    }
}
