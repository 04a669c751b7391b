using System.Globalization;
using System.Text.Json.Nodes;
using Zagg.Grid.Geometry;

namespace Zagg.Pipeline.Catalogs.Search;

/// <summary>
/// What a catalog search asks for: a product (short name, version, provider), a date range (whole
/// UTC days, both ends included), a region (a box, or a polygon where the service takes one), and
/// optional ICESat-2 granule filters applied to the names found (<see cref="AtlGranuleName"/>).
/// </summary>
public sealed record GranuleQuery
{
    /// <summary>First day of ICESat-2 cycle 1 (UTC); a cycle is 91 days.</summary>
    public static readonly DateOnly FirstCycleStart = new(2018, 10, 13);

    /// <summary>Days in one ICESat-2 repeat cycle.</summary>
    public const int CycleDays = 91;

    /// <summary>
    /// Days searched on each side of a cycle's nominal dates (<see cref="CycleDates"/>) when the query is for a cycle;
    /// the granules kept are those whose name gives that cycle (<see cref="NameFilter"/>).
    /// </summary>
    /// <remarks>
    /// A cycle is 1,387 revolutions, one pass over every reference ground track, and what a granule belongs to is the
    /// cycle number ICESat-2's processing writes in its name (<c>ATL06_YYYYMMDDhhmmss_ttttccnn_rrr_vv</c>, NSIDC's
    /// ATL06 user guide, "File naming convention"). The boundaries fall within a day, where the orbit starts track 1,
    /// not at midnight of a date grid: the nominal rule (91 days from 2018-10-13, cycle 22 = 2024-01-06..2024-04-05)
    /// and published tables disagree by days to weeks (MISSION.md's example ends cycle 22 on 2024-04-07, 93 days
    /// after its start; the ICESat-2 technical-specification orbit files, as tabled by the IceSat2R package
    /// (rdrr.io/cran/IceSat2R/man/RGT_cycle_14.html), give cycle 14 as 2021-12-22..2022-03-23 where the rule gives
    /// 2022-01-08..2022-04-08). So the dates are only a search window, wide enough for any of these, and the name
    /// decides; the catalog records the nominal dates and the cycle.
    /// </remarks>
    public const int CycleMarginDays = 21;

    public string ShortName { get; init; } = "ATL06";
    public string Version { get; init; } = "007";
    public string Provider { get; init; } = "NSIDC_CPRD";

    /// <summary>First day searched, from 00:00:00 UTC.</summary>
    public required DateOnly StartDate { get; init; }

    /// <summary>Last day searched, to 23:59:59 UTC (included).</summary>
    public required DateOnly EndDate { get; init; }

    /// <summary>The ICESat-2 cycle the dates were made from, or null.</summary>
    public int? Cycle { get; init; }

    /// <summary>The box searched (CMR <c>bounding_box</c>, STAC <c>bbox</c>); West &gt; East crosses the antimeridian.</summary>
    public GeoBox? BoundingBox { get; init; }

    /// <summary>Granule filters on the names found, or null.</summary>
    public GranuleFilter? Filter { get; init; }

    /// <summary>
    /// The nominal dates of ICESat-2 cycle <paramref name="cycle"/>: 91 days from 2018-10-13 + (cycle − 1)·91 days. A
    /// query for a cycle searches <see cref="CycleMarginDays"/> more on each side and keeps the granules named for it.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="cycle"/> is below 1 or beyond year 9999.</exception>
    public static (DateOnly Start, DateOnly End) CycleDates(int cycle)
    {
        if (cycle < 1 || cycle > 10_000) throw new ArgumentOutOfRangeException(nameof(cycle), cycle, "an ICESat-2 cycle is a number from 1");
        var start = FirstCycleStart.AddDays((cycle - 1) * CycleDays);
        return (start, start.AddDays(CycleDays - 1));
    }

    /// <summary>The start of the range searched, 00:00:00 UTC of <see cref="StartDate"/> (<see cref="CycleMarginDays"/> earlier for a cycle).</summary>
    public DateTimeOffset Begin => new(StartDate.AddDays(Cycle is null ? 0 : -CycleMarginDays).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>The end of the range searched, 23:59:59 UTC of <see cref="EndDate"/> (<see cref="CycleMarginDays"/> later for a cycle).</summary>
    public DateTimeOffset Finish => new(EndDate.AddDays(Cycle is null ? 0 : CycleMarginDays).ToDateTime(new TimeOnly(23, 59, 59)), TimeSpan.Zero);

    /// <summary>The filter the searches apply to the names found: <see cref="Filter"/>, with <see cref="Cycle"/> when the query is for one.</summary>
    public GranuleFilter? NameFilter => Cycle is int c ? (Filter ?? new GranuleFilter()) with { Cycle = c } : Filter;

    /// <summary>Checks the query.</summary>
    /// <exception cref="ArgumentException">The dates are out of order, or a product field is empty.</exception>
    public void Validate()
    {
        if (EndDate < StartDate) throw new ArgumentException($"the end date {Iso(EndDate)} is before the start date {Iso(StartDate)}");
        if (string.IsNullOrWhiteSpace(ShortName)) throw new ArgumentException("the short name is empty");
    }

    /// <summary>The query as the catalog's metadata records it.</summary>
    public JsonObject ToJson()
    {
        var o = new JsonObject
        {
            ["short_name"] = ShortName, ["version"] = Version, ["provider"] = Provider,
            ["start_date"] = Iso(StartDate), ["end_date"] = Iso(EndDate),
        };
        if (Cycle is int c) o["cycle"] = c;
        if (BoundingBox is GeoBox b) o["bounding_box"] = b.ToString();
        if (Filter is { } f) o["filter"] = f.ToJson();
        return o;
    }

    /// <summary>A date as YYYY-MM-DD.</summary>
    public static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    internal static string IsoTime(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
