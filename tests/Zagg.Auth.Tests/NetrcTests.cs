using Xunit;

namespace Zagg.Auth.Tests;

public class NetrcTests
{
    [Fact]
    public void FindsTheMachineEntry_AcrossLines_AndSkipsMacros()
    {
        const string text = """
            # a comment
            machine example.com login other password nope
            macdef init
            machine urs.earthdata.nasa.gov login fake password fake

            machine urs.earthdata.nasa.gov
              login alice
              password s3cret
            default login anon password guest
            """;
        Assert.Equal(("alice", "s3cret"), Netrc.Find(text, "URS.earthdata.nasa.gov"));
        Assert.Equal(("other", "nope"), Netrc.Find(text, "example.com"));
        Assert.Equal(("anon", "guest"), Netrc.Find(text, "elsewhere.org"));
    }

    [Fact]
    public void NoEntry_NoDefault_IsNull()
    {
        Assert.Null(Netrc.Find("machine a.org login x password y", "b.org"));
        Assert.Null(Netrc.Find("", "b.org"));
        Assert.Null(Netrc.FindInFile("/nonexistent/.netrc", "b.org"));
    }
}
