using System.Numerics;
using Xunit;
using Zagg.Hdf5.Format;

namespace Zagg.Hdf5.Tests;

/// <summary>The size checks' 64-bit arithmetic against exact integers (<see cref="BigInteger"/>), capped at 2^64 − 1.</summary>
public class SaturatingTests
{
    private static readonly ulong[] Edges =
    [
        0, 1, 2, 3, 255, 4096, uint.MaxValue - 1UL, uint.MaxValue, 1UL << 32, (1UL << 32) + 1, 1UL << 48, 1UL << 62,
        (1UL << 63) - 1, 1UL << 63, (1UL << 63) + 1, ulong.MaxValue - 1, ulong.MaxValue,
    ];

    private static readonly BigInteger Cap = ulong.MaxValue;

    private static IEnumerable<(ulong A, ulong B)> Pairs()
    {
        foreach (ulong a in Edges)
            foreach (ulong b in Edges) yield return (a, b);
        var rng = new Random(64);
        for (int i = 0; i < 20_000; i++)
        {
            // Random widths, so that products fall on both sides of 2^64 as often as not.
            ulong a = (ulong)rng.NextInt64() >> rng.Next(64), b = (ulong)rng.NextInt64() >> rng.Next(64);
            yield return (a, b);
        }
    }

    [Fact]
    public void Products_are_exact_below_two_to_the_64_and_capped_from_there()
    {
        foreach (var (a, b) in Pairs())
            Assert.Equal((ulong)BigInteger.Min(new BigInteger(a) * b, Cap), Saturating.Multiply(a, b));
    }

    [Fact]
    public void Sums_are_exact_below_two_to_the_64_and_capped_from_there()
    {
        foreach (var (a, b) in Pairs())
            Assert.Equal((ulong)BigInteger.Min(new BigInteger(a) + b, Cap), Saturating.Add(a, b));
    }
}
