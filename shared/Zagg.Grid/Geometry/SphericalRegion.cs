using System.Runtime.CompilerServices;

namespace Zagg.Grid.Geometry;

/// <summary>
/// A polygon on the HEALPix sphere: rings of unit vectors joined by great-circle arcs, grouped
/// into parts (exterior, holes). A point is inside when it is inside some part's exterior and
/// none of that part's holes. Every ring is stored wound so that its region (the smaller side)
/// lies to its left.
/// </summary>
public sealed class SphericalRegion
{
    private readonly Ring[] _rings;
    private readonly int[][] _parts; // ring indices, exterior first

    /// <summary>Every edge of every ring, for the coverage walk.</summary>
    internal Edge[] Edges { get; private set; }

    /// <summary>The polygon's vertices, for the coverage walk.</summary>
    internal Vec3[] Vertices { get; private set; }

    private SphericalRegion(Ring[] rings, int[][] parts)
    {
        _rings = rings;
        _parts = parts;
        if (rings.Length == 1)
        {
            // One ring (a granule's footprint): its points are the vertices, in the ring's order (reversed with it
            // when the ring is rewound below, which only the descent sees, and it takes them as a set).
            Vertices = rings[0].Points;
        }
        else
        {
            int n = 0;
            foreach (var r in rings) n += r.Points.Length;
            Vertices = new Vec3[n];
            n = 0;
            foreach (var r in rings)
            {
                r.Points.CopyTo(Vertices, n);
                n += r.Points.Length;
            }
        }
        Edges = new Edge[Vertices.Length];
        Orient();
    }

    /// <summary>
    /// Fills <see cref="Edges"/> (sized to the vertices) from the rings' points, finds the bounding cap and each ring's
    /// reference point (winding the rings without a cap so their smaller side is on the left).
    /// </summary>
    private void Orient()
    {
        FillEdges(_rings, Edges);
        (_capCentre, _capCos, _capSin, _hasCap) = BoundingCap(Edges, Vertices);
        if (_hasCap)
        {
            // A point farther than π/2 from every edge is outside every ring: the reference for crossings.
            foreach (var r in _rings) r.SetReference(-_capCentre, inside: false);
        }
        else
        {
            foreach (var r in _rings) r.WindAndFindInside(Edges);
            FillEdges(_rings, Edges);
        }
    }

    /// <summary>Every ring's edges, ring after ring, into <paramref name="edges"/> (as many as the points); each ring keeps where its own start in it (<see cref="Ring.First"/>).</summary>
    private static void FillEdges(Ring[] rings, Edge[] edges)
    {
        int k = 0;
        for (int r = 0; r < rings.Length; r++)
        {
            var v = rings[r].Points;
            rings[r].First = k;
            rings[r].Owner = edges;
            for (int i = 0; i < v.Length; i++)
                edges[k++] = new Edge(v[i], v[i + 1 == v.Length ? 0 : i + 1], r);
        }
    }

    // A cap holding every edge (so the whole region, when its radius is under π/2).
    private Vec3 _capCentre;
    private double _capCos, _capSin;
    private bool _hasCap;

    /// <summary>
    /// False when a cell's circumscribed cap lies wholly outside the region's bounding cap, so
    /// the cell neither meets an edge nor lies inside; true otherwise (and for regions without one).
    /// </summary>
    internal bool MayMeet(in CellCap cell)
    {
        if (!_hasCap) return true;
        // Apart when the angle between the centres exceeds the sum of the radii (both under π/2).
        double cosSum = _capCos * cell.OuterCos - _capSin * cell.OuterSin;
        return _capCentre.Dot(cell.Centre) >= cosSum;
    }

    private static (Vec3, double, double, bool) BoundingCap(Edge[] edges, Vec3[] vertices)
    {
        Vec3 sum = default;
        foreach (var v in vertices) sum += v;
        if (sum.Length < 1e-6 * vertices.Length) return (default, -1, 0, false);
        Vec3 c = sum.Normalized();
        double minDot = 1;
        foreach (ref readonly var e in edges.AsSpan())
        {
            minDot = Math.Min(minDot, Math.Min(c.Dot(e.A), c.Dot(e.B)));
            // The point of the edge's great circle farthest from c, f = −(c − (c·n)n)/|…|, when the arc holds it: the
            // foot of −c within the arc. Its dot with c is −√(1 − (c·n)²), so neither f nor a root is needed otherwise.
            if (e.FootWithin(-c))
            {
                double cn = c.Dot(e.Normal);
                double planar = 1 - cn * cn;
                if (planar > 1e-24) minDot = Math.Min(minDot, -Math.Sqrt(planar));
            }
        }
        double r = Math.Acos(Math.Clamp(minDot, -1, 1)) * (1 + 1e-9) + 1e-12;
        if (r >= Math.PI / 2 - 1e-6) return (default, -1, 0, false);
        var (sin, cos) = Math.SinCos(r);
        return (c, cos, sin, true);
    }

    public int RingCount => _rings.Length;

    /// <summary>Whether the region lies within a cap under π/2 (<see cref="CapCentre"/>); false for one around a pole or wider.</summary>
    internal bool HasCap => _hasCap;

    /// <summary>The centre of the cap holding every edge, when <see cref="HasCap"/>.</summary>
    internal Vec3 CapCentre => _capCentre;

    /// <summary>Puts a geographic polygon on the sphere under a latitude convention.</summary>
    public static SphericalRegion FromGeo(GeoPolygon polygon, LatitudeConvention convention = LatitudeConvention.Authalic)
    {
        int ringCount = 0;
        for (int p = 0; p < polygon.Parts.Count; p++) ringCount += polygon.Parts[p].Count;
        var rings = new Ring[ringCount];
        var parts = new int[polygon.Parts.Count][];
        int next = 0;
        for (int p = 0; p < polygon.Parts.Count; p++)
        {
            var part = polygon.Parts[p];
            var indices = new int[part.Count];
            for (int r = 0; r < part.Count; r++)
            {
                var ring = part[r];
                var pts = new Vec3[ring.Count];
                int count = ToSphere(ring, convention, pts, p, r);
                if (count < pts.Length) Array.Resize(ref pts, count);
                Ring.CheckEdges(pts, p, r);
                indices[r] = next;
                rings[next++] = new Ring { Points = pts };
            }
            parts[p] = indices;
        }
        return new SphericalRegion(rings, parts);
    }

    /// <summary>
    /// <see cref="FromGeo"/> for a one-ring polygon of at most <see cref="ReusedVertices"/> positions (a granule's
    /// footprint), built into a region kept per thread and per vertex count, so covering footprint after footprint
    /// allocates no region: the region returned is valid until the thread's next call. Other polygons get
    /// <see cref="FromGeo"/>'s own region. Same points, edges, cap and references as <see cref="FromGeo"/>.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="FromGeo"/>.</exception>
    internal static SphericalRegion FromGeoReused(GeoPolygon polygon, LatitudeConvention convention)
    {
        if (polygon.Parts.Count != 1 || polygon.Parts[0].Count != 1 || polygon.Parts[0][0].Count > ReusedVertices)
            return FromGeo(polygon, convention);
        var ring = polygon.Parts[0][0];
        var scratch = t_points ??= new Vec3[ReusedVertices];
        int count = ToSphere(ring, convention, scratch, 0, 0);
        var points = scratch.AsSpan(0, count);
        Ring.CheckEdges(points, 0, 0);
        var kept = t_regions ??= new SphericalRegion?[ReusedVertices + 1];
        if (kept[count] is not { } region)
            return kept[count] = new SphericalRegion([new Ring { Points = points.ToArray() }], [[0]]);
        points.CopyTo(region._rings[0].Points);
        region.Orient();
        return region;
    }

    /// <summary>The most positions of a ring that <see cref="FromGeoReused"/> builds into a kept region.</summary>
    internal const int ReusedVertices = 256;

    [ThreadStatic] private static Vec3[]? t_points;
    [ThreadStatic] private static SphericalRegion?[]? t_regions;

    /// <summary>A ring's positions on the sphere, repeated ones and the closing one dropped; how many were written.</summary>
    private static int ToSphere(IReadOnlyList<GeoPoint> ring, LatitudeConvention convention, Span<Vec3> pts, int p, int r)
    {
        ReadOnlySpan<GeoPoint> positions = ring switch
        {
            GeoPoint[] array => array,
            List<GeoPoint> list => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list),
            _ => Copy(ring),
        };
        var all = pts[..positions.Length];
        GeoGrid.ToSphere(positions, all, convention);
        int count = 0;
        for (int i = 0; i < all.Length; i++)
        {
            var v = all[i];
            if (count == 0 || Distinct(v, pts[count - 1])) pts[count++] = v;
        }
        if (count > 1 && !Distinct(pts[0], pts[count - 1])) count--;
        if (count < 3)
            throw new ArgumentException($"part {p} ring {r} has {count} distinct positions; a ring needs at least 3");
        return count;
    }

    private static GeoPoint[] Copy(IReadOnlyList<GeoPoint> ring)
    {
        var copy = new GeoPoint[ring.Count];
        for (int i = 0; i < copy.Length; i++) copy[i] = ring[i];
        return copy;
    }

    private static bool Distinct(Vec3 a, Vec3 b)
    {
        Vec3 d = a - b;
        return d.Dot(d) > 1e-30;
    }

    /// <summary>Whether a direction lies inside the region.</summary>
    public bool Contains(Vec3 p)
    {
        Span<bool> inside = _rings.Length <= 256 ? stackalloc bool[_rings.Length] : new bool[_rings.Length];
        for (int r = 0; r < _rings.Length; r++) inside[r] = _rings[r].Contains(p);
        return Combine(inside);
    }

    /// <summary>Whether a geographic position lies inside the region.</summary>
    public bool Contains(GeoPoint p, LatitudeConvention convention = LatitudeConvention.Authalic)
        => Contains(GeoGrid.ToSphere(p, convention));

    /// <summary>Ring-by-ring containment of a direction, for the coverage walk.</summary>
    internal void RingStates(Vec3 p, Span<bool> inside)
    {
        for (int r = 0; r < _rings.Length; r++) inside[r] = _rings[r].Contains(p);
    }

    /// <summary>Parts combined: inside some exterior and none of its holes.</summary>
    internal bool Combine(ReadOnlySpan<bool> ringInside)
    {
        foreach (var part in _parts)
        {
            if (!ringInside[part[0]]) continue;
            bool inHole = false;
            for (int h = 1; h < part.Length && !inHole; h++) inHole = ringInside[part[h]];
            if (!inHole) return true;
        }
        return false;
    }

    /// <summary>A directed great-circle arc (shorter than π) with its unit normal a×b/|a×b|.</summary>
    internal readonly struct Edge
    {
        public readonly Vec3 A, B, Normal;
        private readonly Vec3 _afterA, _beforeB; // normals of the planes through the pole of the arc and a, b
        public readonly int Ring;

        public Edge(Vec3 a, Vec3 b, int ring)
        {
            A = a;
            B = b;
            Normal = (a + b).Cross(b - a).Normalized(); // = 2·a×b, without the cancellation of a×b for close points
            _afterA = Normal.Cross(a);
            _beforeB = b.Cross(Normal);
            Ring = ring;
        }

        /// <summary>The angle from p to the nearest point of the arc.</summary>
        public double DistanceTo(Vec3 p)
        {
            // The foot of p on the great circle lies within the arc when p is on a's far side of
            // the plane through a and the pole and on b's near side of the one through b.
            if (FootWithin(p))
                return Math.Asin(Math.Min(1.0, Math.Abs(p.Dot(Normal))));
            return Math.Min(p.AngleTo(A), p.AngleTo(B));
        }

        /// <summary>
        /// Whether the arc comes within a cap of angular radius r around p, given sin r and
        /// cos r (r &lt; π/2): no inverse trigonometry, for the coverage walk's inner loop.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Reaches(Vec3 p, double sinRadius, double cosRadius) => Reaches(p, sinRadius, cosRadius, out _);

        /// <summary>
        /// <see cref="Reaches(Vec3, double, double)"/>, also giving p·n (the sine of p's signed angle to the arc's
        /// great circle, positive on its left) for the walk's crossing prefilter.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Reaches(Vec3 p, double sinRadius, double cosRadius, out double side)
        {
            // Every point of the arc is at least asin|p·n| from p: a far great circle ends the test.
            side = p.Dot(Normal);
            if (Math.Abs(side) > sinRadius) return false;
            if (p.Dot(A) >= cosRadius || p.Dot(B) >= cosRadius) return true;
            return FootWithin(p) && p.Dot(A + B) > 0;
        }

        /// <summary>Whether the foot of p on the arc's great circle lies within the arc (between the planes through the arc's pole and each end).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool FootWithin(Vec3 p) => p.Dot(_afterA) >= 0 && p.Dot(_beforeB) >= 0;
    }

    /// <summary>
    /// Whether the arcs a→b and c→d (each shorter than π) cross. A point exactly on the other
    /// arc's great circle counts as lying on its right, the same way in every test, so a vertex
    /// on the path between two points is counted once or twice as if moved off it, never lost.
    /// </summary>
    internal static bool Crosses(Vec3 a, Vec3 b, Vec3 c, Vec3 d)
    {
        int acb = -Side(Orientation(a, b, c));
        int bda = Side(Orientation(a, b, d));
        if (acb != bda) return false;
        int cbd = -Side(Orientation(c, d, b));
        int dac = Side(Orientation(c, d, a));
        return acb == cbd && acb == dac;
    }

    private static int Side(double orientation) => orientation > 0 ? 1 : -1;

    /// <summary>
    /// det(a, b, c) = (a×b)·c: positive when c is left of the arc a→b. Evaluated as
    /// a·((b−a)×(c−a)), whose differences are exact for nearby points, so the sign stays right
    /// for points 1e-9 rad apart where the direct form is rounding noise.
    /// </summary>
    internal static double Orientation(Vec3 a, Vec3 b, Vec3 c) => a.Dot((b - a).Cross(c - a));

    /// <summary>How many edges of a list the arc p→q crosses (q need not be within π of p).</summary>
    internal static int CountCrossings(Vec3 p, Vec3 q, ReadOnlySpan<Edge> edges, int ring = -1)
    {
        if (p.AngleTo(q) > Math.PI - 1e-6)
        {
            // Nearly antipodal: go through a point a quarter turn away from both.
            Vec3 w = Perpendicular(p);
            return CountCrossings(p, w, edges, ring) + CountCrossings(w, q, edges, ring);
        }
        int n = 0;
        foreach (ref readonly var e in edges)
            if ((ring < 0 || e.Ring == ring) && Crosses(p, q, e.A, e.B)) n++;
        return n;
    }

    private static Vec3 Perpendicular(Vec3 p)
    {
        Vec3 axis = Math.Abs(p.X) < 0.6 ? new Vec3(1, 0, 0) : new Vec3(0, 1, 0);
        return p.Cross(axis).Normalized();
    }

    private sealed class Ring
    {
        public required Vec3[] Points;
        public Edge[] Owner = [];       // the region's edges; this ring's are Points.Length of them from First
        public int First;
        private Vec3 _reference;        // a point whose side of the ring is known
        private bool _referenceInside;

        private ReadOnlySpan<Edge> Edges => Owner.AsSpan(First, Points.Length);

        public bool Contains(Vec3 p) => ((CountCrossings(p, _reference, Edges) & 1) == 0) == _referenceInside;

        public void SetReference(Vec3 point, bool inside)
        {
            _reference = point;
            _referenceInside = inside;
        }

        /// <summary>Throws when two consecutive positions are antipodal (the edge between them is undefined).</summary>
        public static void CheckEdges(ReadOnlySpan<Vec3> pts, int part, int ring)
        {
            for (int i = 0; i < pts.Length; i++)
            {
                Vec3 sum = pts[i] + pts[(i + 1) % pts.Length];
                if (sum.Dot(sum) <= 1e-24)
                    throw new ArgumentException($"part {part} ring {ring}: positions {i} and {(i + 1) % pts.Length} are antipodal, so the edge between them is undefined");
            }
        }

        /// <summary>For rings not within a hemisphere's cap: wind so the smaller side is on the left, and take a point just inside.</summary>
        public void WindAndFindInside(Edge[] regionEdges)
        {
            // Area to the left of the ring = 2π − Σ turning angles; wind so the smaller side is on the left.
            var edges = regionEdges.AsSpan(First, Points.Length);
            Edge[]? reversed = null;
            if (LeftArea(Points) > 2 * Math.PI)
            {
                Array.Reverse(Points);
                reversed = new Edge[Points.Length];
                for (int i = 0; i < Points.Length; i++) reversed[i] = new Edge(Points[i], Points[(i + 1) % Points.Length], 0);
                edges = reversed;
            }
            SetReference(PointLeftOf(edges), inside: true);
        }

        private static double LeftArea(Vec3[] v)
        {
            double turning = 0;
            int n = v.Length;
            for (int i = 0; i < n; i++)
            {
                Vec3 a = v[(i + n - 1) % n], b = v[i], c = v[(i + 1) % n];
                Vec3 n1 = a.Cross(b), n2 = b.Cross(c);
                turning += Math.Atan2(n1.Cross(n2).Dot(b), n1.Dot(n2));
            }
            return 2 * Math.PI - turning;
        }

        /// <summary>A point just left of the middle of the longest edge, closer to it than to any other edge.</summary>
        private static Vec3 PointLeftOf(ReadOnlySpan<Edge> edges)
        {
            int best = 0;
            double longest = 0;
            for (int i = 0; i < edges.Length; i++)
            {
                double len = edges[i].A.AngleTo(edges[i].B);
                if (len > longest) { longest = len; best = i; }
            }
            var e = edges[best];
            Vec3 mid = (e.A + e.B).Normalized();
            double clearance = longest / 4;
            for (int i = 0; i < edges.Length; i++)
                if (i != best) clearance = Math.Min(clearance, edges[i].DistanceTo(mid));
            double offset = Math.Max(clearance / 4, 1e-14);
            return (mid + Math.Tan(offset) * e.Normal).Normalized();
        }
    }
}
