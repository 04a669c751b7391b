using System.Buffers.Binary;
using Xunit;
using Zagg.Pipeline.Aggregation;
using Zagg.Pipeline.Config;
using Zagg.Pipeline.Output;
using Zagg.Zarr;

namespace Zagg.Pipeline.Tests;

/// <summary>The pooled arrays cells' chunks are written from (<see cref="ChunkBuffers"/>).</summary>
public class ChunkBuffersTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(24)]
    [InlineData(256)]
    [InlineData(4096 * 4)]
    [InlineData(4096 * 8)]
    [InlineData(1 << 22)]
    public void An_array_of_exactly_the_length_asked_pooled_or_not(int length)
    {
        for (int round = 0; round < 2; round++)
        {
            var array = ChunkBuffers.Rent(length);
            Assert.Equal(length, array.Length);
            ChunkBuffers.Return(array); // a length the pool does not keep is left to the collector
        }
    }

    [Fact]
    public void A_chunk_written_into_a_reused_array_holds_the_fill_where_the_last_cell_had_values()
    {
        var variable = new VariableConfig("h_mean", "average", "h_li", new Dictionary<string, Expr>(), null, ZarrDataType.Float32, null);
        var cast = new OutputCast(variable);
        // 64 children, every one with a point: every element written.
        var full = Enumerable.Range(0, 65).ToArray();
        var values = Enumerable.Range(0, 64).Select(c => c + 0.5).ToArray();
        var first = new CellAggregation(null!, new Dictionary<string, byte[]> { ["h_mean"] = cast.Write(values, full) });
        first.ReleaseChunks();
        // Then a cell whose only point is in child 0: the others are NaN (the float fill), whatever the array held.
        var one = new int[65];
        Array.Fill(one, 1, 1, 64);
        for (int round = 0; round < 4; round++)
        {
            var chunk = cast.Write(values, one);
            Assert.Equal(0.5f, BinaryPrimitives.ReadSingleLittleEndian(chunk));
            for (int c = 1; c < 64; c++) Assert.True(float.IsNaN(BinaryPrimitives.ReadSingleLittleEndian(chunk.AsSpan(4 * c))), $"child {c}");
            ChunkBuffers.Return(chunk);
        }
    }

    [Fact]
    public void A_value_that_does_not_fit_names_its_child_or_the_cell_it_is_told()
    {
        var cast = new OutputCast(new VariableConfig("c", "len", "h_li", new Dictionary<string, Expr>(), null, ZarrDataType.Int16, null));
        var child = Assert.Throws<Zagg.Zarr.ZarrException>(() => cast.Write([1, 43428], [0, 1, 2]));
        Assert.Contains("aggregation.variables.c (child 1): ", child.Message);
        var merged = Assert.Throws<Zagg.Zarr.ZarrException>(() => cast.Write([43428], [0, 1], "cell 8 of order 0"));
        Assert.Contains("aggregation.variables.c (cell 8 of order 0): ", merged.Message);
        var level = Assert.Throws<Zagg.Zarr.ZarrException>(() => cast.Write([1, 43428], [0, 1, 2], order: 9));
        Assert.Contains("aggregation.variables.c (child 1 at order 9): ", level.Message);
    }

    [Theory]
    [InlineData(new byte[] { 7 })]
    [InlineData(new byte[] { 1, 2 })]
    [InlineData(new byte[] { 0, 0, 192, 127 })]
    [InlineData(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 })]
    public void Fill_repeats_the_element_as_Repeat_does(byte[] element)
    {
        var destination = new byte[element.Length * 33];
        Array.Fill(destination, (byte)0xEE);
        ZarrDataTypes.Fill(element, destination);
        for (int i = 0; i < destination.Length; i++) Assert.Equal(element[i % element.Length], destination[i]);
        Assert.Equal(ZarrDataTypes.Repeat(element, 33), destination);
    }
}
