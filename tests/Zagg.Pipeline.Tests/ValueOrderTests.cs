using FsCheck;
using FsCheck.Fluent;
using Xunit;
using Zagg.Pipeline.Aggregation;

namespace Zagg.Pipeline.Tests;

/// <summary>
/// The pyramid's sorts by value (<see cref="ValueOrder{T, TKey}"/>) and the sketch made from them
/// (<see cref="QuantileSketch.OfSorted(Span{double}, long, int)"/>): the same order statistics as a sort, the same sketch
/// bytes as <see cref="QuantileSketch.Of"/> (FsCheck).
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

    /// <summary>A copy of <paramref name="values"/> in an array from <see cref="CellBuffers"/> (the order takes it over and gives it back).</summary>
    private static T[] Pooled<T>(T[] values) where T : unmanaged
    {
        var array = CellBuffers.Rent<T>(values.Length);
        values.CopyTo(array, 0);
        return array;
    }

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
    public void A_sketch_of_sorted_float32_values_has_the_bytes_of_a_sketch_of_the_values()
        => Prop.ForAll(Values.ToArbitrary(), x =>
        {
            var sorted = x.Where(v => !float.IsNaN(v)).Order().ToArray();
            var work = new double[sorted.Length / 2];
            foreach (int k in new[] { 8, QuantileSketch.DefaultK })
                Assert.Equal(QuantileSketch.Of(x.Select(v => (double)v).ToArray(), k).ToBytes(), QuantileSketch.OfSorted(sorted, x.Length - sorted.Length, work, k).ToBytes());
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
            using var order = new ValueOrder<float, uint>(Pooled(byChild), x.Length);
            // Finest first, as the engine asks; each coarser cell's range then holds sorted runs already.
            foreach (var (cells, shift) in new[] { (16, 0), (4, 2), (1, 4) })
            {
                var coarse = new int[cells + 1];
                for (int j = 0; j <= cells; j++) coarse[j] = start[j << shift];
                var results = new[] { new double[cells], new double[cells], new double[cells] };
                order.Quantiles(coarse, [(0, 0.25), (1, null), (2, 0.9)], results);
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
            Assert.Throws<InvalidOperationException>(() => order.Sketch());
        }).Check(Checks);

    [Fact]
    public void Keys_order_values_as_numbers_and_give_them_back()
    {
        double[] d = [double.NegativeInfinity, -1e300, -1, -double.Epsilon, 0, double.Epsilon, 2.5, 1e300, double.PositiveInfinity];
        ulong DoubleKey(double v) => ValueOrder<double, ulong>.Key(BitConverter.DoubleToUInt64Bits(v));
        for (int i = 0; i + 1 < d.Length; i++) Assert.True(DoubleKey(d[i]) < DoubleKey(d[i + 1]));
        foreach (double v in d) Assert.Equal(v, ValueOrder<double, ulong>.Value(DoubleKey(v)));
        float[] f = [float.NegativeInfinity, -3e38f, -1, -float.Epsilon, 0, float.Epsilon, 2.5f, 3e38f, float.PositiveInfinity];
        uint SingleKey(float v) => ValueOrder<float, uint>.Key(BitConverter.SingleToUInt32Bits(v));
        for (int i = 0; i + 1 < f.Length; i++) Assert.True(SingleKey(f[i]) < SingleKey(f[i + 1]));
        foreach (float v in f) Assert.Equal(v, ValueOrder<float, uint>.Value(SingleKey(v)));
        // NaN of either sign keys below or above every number.
        Assert.True(SingleKey(-float.NaN) < SingleKey(float.NegativeInfinity) || SingleKey(-float.NaN) > SingleKey(float.PositiveInfinity));
        Assert.True(SingleKey(float.NaN) > SingleKey(float.PositiveInfinity) || SingleKey(float.NaN) < SingleKey(float.NegativeInfinity));
        Assert.Throws<ArgumentException>(() => new ValueOrder<float, ulong>([1f], 1));
    }

    /// <summary>
    /// The radix sort passes only over the bits below the highest one in which two keys differ: values that share their
    /// sign, their exponent and all but <c>width</c> low bits of their mantissa (every width, one value alone included)
    /// get NumPy's order statistics and the sketch of the values.
    /// </summary>
    [Fact]
    public void Values_differing_in_few_low_bits_sort_as_any_others()
        => Prop.ForAll(Gen.Zip(Gen.Choose(0, 52), Gen.Choose(0, int.MaxValue)).ToArbitrary(), t =>
        {
            var (width, seed) = t;
            var random = new Random(seed);
            int n = random.Next(1, 3000);
            int singleWidth = Math.Min(width, 23);
            uint singleBase = BitConverter.SingleToUInt32Bits(1500f) & ~(uint)((1L << singleWidth) - 1);
            var f = new float[n];
            for (int i = 0; i < n; i++) f[i] = BitConverter.UInt32BitsToSingle(singleBase | (uint)random.NextInt64(1L << singleWidth));
            ulong doubleBase = BitConverter.DoubleToUInt64Bits(-1500.0) & ~((1UL << width) - 1);
            var d = new double[n];
            for (int i = 0; i < n; i++) d[i] = BitConverter.UInt64BitsToDouble(doubleBase | (ulong)random.NextInt64(1L << width));
            int[] whole = [0, n];
            using (var order = new ValueOrder<float, uint>(Pooled(f), n))
            {
                var results = new[] { new double[1], new double[1], new double[1] };
                order.Quantiles(whole, [(0, 0.0), (1, null), (2, 0.9)], results);
                var x = f.Select(v => (double)v).ToArray();
                Assert.Equal(x.Min(), results[0][0]);
                Assert.Equal(Statistics.Median(x), results[1][0]);
                Assert.Equal(Statistics.Quantile(x, 0.9), results[2][0]);
                Assert.Equal(QuantileSketch.Of(x).ToBytes(), order.Sketch().ToBytes());
            }
            using (var order = new ValueOrder<double, ulong>(Pooled(d), n))
            {
                var results = new[] { new double[1], new double[1] };
                order.Quantiles(whole, [(0, 1.0), (1, 0.3)], results);
                Assert.Equal(d.Max(), results[0][0]);
                Assert.Equal(Statistics.Quantile(d, 0.3), results[1][0]);
                Assert.Equal(QuantileSketch.Of(d).ToBytes(), order.Sketch().ToBytes());
            }
        }).Check(Checks);

    [Fact]
    public void A_float64_column_sorts_as_a_float32_one()
    {
        var random = new Random(7);
        var x = Enumerable.Range(0, 3000).Select(_ => Math.Round(random.NextDouble() * 2000 - 500, 2)).ToArray();
        var child = x.Select(_ => random.Next(4)).Order().ToArray();
        var start = new int[5];
        foreach (int c in child) start[c + 1]++;
        for (int c = 0; c < 4; c++) start[c + 1] += start[c];
        using var order = new ValueOrder<double, ulong>(Pooled(x), x.Length);
        var results = new[] { new double[4] };
        order.Quantiles(start, [(0, 0.75)], results);
        for (int c = 0; c < 4; c++) Assert.Equal(Statistics.Quantile(x[start[c]..start[c + 1]], 0.75), results[0][c]);
        Assert.Equal(QuantileSketch.Of(x).ToBytes(), order.Sketch().ToBytes());
    }
}
