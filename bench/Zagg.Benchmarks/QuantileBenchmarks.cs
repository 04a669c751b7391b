using BenchmarkDotNet.Attributes;
using Zagg.Pipeline.Aggregation;

namespace Zagg.Benchmarks;

/// <summary>
/// A child's three quantiles (q25, q50, q75 as in configs/atl06.yaml): one sort, or selection of just the
/// order statistics they interpolate (Statistics.SelectRanks, as CellAggregator does).
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
        Span<int> ranks = stackalloc int[2 * Qs.Length];
        for (int i = 0; i < Qs.Length; i++)
            (ranks[2 * i], ranks[2 * i + 1], _) = Statistics.QuantileRanks(N, Qs[i]);
        Statistics.SelectRanks(_work, ranks);
        double sum = 0;
        foreach (double q in Qs)
        {
            var (below, above, gamma) = Statistics.QuantileRanks(N, q);
            sum += Statistics.QuantileOf(_work[below], _work[above], gamma);
        }
        return sum;
    }
}
