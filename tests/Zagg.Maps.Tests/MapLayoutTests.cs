using Xunit;
using Zagg.Grid;
using Zagg.Maps.Projections;

namespace Zagg.Maps.Tests;

/// <summary>The default map box of a plate carrée map stays within the world and holds every cell, base cells included.</summary>
public class MapLayoutTests
{
    [Theory]
    [InlineData(LatitudeConvention.Authalic)]
    [InlineData(LatitudeConvention.GeodeticSpherical)]
    public void Base_cells_on_the_antimeridian_get_the_whole_width_and_nothing_past_the_world(LatitudeConvention convention)
    {
        // Base cells 8 and 10 (order 0, south): 10 spans longitudes −180° to −90°; its corner on the antimeridian came
        // back as +180°, so the box began at −168.5° and ended 7° past +180°, past the pole too.
        var values = new CellValues(0, [8, 10], [1f, 2f]);
        Assert.IsType<PlateCarree>(MapLayout.DefaultProjection(values, convention));
        var box = MapLayout.Extent(values, MapProjection.Equirect, convention)!.Value;
        Assert.Equal(-180, box.XMin);
        Assert.Equal(180, box.XMax);
        Assert.Equal(-90, box.YMin);
        Assert.InRange(box.YMax, 0, 90);
    }

    [Fact]
    public void A_small_area_keeps_its_margin()
    {
        long cell = GeoGrid.Locate(-10, 20, 10, LatitudeConvention.Authalic);
        var box = MapLayout.Extent(new CellValues(10, [cell], [1f]), MapProjection.Equirect, LatitudeConvention.Authalic)!.Value;
        Assert.InRange(box.XMin, 19, 20);
        Assert.InRange(box.XMax, 20, 21);
        Assert.True(box.Width < 1, $"{box}");
    }
}
