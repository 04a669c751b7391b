using FsCheck;
using FsCheck.Fluent;
using Xunit;
using Zagg.Pipeline.Aggregation;

namespace Zagg.Pipeline.Tests;

/// <summary>
/// The pyramid's sort by value (<see cref="ValueOrder{TItem}"/>) and the sketch made from it
/// (<see cref="QuantileSketch.OfSorted"/>): the same order statistics as a sort, the same sketch bytes as
/// <see cref="QuantileSketch.Of"/> (FsCheck).
/// </summary>
public class ValueOrderTests
{
    private static readonly FsCheck.Config Checks = FsCheck.Config.QuickThrowOnFailure.WithMaxTest(300);

    /// <summary>Heights-like values with repeats, infinities and, now and then, NaN of either sign.</summary>
    private static Gen<float[]> Values =>
        from n in Gen.Elements(0, 1, 7, 1023, 1024, 1025, 2049, 5000).SelectMany(m => Gen.Choose(m, m + 3))
        from raw in Gen.ArrayOf(Gen.Choose(-400_000, 400_000), n)
        from special in Gen.ArrayOf(Gen.Choose(0, 60), n)
        select raw.Select((r, i) => special[i] switch
        {
            0 => float.NaN,
            1 => -float.NaN,
            2 => float.PositiveInfinity,
            3 => float.NegativeInfinity,
            < 15 => 1500f,
            _ => 1500f + r / 97f,
        }).ToArray();

    [Fact]
    public void A_sketch_of_sorted_values_has_the_bytes_of_a_sketch_of_the_values()
        => Prop.ForAll(Values.ToArbitrary(), x =>
        {
            var values = x.Select(v => (double)v).ToArray();
            var sorted = values.Where(v => !double.IsNaN(v)).Order().ToArray();
            foreach (int k in new[] { 8, QuantileSketch.DefaultK })
                Assert.Equal(QuantileSketch.Of(values, k).ToBytes(), QuantileSketch.OfSorted(sorted.ToArray(), values.Length - sorted.Length, k).ToBytes());
        }).Check(Checks);

    [Fact]
    public void Coarse_cells_get_the_order_statistics_numpy_gives_and_the_parent_its_sketch()
        => Prop.ForAll(Gen.Zip(Values, Gen.Choose(0, int.MaxValue)).ToArbitrary(), t =>
        {
            var (x, seed) = t;
            var random = new Random(seed);
            // 16 children at depth 2 below the parent, with points at random (some without).
            const int children = 16;
            var child = x.Select(_ => random.Next(children)).ToArray();
            var start = new int[children + 1];
            foreach (int c in child) start[c + 1]++;
            for (int c = 0; c < children; c++) start[c + 1] += start[c];
            var cursor = start[..children].ToArray();
            var byChild = new float[x.Length];
            for (int i = 0; i < x.Length; i++) byChild[cursor[child[i]]++] = x[i];
            var items = CellBuffers.Rent<ulong>(x.Length);
            var counts = new int[ValueOrder<ulong>.HistogramLength];
            for (int c = 0; c < children; c++)
                for (int i = start[c]; i < start[c + 1]; i++) ValueOrder<ulong>.Count(items[i] = ValueOrder<ulong>.Item(byChild[i], c), counts);
            using var order = new ValueOrder<ulong>(items, x.Length, counts);
            foreach (var (cells, shift) in new[] { (1, 4), (4, 2), (16, 0) })
            {
                var coarse = new int[cells + 1];
                for (int j = 0; j <= cells; j++) coarse[j] = start[j << shift];
                var results = new[] { new double[cells], new double[cells], new double[cells] };
                order.Quantiles(coarse, shift, [(0, 0.25), (1, null), (2, 0.9)], results);
                for (int j = 0; j < cells; j++)
                {
                    var cell = byChild[coarse[j]..coarse[j + 1]].Select(v => (double)v).ToArray();
                    if (cell.Length == 0) continue;
                    Assert.Equal(Statistics.Quantile(cell, 0.25), results[0][j]);
                    Assert.Equal(Statistics.Median(cell), results[1][j]);
                    Assert.Equal(Statistics.Quantile(cell, 0.9), results[2][j]);
                }
            }
            Assert.Equal(QuantileSketch.Of(byChild.Select(v => (double)v).ToArray()).ToBytes(), order.Sketch().ToBytes());
        }).Check(Checks);

    [Fact]
    public void Items_order_values_as_numbers_whatever_the_child_and_give_them_back()
    {
        double[] d = [double.NegativeInfinity, -1e300, -1, -double.Epsilon, 0, double.Epsilon, 2.5, 1e300, double.PositiveInfinity];
        for (int i = 0; i + 1 < d.Length; i++) Assert.True(ValueOrder<UInt128>.Item(d[i], 1 << 26) < ValueOrder<UInt128>.Item(d[i + 1], 0));
        foreach (double v in d) Assert.Equal(v, ValueOrder<UInt128>.Value(ValueOrder<UInt128>.Item(v, 12345)));
        float[] f = [float.NegativeInfinity, -3e38f, -1, -float.Epsilon, 0, float.Epsilon, 2.5f, 3e38f, float.PositiveInfinity];
        for (int i = 0; i + 1 < f.Length; i++) Assert.True(ValueOrder<ulong>.Item(f[i], 1 << 26) < ValueOrder<ulong>.Item(f[i + 1], 0));
        foreach (float v in f) Assert.Equal(v, ValueOrder<ulong>.Value(ValueOrder<ulong>.Item(v, 12345)));
    }

    [Fact]
    public void A_float64_column_sorts_as_a_float32_one()
    {
        var random = new Random(7);
        var x = Enumerable.Range(0, 3000).Select(_ => Math.Round(random.NextDouble() * 2000 - 500, 2)).ToArray();
        var child = x.Select(_ => random.Next(4)).Order().ToArray();
        var start = new int[5];
        foreach (int c in child) start[c + 1]++;
        for (int c = 0; c < 4; c++) start[c + 1] += start[c];
        var items = CellBuffers.Rent<UInt128>(x.Length);
        var counts = new int[ValueOrder<UInt128>.HistogramLength];
        for (int i = 0; i < x.Length; i++) ValueOrder<UInt128>.Count(items[i] = ValueOrder<UInt128>.Item(x[i], child[i]), counts);
        using var order = new ValueOrder<UInt128>(items, x.Length, counts);
        var results = new[] { new double[4] };
        order.Quantiles(start, 0, [(0, 0.75)], results);
        for (int c = 0; c < 4; c++) Assert.Equal(Statistics.Quantile(x[start[c]..start[c + 1]], 0.75), results[0][c]);
        Assert.Equal(QuantileSketch.Of(x).ToBytes(), order.Sketch().ToBytes());
    }
}
