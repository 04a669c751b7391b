using Xunit;
using Zagg.Hdf5.Filters;

namespace Zagg.Hdf5.Tests;

public class ShuffleTests
{
    [Theory]
    [InlineData(8, 1000)]
    [InlineData(8, 17)]
    [InlineData(8, 16)]
    [InlineData(4, 1003)]
    [InlineData(2, 99)]
    [InlineData(3, 50)]
    [InlineData(8, 5)]
    public void Unshuffle_inverts_the_shuffle_for_every_size_and_tail(int size, int elements)
    {
        var rng = new Random(size * 1000 + elements);
        var raw = new byte[size * elements + size - 1]; // bytes past the last whole element stay as they are
        rng.NextBytes(raw);
        var shuffled = new byte[raw.Length];
        for (int i = 0; i < elements; i++)
            for (int b = 0; b < size; b++) shuffled[b * elements + i] = raw[i * size + b];
        raw.AsSpan(size * elements).CopyTo(shuffled.AsSpan(size * elements));
        var back = new byte[raw.Length];
        FilterPipeline.Unshuffle(shuffled, back, size);
        Assert.Equal(raw, back);
    }
}
