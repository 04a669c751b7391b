using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Zagg.Pipeline.Catalogs.Search;

/// <summary>
/// The parts of an ICESat-2 granule name <c>ATLnn_YYYYMMDDhhmmss_ttttccnn_rrr_vv.h5</c>: product,
/// acquisition time, reference ground track (tttt), cycle (cc), region (nn, the granule's segment
/// of the orbit, 1–14), release (rrr) and version (vv). ICESat-2 data product naming (ATL06 ATBD, §5).
/// </summary>
public readonly partial record struct AtlGranuleName(string Product, DateTime Acquired, int Rgt, int Cycle, int Region, string Release, string Version)
{
    [GeneratedRegex(@"^(ATL\d\d)_(\d{14})_(\d{4})(\d{2})(\d{2})_(\d{3})_(\d{2})", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    /// <summary>Parses a granule name, a file name or a URL ending in one.</summary>
    public static bool TryParse(string nameOrUrl, out AtlGranuleName name)
    {
        name = default;
        int slash = nameOrUrl.LastIndexOf('/');
        var m = Pattern().Match(slash >= 0 ? nameOrUrl[(slash + 1)..] : nameOrUrl);
        if (!m.Success) return false;
        if (!DateTime.TryParseExact(m.Groups[2].Value, "yyyyMMddHHmmss", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var when)) return false;
        name = new AtlGranuleName(m.Groups[1].Value, when, Int(m.Groups[3]), Int(m.Groups[4]), Int(m.Groups[5]), m.Groups[6].Value, m.Groups[7].Value);
        return true;

        static int Int(Group g) => int.Parse(g.ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture);
    }
}

/// <summary>
/// Which granules of a search to keep: a file-name pattern (<c>*</c> and <c>?</c> wildcards) and, for
/// ICESat-2 names, reference ground tracks and regions. A granule whose name is not an ICESat-2 name
/// is dropped by a track or region filter.
/// </summary>
public sealed record GranuleFilter
{
    /// <summary>A wildcard pattern on the granule's name (its GranuleUR), e.g. <c>ATL06_2024*_0*</c>; null keeps all.</summary>
    public string? NamePattern { get; init; }

    /// <summary>Reference ground tracks to keep (1–1387); empty keeps all.</summary>
    public IReadOnlyList<int> Rgts { get; init; } = [];

    /// <summary>Regions to keep (1–14); empty keeps all.</summary>
    public IReadOnlyList<int> Regions { get; init; } = [];

    /// <summary>
    /// The ICESat-2 cycle a granule's name must give (its <c>cc</c>), or null. Set from <see cref="GranuleQuery.Cycle"/>
    /// (<see cref="GranuleQuery.NameFilter"/>), not by the user: a name that is not an ICESat-2 name passes it.
    /// </summary>
    public int? Cycle { get; init; }

    /// <summary>Whether no filter the user gave is set (the query's <see cref="Cycle"/> does not count).</summary>
    public bool IsEmpty => NamePattern is null && Rgts.Count == 0 && Regions.Count == 0;

    /// <summary>Whether the granule named <paramref name="granuleUR"/> passes.</summary>
    public bool Keeps(string granuleUR)
    {
        if (NamePattern is not null && !Wildcard(NamePattern, granuleUR)) return false;
        if (Rgts.Count == 0 && Regions.Count == 0 && Cycle is null) return true;
        if (!AtlGranuleName.TryParse(granuleUR, out var n)) return Rgts.Count == 0 && Regions.Count == 0;
        return (Rgts.Count == 0 || Rgts.Contains(n.Rgt)) && (Regions.Count == 0 || Regions.Contains(n.Region))
            && (Cycle is not int c || n.Cycle == c);
    }

    public JsonObject ToJson()
    {
        var o = new JsonObject();
        if (NamePattern is not null) o["name"] = NamePattern;
        if (Rgts.Count > 0) o["rgt"] = new JsonArray([.. Rgts.Select(r => (JsonNode)r)]);
        if (Regions.Count > 0) o["region"] = new JsonArray([.. Regions.Select(r => (JsonNode)r)]);
        return o;
    }

    /// <summary>Glob match with <c>*</c> (any run) and <c>?</c> (one character), ordinal, whole name.</summary>
    internal static bool Wildcard(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
    {
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t])) { p++; t++; }
            else if (p < pattern.Length && pattern[p] == '*') { star = p++; mark = t; }
            else if (star >= 0) { p = star + 1; t = ++mark; }
            else return false;
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }
}
