using BenchmarkDotNet.Attributes;
using Zagg.Core.Aggregation;

namespace Zagg.Benchmarks;

/// <summary>
/// A child's three quantiles (q25, q50, q75 as in configs/atl06.yaml): one sort, or selection of just the
/// four order statistics they interpolate, each within what the previous one left above it.
/// </summary>
[MemoryDiagnoser]
public class QuantileBenchmarks
{
    private static readonly double[] Qs = [0.25, 0.5, 0.75];
    private double[] _values = [];
    private double[] _work = [];

    /// <summary>Points in the child (the e2e catalog averages ~110, up to thousands near the pole).</summary>
    [Params(100, 1000, 10000)]
    public int N;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(20261121);
        _values = Enumerable.Range(0, N).Select(_ => 1500 + random.NextDouble() * 200).ToArray();
        _work = new double[N];
    }

    [Benchmark(Baseline = true)]
    public double Sort()
    {
        _values.CopyTo(_work, 0);
        _work.AsSpan().Sort();
        double sum = 0;
        foreach (double q in Qs) sum += Statistics.QuantileOfSorted(_work, q);
        return sum;
    }

    [Benchmark]
    public double Select()
    {
        _values.CopyTo(_work, 0);
        double sum = 0;
        int from = 0;
        foreach (double q in Qs)
        {
            var (below, above, gamma) = Statistics.QuantileRanks(N, q);
            Statistics.Select(_work, from, N, below);
            double low = _work[below];
            if (above != below) Statistics.Select(_work, below + 1, N, above);
            sum += Statistics.QuantileOf(low, _work[above], gamma);
            from = above + 1;
        }
        return sum;
    }
}
