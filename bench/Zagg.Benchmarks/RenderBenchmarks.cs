using BenchmarkDotNet.Attributes;
using Zagg.Grid;
using Zagg.Maps;
using Zagg.Maps.Projections;

namespace Zagg.Benchmarks;

/// <summary>
/// zagg render's rasterizer on the case: Antarctica at 2 km (2 600 × 2 600 pixels over ±2 600 km of
/// EPSG:3031) from an order-12 store holding every cell of the order-6 parents centred south of 60°S (13.4 million cells, a value each).
/// Target: under 2 s on the machine's cores.
/// </summary>
[MemoryDiagnoser]
public class RenderBenchmarks
{
    private CellValues _values = null!;
    private MapGrid _grid = null!;
    private float[] _raster = [];

    [GlobalSetup]
    public void Setup()
    {
        (_values, _grid) = Continent();
        _raster = new float[_grid.Width * _grid.Height];
    }

    /// <summary>Every order-12 cell whose centre is south of 60°S, valued by its id; the raster of the continent at 2 km.</summary>
    public static (CellValues Values, MapGrid Grid) Continent()
    {
        const int order = 12, parentOrder = 6;
        var cells = new List<long>();
        // The southern base cells 8–11 hold every cell south of 41.8°S: keep the children of the order-6 cells centred south of 60°S.
        int shift = 2 * (order - parentOrder);
        for (long p = 8L << (2 * parentOrder); p < 12L << (2 * parentOrder); p++)
            if (GeoGrid.Centre(p, parentOrder).Latitude < -60)
                for (long c = p << shift; c < (p + 1) << shift; c++) cells.Add(c);
        var ids = cells.ToArray();
        var values = new float[ids.Length];
        for (int i = 0; i < ids.Length; i++) values[i] = ids[i] % 1000;
        var grid = MapGrid.Create(MapProjection.South, new MapBox(-2_600_000, -2_600_000, 2_600_000, 2_600_000), 2000);
        return (new CellValues(order, ids, values), grid);
    }

    [Benchmark(Description = "rasterize 2600×2600 px of EPSG:3031 from 13.4 M order-12 cells")]
    public void Rasterize() => Rasterizer.Rasterize(_grid, _values, LatitudeConvention.Authalic, _raster);
}
