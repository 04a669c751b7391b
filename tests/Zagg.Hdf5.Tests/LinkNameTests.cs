using Xunit;
using Zagg.Hdf5.Format;

namespace Zagg.Hdf5.Tests;

/// <summary>A damaged link name is refused with a message that shows it as one short, printable line.</summary>
public class LinkNameTests
{
    [Theory]
    [InlineData("", true)]
    [InlineData("gt1l/land", true)]
    [InlineData("gt1l", false)]
    public void Empty_names_and_names_holding_a_slash_are_damage(string name, bool damaged) => Assert.Equal(!damaged, Link.IsValidName(name));

    [Fact]
    public void The_message_shows_a_damaged_name_printable_and_at_most_40_characters()
    {
        string name = "\u008bjri\uFFFDQ\uFFFDt/\n\r\u001b[2J" + new string('x', 60);
        string message = Link.BadName(name);
        Assert.DoesNotContain(message, char.IsControl);
        Assert.DoesNotContain('\uFFFD', message);
        Assert.Contains("'?jri?Q?t/???[2J" + new string('x', 25) + "…'", message);
        Assert.Contains($"({name.Length} characters)", message);
        Assert.Equal("link name 'a/b' (3 characters) is empty or holds '/'; the file is damaged", Link.BadName("a/b"));
    }
}
