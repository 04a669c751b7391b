using Xunit;
using Zagg.Cli.Commands;

namespace Zagg.Cli.Tests;

/// <summary>Error lines carry text from outside (a damaged granule's names): what a terminal would act on is replaced.</summary>
public class TerminalTextTests
{
    [Fact]
    public void A_printable_line_is_returned_as_it_is()
    {
        const string text = "cell -3131141: failed after 1 attempt(s): /data/ATL06_x.h5: truncated file — “quoted” ✓";
        Assert.Same(text, TerminalText.OneLine(text));
    }

    [Theory]
    [InlineData("link name 'a\nb\r\nc\td' is bad", "link name 'a b  c d' is bad")]
    [InlineData("escape \u001b[31mred\u001b[0m bell \u0007 del \u007f c1 \u0085 \u009b", "escape ?[31mred?[0m bell ? del ? c1 ? ?")]
    [InlineData("undecodable \uFFFD\uFFFD bytes", "undecodable ?? bytes")]
    [InlineData("\n", " ")]
    public void Control_characters_and_undecodable_bytes_are_replaced(string text, string expected)
    {
        string line = TerminalText.OneLine(text);
        Assert.Equal(expected, line);
        Assert.DoesNotContain(line, char.IsControl);
    }
}
