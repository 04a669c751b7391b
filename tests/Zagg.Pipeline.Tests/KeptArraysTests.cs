using Xunit;
using Zagg.Pipeline.Aggregation;

namespace Zagg.Pipeline.Tests;

/// <summary>Arrays given back are kept within one byte budget for all element types, and given to a request they fit closely.</summary>
public class KeptArraysTests
{
    [Fact]
    public void A_kept_array_serves_a_request_of_at_least_half_its_length_the_shortest_first()
    {
        var kept = new KeptArrays(1 << 20);
        var long1000 = new int[1000];
        var long600 = new int[600];
        kept.Put(long1000);
        kept.Put(long600);
        Assert.Equal(1600 * sizeof(int), kept.KeptNow);
        Assert.Null(kept.Take<int>(1001)); // none long enough
        Assert.Null(kept.Take<int>(299)); // both more than twice as long
        Assert.Null(kept.Take<float>(600)); // another element type
        Assert.Same(long600, kept.Take<int>(500)); // the shortest that fits
        Assert.Same(long1000, kept.Take<int>(500));
        Assert.Null(kept.Take<int>(500));
        Assert.Equal(0, kept.KeptNow);
    }

    [Fact]
    public void The_budget_holds_for_all_element_types_together()
    {
        var kept = new KeptArrays(1000);
        kept.Put(new byte[600]);
        kept.Put(new double[50]); // 400 bytes: 1000 in all
        kept.Put(new byte[1]); // over the budget: left to the collector
        Assert.Equal(1000, kept.KeptNow);
        Assert.Null(kept.Take<byte>(1));
        Assert.NotNull(kept.Take<double>(50));
        kept.Put(new byte[1]);
        Assert.Equal(601, kept.KeptNow);
    }

    [Fact]
    public async Task Many_threads_putting_and_taking_never_pass_the_budget_nor_give_one_array_twice()
    {
        var kept = new KeptArrays(64 * 1024);
        var taken = new System.Collections.Concurrent.ConcurrentDictionary<int[], int>(ReferenceEqualityComparer.Instance);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (int i = 0; i < 2000; i++)
            {
                var a = kept.Take<int>(1000) ?? new int[1000 + (i % 7) * 100];
                Assert.True(taken.TryAdd(a, t), "an array given to two takers at once");
                Assert.InRange(kept.KeptNow, 0, kept.Budget);
                taken.TryRemove(a, out _);
                kept.Put(a);
            }
        })));
        Assert.InRange(kept.KeptNow, 0, kept.Budget);
    }
}
