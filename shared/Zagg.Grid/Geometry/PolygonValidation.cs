using System.Globalization;

namespace Zagg.Grid.Geometry;

/// <summary>Checks that a polygon's rings are simple: no edge crosses another edge of its part.</summary>
public static class PolygonValidation
{
    /// <summary>
    /// The first crossing found between two non-adjacent edges of one part (a ring crossing itself,
    /// or a hole crossing its exterior), described as "part P ring R edge I crosses ring S edge J
    /// near longitude LON, latitude LAT"; null when there is none. Parts may overlap each other (adjacent drainage
    /// basins share their borders).
    /// </summary>
    /// <remarks>
    /// Edges are great-circle arcs. The pairs tested are those reaching a common cell of an order
    /// whose cells are a few edges long (found by the coverage walk), so the cost is about
    /// n log n for n edges, not n².
    /// </remarks>
    /// <exception cref="ArgumentException">A ring that is not one (fewer than three distinct positions, antipodal neighbours).</exception>
    public static string? FindSelfIntersection(GeoPolygon polygon, LatitudeConvention convention = LatitudeConvention.Authalic)
    {
        ArgumentNullException.ThrowIfNull(polygon);
        for (int p = 0; p < polygon.Parts.Count; p++)
        {
            var region = SphericalRegion.FromGeo(new GeoPolygon([polygon.Parts[p]]), convention);
            var edges = region.Edges;
            if (edges.Length < 4 && region.RingCount == 1) continue;
            // Each edge's index within its ring and its ring's length, for adjacency.
            var index = new int[edges.Length];
            var ringLength = new int[region.RingCount];
            for (int i = 0; i < edges.Length; i++) index[i] = ringLength[edges[i].Ring]++;
            double median = MedianLength(edges);
            int order = Math.Clamp((int)Math.Floor(Math.Log2(1.0 / Math.Max(median * 4, 1e-9))), 1, 16);
            var walk = new Walk(edges, index, ringLength, order);
            int[] all = new int[edges.Length];
            for (int i = 0; i < all.Length; i++) all[i] = i;
            for (int face = 0; face < HealpixNested.BaseCellCount && walk.Found < 0; face++) walk.Visit(face, 0, all);
            if (walk.Found >= 0)
            {
                var a = edges[walk.Found];
                var b = edges[walk.Other];
                Vec3 x = a.Normal.Cross(b.Normal);
                if (x.Dot(a.A + a.B) < 0) x = -x;
                var g = GeoGrid.FromSphere(x.Normalized(), convention);
                return string.Create(CultureInfo.InvariantCulture,
                    $"part {p} ring {a.Ring} edge {index[walk.Found]} crosses ring {b.Ring} edge {index[walk.Other]} near longitude {g.Longitude:F5}, latitude {g.Latitude:F5}");
            }
        }
        return null;
    }

    private static double MedianLength(SphericalRegion.Edge[] edges)
    {
        var lengths = new double[edges.Length];
        for (int i = 0; i < edges.Length; i++) lengths[i] = edges[i].A.AngleTo(edges[i].B);
        Array.Sort(lengths);
        return lengths[lengths.Length / 2];
    }

    private sealed class Walk(SphericalRegion.Edge[] edges, int[] index, int[] ringLength, int order)
    {
        private readonly int[][] _reaching = new int[order + 1][];
        public int Found = -1, Other = -1;

        public void Visit(long cell, int level, ReadOnlySpan<int> candidates)
        {
            var cap = CellCaps.Get(level, cell);
            int[] buffer = _reaching[level] ??= new int[edges.Length];
            int count = 0;
            foreach (int i in candidates)
                if (edges[i].Reaches(cap.Centre, cap.OuterSin, cap.OuterCos)) buffer[count++] = i;
            if (count < 2) return;
            var reaching = new ReadOnlySpan<int>(buffer, 0, count);
            if (level == order || count <= 8)
            {
                for (int x = 0; x < reaching.Length; x++)
                    for (int y = x + 1; y < reaching.Length; y++)
                    {
                        int i = reaching[x], j = reaching[y];
                        if (Adjacent(i, j)) continue;
                        ref readonly var a = ref edges[i];
                        ref readonly var b = ref edges[j];
                        if (SphericalRegion.Crosses(a.A, a.B, b.A, b.B) && Confirmed(a, b))
                        {
                            Found = Math.Min(i, j);
                            Other = Math.Max(i, j);
                            return;
                        }
                    }
                return;
            }
            for (long child = cell << 2; child < (cell << 2) + 4 && Found < 0; child++)
                Visit(child, level + 1, reaching);
        }

        /// <summary>
        /// Edges on (nearly) one great circle meet only where they overlap: the orientation signs
        /// of such pairs are rounding noise, so their overlap decides.
        /// </summary>
        private static bool Confirmed(in SphericalRegion.Edge a, in SphericalRegion.Edge b)
        {
            if (a.Normal.Cross(b.Normal).Length > 1e-9) return true;
            return Between(a, b.A) || Between(a, b.B) || Between(b, a.A) || Between(b, a.B);
        }

        private static bool Between(in SphericalRegion.Edge e, Vec3 p)
        {
            const double margin = 1e-12;
            return e.A.Cross(p).Dot(e.Normal) > margin && p.Cross(e.B).Dot(e.Normal) > margin;
        }

        private bool Adjacent(int i, int j)
        {
            if (edges[i].Ring != edges[j].Ring) return false;
            int n = ringLength[edges[i].Ring];
            int d = Math.Abs(index[i] - index[j]);
            return d <= 1 || d == n - 1;
        }
    }
}
