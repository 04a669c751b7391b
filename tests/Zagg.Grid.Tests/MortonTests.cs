using Xunit;

namespace Zagg.Grid.Tests;

public class MortonTests
{
    [Fact]
    public void The_mission_examples_hold()
    {
        // −6134114: base cell 11, child indices 0,2,3,0,0,3.
        long nested = Morton.ToNested(-6134114, out int order);
        Assert.Equal(6, order);
        Assert.Equal(11L, nested >> 12);
        Assert.Equal((0L << 10) | (2L << 8) | (3L << 6) | (0L << 4) | (0L << 2) | 3L, nested & 0xFFF);
        Assert.Equal(-6134114, Morton.FromNested(nested, 6));
        Assert.Equal([-51111311L, -51111312L, -51111313L, -51111314L], Morton.Children(-5111131, 7));
    }

    [Theory]
    [InlineData(0, 1L)]   // base cell 0 → leading 1
    [InlineData(5, 6L)]   // base cell 5 → leading 6
    [InlineData(6, -1L)]  // base cell 6 → leading 1, negative
    [InlineData(11, -6L)] // base cell 11 → leading 6, negative
    public void Base_cells_map_to_their_leading_digits(int baseCell, long leading)
    {
        long first = HealpixNested.FirstChild(baseCell, 0, 1);
        Assert.Equal(leading * 10 + Math.Sign(leading) * 1, Morton.FromNested(first, 1));
        Assert.Equal(leading * 10 + Math.Sign(leading) * 4, Morton.FromNested(first + 3, 1));
    }

    [Fact]
    public void Order_18_words_fill_19_digits_and_round_trip()
    {
        long last = HealpixNested.CellCount(18) - 1;
        Assert.Equal(-6444444444444444444, Morton.FromNested(last, 18));
        Assert.Equal(last, Morton.ToNested(-6444444444444444444, out int o));
        Assert.Equal(18, o);
        Assert.Equal(1111111111111111111, Morton.FromNested(0, 18));
        for (long cell = 0; cell < HealpixNested.CellCount(18); cell += 987_654_321_011)
            Assert.Equal(cell, Morton.ToNested(Morton.FromNested(cell, 18), out _));
    }

    [Fact]
    public void Clipping_an_order_18_word_is_integer_division_keeping_the_sign()
    {
        long word = Morton.FromNested(HealpixNested.CellCount(18) - 12345, 18);
        Assert.True(word < 0);
        for (int k = 1; k <= 18; k++)
        {
            long expected = word / (long)Math.Pow(10, 18 - k);
            Assert.Equal(expected, Morton.Clip(word, k));
            Assert.Equal(k, Morton.OrderOf(Morton.Clip(word, k)));
        }
    }

    [Fact]
    public void Children_are_consecutive_nested_ids_in_order()
    {
        long[] children = Morton.Children(-6134114, 9);
        Assert.Equal(64, children.Length);
        long first = Morton.ToNested(children[0], out _);
        for (int i = 0; i < children.Length; i++)
        {
            Assert.Equal(first + i, Morton.ToNested(children[i], out int o));
            Assert.Equal(9, o);
            Assert.Equal(-6134114, Morton.Clip(children[i], 6));
        }
    }

    [Theory]
    [InlineData(0L, "0 is not a morton word")]
    [InlineData(7L, "no level digits")]
    [InlineData(71L, "leading digit 7")]
    [InlineData(-91L, "leading digit 9")]
    [InlineData(10L, "digit 0 at level 1")]
    [InlineData(-6134154L, "digit 5 at level 5")]
    [InlineData(1111111111111111119L, "digit 9 at level 18")]
    [InlineData(long.MinValue, "not a morton word")]
    public void Invalid_words_are_refused_with_a_reason(long word, string reason)
    {
        var e = Assert.Throws<FormatException>(() => Morton.Validate(word));
        Assert.Contains(reason, e.Message);
        Assert.False(Morton.IsValid(word));
    }

    [Fact]
    public void Text_that_is_not_a_word_is_refused_with_the_text_quoted()
    {
        Assert.Equal(-6134114, Morton.Parse(" -6134114 "));
        Assert.Contains("'abc'", Assert.Throws<FormatException>(() => Morton.Parse("abc")).Message);
        Assert.Contains("digit 0", Assert.Throws<FormatException>(() => Morton.Parse("-6134104")).Message);
        Assert.Contains("has order 19; the finest is 18", Assert.Throws<FormatException>(() => Morton.Parse("-61341141111111111111")).Message);
    }

    [Fact]
    public void Orders_outside_the_range_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Morton.FromNested(0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Morton.FromNested(0, 19));
        Assert.Throws<ArgumentOutOfRangeException>(() => Morton.FromNested(48, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Morton.Clip(-6134114, 7));
        Assert.Throws<ArgumentOutOfRangeException>(() => Morton.Parent(-61));
        Assert.Throws<ArgumentOutOfRangeException>(() => Morton.Children(-6134114, 5));
    }
}
