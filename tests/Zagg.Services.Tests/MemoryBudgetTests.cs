using Xunit;
using Zagg.Pipeline.Aggregation;
using Zagg.Pipeline.Config;
using Zagg.Runs;

namespace Zagg.Services.Tests;

/// <summary>The worker's memory budget: cells take turns when their arrays would not fit together, and a cell that can never fit is refused.</summary>
public class MemoryBudgetTests
{
    [Fact]
    public async Task A_reservation_waits_until_enough_is_given_back_first_come_first_served()
    {
        var budget = new MemoryBudget(100);
        var first = await budget.ReserveAsync(60);
        var second = budget.ReserveAsync(60);
        var third = budget.ReserveAsync(30);
        await Task.Delay(50);
        Assert.False(second.IsCompleted);
        Assert.False(third.IsCompleted); // 30 would fit, but it came after 60
        first.Dispose();
        first.Dispose(); // once only
        var s = await second.WaitAsync(TimeSpan.FromSeconds(5));
        var t = await third.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(budget.ReserveAsync(20).IsCompleted); // 90 held
        s.Dispose();
        t.Dispose();
    }

    [Fact]
    public async Task A_wait_can_be_cancelled_and_more_than_the_budget_is_refused()
    {
        var budget = new MemoryBudget(100);
        using var held = await budget.ReserveAsync(100);
        using var cts = new CancellationTokenSource();
        var waiting = budget.ReserveAsync(1, cts.Token);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.False(budget.Fits(101));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => budget.ReserveAsync(101));
    }

    [Fact]
    public void A_cell_s_arrays_grow_four_times_an_order()
    {
        using var s = typeof(ConfigLoader).Assembly.GetManifestResourceStream("Zagg.Configs.atl06.yaml")!;
        string yaml = new StreamReader(s).ReadToEnd();
        long Bytes(int childOrder, string orders = "")
        {
            var config = ConfigLoader.Parse(yaml.Replace("child_order: 12}", $"child_order: {childOrder}{orders}}}"), "atl06.yaml");
            return new CellAggregator(config, parentOrder: 6).ChildArraysBytes;
        }
        // The built-in configuration: 9 variables (8 float32, 1 int32), so (20 + 9 × 16 + 36) × 3/2 = 300 bytes a child.
        Assert.Equal(300L * 4096, Bytes(12));
        Assert.Equal(4 * Bytes(12), Bytes(13));
        Assert.True(Bytes(12, ", orders: [4, 8, 12]") > Bytes(12));
        Assert.True(Bytes(19) > 18L << 30); // 13 orders below the parent: ~20 GB for one cell
    }
}
