using System.Runtime.InteropServices;
using Zagg.Grid;
using Zagg.Grid.Geometry;

namespace Zagg.Pipeline.Catalogs;

/// <summary>
/// Granules ↔ parent cells: which granules' footprints meet each parent cell of an area of
/// interest, found through the cells covering each footprint (no granule × cell tests).
/// </summary>
public static class CatalogMapping
{
    /// <summary>
    /// For every parent cell of <paramref name="aoiCells"/> that some footprint meets: its morton
    /// word and the indices (into <paramref name="footprints"/>, ascending) of the granules whose
    /// footprints meet it. Cells come in increasing NESTED order, like
    /// <see cref="GranuleCatalog.FromFilesAsync"/>. Footprints are covered in parallel.
    /// </summary>
    /// <param name="footprints">One footprint per granule; an empty one meets no cell.</param>
    /// <param name="aoiCells">The area of interest's cells at <paramref name="parentOrder"/>.</param>
    /// <param name="parentOrder">The catalog's parent order, 1–18 (morton words).</param>
    /// <param name="convention">How latitudes are put on the sphere (the grid's).</param>
    /// <param name="maxDegreeOfParallelism">Cores to use; −1 (the default) for all of them.</param>
    /// <exception cref="ArgumentOutOfRangeException">A parent order outside 1–18.</exception>
    /// <exception cref="ArgumentException">The AOI's cells are of another order, or a footprint has a ring or segment that is not one (the message names the footprint's index).</exception>
    public static IReadOnlyList<(long Morton, int[] Granules)> Map(
        IReadOnlyList<GeoFootprint> footprints, CellRanges aoiCells, int parentOrder, LatitudeConvention convention = LatitudeConvention.Authalic,
        int maxDegreeOfParallelism = -1)
    {
        ArgumentNullException.ThrowIfNull(footprints);
        ArgumentNullException.ThrowIfNull(aoiCells);
        if (parentOrder < Morton.MinOrder || parentOrder > Morton.MaxOrder)
            throw new ArgumentOutOfRangeException(nameof(parentOrder), parentOrder, $"parent orders are {Morton.MinOrder}–{Morton.MaxOrder} (morton words)");
        if (aoiCells.Order != parentOrder)
            throw new ArgumentException($"the area's cells are of order {aoiCells.Order}, the parent order is {parentOrder}", nameof(aoiCells));

        // Each granule's cells kept as a slice of a thread's run chunks: no object per granule for the collector to
        // promote and mark while the rest are covered.
        var perGranule = new RunSlice[footprints.Count];
        bool wholeSphere = aoiCells.Count == HealpixNested.CellCount(parentOrder); // nothing to cut away
        var errors = new Exception?[footprints.Count];
        // Covered in a spatial order (by the cells of a first and a middle position), so consecutive footprints read the
        // same cells' outlines and caps while the processor's caches still hold them; the result does not depend on it.
        int[] order = SpatialOrder(footprints, convention);
        Parallel.For(0, footprints.Count, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, () => new RunChunks(),
            (position, _, chunks) =>
            {
                int i = order[position];
                try
                {
                    var cells = FootprintCoverage.Cover(footprints[i], parentOrder, convention);
                    perGranule[i] = chunks.Add((wholeSphere ? cells : cells.Intersect(aoiCells)).RunSpan);
                }
                catch (ArgumentException e) { errors[i] = e; }
                return chunks;
            },
            _ => { });
        for (int i = 0; i < errors.Length; i++)
            if (errors[i] is { } e) throw new ArgumentException($"footprint {i}: {e.Message}", nameof(footprints), e);

        return HealpixNested.CellCount(parentOrder) <= DenseCellLimit ? InvertDense(perGranule, parentOrder) : InvertSparse(perGranule, parentOrder);
    }

    /// <summary>A granule's cells: <see cref="Length"/> runs of a shared chunk from <see cref="Offset"/>.</summary>
    internal readonly record struct RunSlice((long Start, long Count)[] Chunk, int Offset, int Length)
    {
        public RunSlice((long Start, long Count)[] runs) : this(runs, 0, runs.Length) { }

        public ReadOnlySpan<(long Start, long Count)> Runs => new(Chunk, Offset, Length);
    }

    /// <summary>One thread's run storage: chunks growing from 1,024 to 65,536 runs, filled one after the other.</summary>
    private sealed class RunChunks
    {
        private (long Start, long Count)[] _chunk = [];
        private int _used;

        public RunSlice Add(ReadOnlySpan<(long Start, long Count)> runs)
        {
            if (_used + runs.Length > _chunk.Length)
            {
                _chunk = new (long, long)[Math.Max(runs.Length, Math.Clamp(2 * _chunk.Length, 1 << 10, 1 << 16))];
                _used = 0;
            }
            runs.CopyTo(_chunk.AsSpan(_used));
            var slice = new RunSlice(_chunk, _used, runs.Length);
            _used += runs.Length;
            return slice;
        }
    }

    /// <summary>The HEALPix order of <see cref="SpatialOrder"/>'s key: 3,072 cells, a few hundred kilometres across.</summary>
    private const int SortOrder = 4;

    /// <summary>
    /// The footprints' indices sorted by the NESTED cell (at <see cref="SortOrder"/>) of each one's first position
    /// (its first polygon's, else its first line's, box's south-west corner, or point), then by the cell of its first
    /// ring's middle position; empty footprints first.
    /// </summary>
    internal static int[] SpatialOrder(IReadOnlyList<GeoFootprint> footprints, LatitudeConvention convention)
    {
        var keys = new long[footprints.Count];
        var indices = new int[footprints.Count];
        for (int i = 0; i < keys.Length; i++)
        {
            indices[i] = i;
            keys[i] = Key(footprints[i], convention);
        }
        Array.Sort(keys, indices);
        return indices;
    }

    /// <summary>
    /// The cell of the footprint's first position, then (low bits) the cell of its first ring's middle position, so
    /// that footprints leaving one cell are grouped by where they go (a granule's band leaves it one of two ways).
    /// </summary>
    private static long Key(GeoFootprint footprint, LatitudeConvention convention)
    {
        if (FirstPosition(footprint) is not { } first) return -1;
        long start = GeoGrid.Locate(first.Latitude, first.Longitude, SortOrder, convention);
        GeoPoint middle = first;
        if (footprint.Polygons.Count > 0 && footprint.Polygons[0].Parts[0] is { Count: > 0 } rings && rings[0].Count > 0)
            middle = rings[0][rings[0].Count / 2];
        return (start << 12) | GeoGrid.Locate(middle.Latitude, middle.Longitude, SortOrder, convention);
    }

    private static GeoPoint? FirstPosition(GeoFootprint footprint)
    {
        var polygons = footprint.Polygons;
        for (int i = 0; i < polygons.Count; i++)
        {
            var parts = polygons[i].Parts;
            for (int p = 0; p < parts.Count; p++)
                if (parts[p].Count > 0 && parts[p][0].Count > 0) return parts[p][0][0];
        }
        if (footprint.Lines.Count > 0) return footprint.Lines[0][0];
        if (footprint.Boxes.Count > 0) return new GeoPoint(footprint.Boxes[0].South, footprint.Boxes[0].West);
        if (footprint.Points.Count > 0) return footprint.Points[0];
        return null;
    }

    /// <summary>Orders with at most this many cells (order 9: 3.1 M) are inverted through arrays indexed by NESTED cell.</summary>
    private const long DenseCellLimit = 1L << 22;

    /// <summary>
    /// Cell → granules through one count per cell of the order: counts, then offsets (a prefix sum), then the
    /// granule indices filled in granule order, so each cell's list is ascending without sorting.
    /// </summary>
    internal static (long, int[])[] InvertDense(RunSlice[] perGranule, int parentOrder)
    {
        var counts = new int[HealpixNested.CellCount(parentOrder)];
        int cells = 0;
        foreach (var granuleCells in perGranule)
            foreach (var (start, count) in granuleCells.Runs)
                for (long c = start; c < start + count; c++)
                    if (counts[c]++ == 0) cells++;
        var lists = new int[counts.Length][];
        var result = new (long, int[])[cells];
        int k = 0;
        for (long c = 0; c < counts.Length; c++)
        {
            if (counts[c] == 0) continue;
            var list = new int[counts[c]];
            lists[c] = list;
            result[k++] = (Morton.FromNestedUnchecked(c, parentOrder), list);
            counts[c] = 0; // from here on: how many of the list are filled
        }
        for (int g = 0; g < perGranule.Length; g++)
            foreach (var (start, count) in perGranule[g].Runs)
                for (long c = start; c < start + count; c++)
                    lists[c][counts[c]++] = g;
        return result;
    }

    /// <summary>Cell → granules through dictionaries keyed by NESTED cell, for the orders too fine for <see cref="InvertDense"/>.</summary>
    internal static (long, int[])[] InvertSparse(RunSlice[] perGranule, int parentOrder)
    {
        // Count the granules of each cell, then fill the lists in granule order (so each list is ascending).
        var counts = new Dictionary<long, int>();
        foreach (var cells in perGranule)
            foreach (var (start, count) in cells.Runs)
                for (long c = start; c < start + count; c++)
                    CollectionsMarshal.GetValueRefOrAddDefault(counts, c, out _)++;
        var keys = new long[counts.Count];
        counts.Keys.CopyTo(keys, 0);
        Array.Sort(keys);
        var lists = new Dictionary<long, (int[] Granules, int Filled)>(keys.Length);
        foreach (long k in keys) lists[k] = (new int[counts[k]], 0);
        for (int g = 0; g < perGranule.Length; g++)
            foreach (var (start, count) in perGranule[g].Runs)
                for (long c = start; c < start + count; c++)
                {
                    ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(lists, c);
                    entry.Granules[entry.Filled++] = g;
                }
        var result = new (long, int[])[keys.Length];
        for (int i = 0; i < keys.Length; i++)
            result[i] = (Morton.FromNestedUnchecked(keys[i], parentOrder), lists[keys[i]].Granules);
        return result;
    }
}
