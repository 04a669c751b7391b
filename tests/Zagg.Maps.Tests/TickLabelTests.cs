using Xunit;
using Zagg.Maps.Output;

namespace Zagg.Maps.Tests;

/// <summary>The colour bar's labels: four significant digits, more where fewer would print two values alike.</summary>
public class TickLabelTests
{
    [Theory]
    [InlineData(2500f, 1250f, 0f, "2500", "1250", "0")]
    [InlineData(1863.1f, 1862.45f, 1861.8f, "1863.1", "1862.4", "1861.8")] // four digits: 1863, 1862, 1862 (1862.45f is 1862.44995)
    [InlineData(0.001234f, 0.0012345f, 0.001235f, "0.001234", "0.0012345", "0.001235")]
    [InlineData(5f, 5f, 5f, "5", "5", "5")]
    [InlineData(-0.5f, -1.25f, -2f, "-0.5", "-1.25", "-2")]
    public void Labels(float hi, float mid, float lo, string top, string middle, string bottom)
        => Assert.Equal([top, middle, bottom], MapImage.Ticks(hi, mid, lo));

    [Fact]
    public void Values_one_ulp_apart_get_float32s_nine_digits()
    {
        float lo = 1862f, hi = MathF.BitIncrement(MathF.BitIncrement(lo)), mid = MathF.BitIncrement(lo);
        var t = MapImage.Ticks(hi, mid, lo);
        Assert.Equal(3, t.Distinct().Count());
        Assert.All(t, s => Assert.Equal(lo, float.Parse(s, System.Globalization.CultureInfo.InvariantCulture), 0.001f));
    }
}
