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

    /// <summary>The query for ICESat-2 cycle <paramref name="cycle"/>: 91 days from 2018-10-13 + (cycle − 1)·91 days.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="cycle"/> is below 1 or beyond year 9999.</exception>
    public static (DateOnly Start, DateOnly End) CycleDates(int cycle)
    {
        if (cycle < 1 || cycle > 10_000) throw new ArgumentOutOfRangeException(nameof(cycle), cycle, "an ICESat-2 cycle is a number from 1");
        var start = FirstCycleStart.AddDays((cycle - 1) * CycleDays);
        return (start, start.AddDays(CycleDays - 1));
    }

    /// <summary>The start of the range, 00:00:00 UTC of <see cref="StartDate"/>.</summary>
    public DateTimeOffset Begin => new(StartDate.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>The end of the range, 23:59:59 UTC of <see cref="EndDate"/>.</summary>
    public DateTimeOffset Finish => new(EndDate.ToDateTime(new TimeOnly(23, 59, 59)), TimeSpan.Zero);

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
