namespace Zagg.Maps.Output;

/// <summary>How a raster is drawn: the colours and the colour bar's text.</summary>
/// <param name="Colormap">The colour table.</param>
/// <param name="Lo">The value drawn with the first colour (and below).</param>
/// <param name="Hi">The value drawn with the last colour (and above).</param>
/// <param name="Title">The colour bar's title: the variable's name.</param>
/// <param name="Units">The variable's units (its "units" attribute), or null.</param>
/// <param name="Graticule">Whether to draw parallels and meridians.</param>
public sealed record MapStyle(Colormap Colormap, float Lo, float Hi, string Title, string? Units = null, bool Graticule = true);
