using System.Globalization;
using Zagg.Grid;

namespace Zagg.Pipeline.Catalogs;

/// <summary>
/// Reads drainage-basin polygon files: whitespace columns <c>lat lon basin_id</c>, one position
/// per line, comment and header lines skipped.
/// </summary>
internal static class BasinsFile
{
    /// <summary>The rings by basin id, ascending; each ring its positions in file order.</summary>
    public static List<(int Basin, List<GeoPoint> Ring)> Read(string path, IReadOnlyCollection<int>? pick)
    {
        var byBasin = new SortedDictionary<int, List<GeoPoint>>();
        HashSet<int>? wanted = pick is { Count: > 0 } ? [.. pick] : null;
        try
        {
            using var reader = new StreamReader(path);
            int lineNumber = 0;
            string? line;
            Span<Range> fields = stackalloc Range[4];
            while ((line = reader.ReadLine()) is not null)
            {
                lineNumber++;
                var text = line.AsSpan().Trim();
                if (text.IsEmpty || IsComment(text)) continue;
                // A header: the first field is not a number (e.g. "Lat Lon Basin").
                if (!(char.IsAsciiDigit(text[0]) || text[0] is '-' or '+' or '.')) continue;
                int n = SplitWhitespace(text, fields);
                if (n != 3)
                    throw new AreaOfInterestException($"{path}: line {lineNumber}: expected 3 columns 'lat lon basin_id', found {(n > 3 ? "more" : n.ToString(CultureInfo.InvariantCulture))}");
                if (!double.TryParse(text[fields[0]], NumberStyles.Float, CultureInfo.InvariantCulture, out double lat) || !(Math.Abs(lat) <= 90))
                    throw new AreaOfInterestException($"{path}: line {lineNumber}: latitude '{text[fields[0]]}' is not a number in [-90, 90]");
                if (!double.TryParse(text[fields[1]], NumberStyles.Float, CultureInfo.InvariantCulture, out double lon) || !double.IsFinite(lon) || Math.Abs(lon) > 540)
                    throw new AreaOfInterestException($"{path}: line {lineNumber}: longitude '{text[fields[1]]}' is not a number in [-540, 540]");
                if (!TryParseId(text[fields[2]], out int basin))
                    throw new AreaOfInterestException($"{path}: line {lineNumber}: basin id '{text[fields[2]]}' is not a whole number");
                if (wanted is not null && !wanted.Contains(basin)) { if (!byBasin.ContainsKey(basin)) byBasin[basin] = null!; continue; }
                if (!byBasin.TryGetValue(basin, out var ring) || ring is null) byBasin[basin] = ring = [];
                ring.Add(new GeoPoint(lat, lon));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AreaOfInterestException($"{path}: cannot be read: {e.Message}", e);
        }
        if (wanted is not null)
        {
            var missing = wanted.Where(b => !byBasin.ContainsKey(b)).Order().ToList();
            if (missing.Count > 0)
                throw new AreaOfInterestException($"{path}: no basin {string.Join(", ", missing)} in the file (it has {Describe(byBasin.Keys)})");
        }
        var result = new List<(int, List<GeoPoint>)>();
        foreach (var (basin, ring) in byBasin)
        {
            if (ring is null) continue;
            if (ring.Count < 3) throw new AreaOfInterestException($"{path}: basin {basin} has {ring.Count} position(s); a polygon needs at least 3");
            result.Add((basin, ring));
        }
        if (result.Count == 0) throw new AreaOfInterestException($"{path}: no data lines 'lat lon basin_id'");
        return result;
    }

    private static bool IsComment(ReadOnlySpan<char> text)
        => text[0] is '#' or '%' or '!' or ';' || text.StartsWith("//");

    private static bool TryParseId(ReadOnlySpan<char> s, out int id)
    {
        if (int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out id)) return true;
        // Some files write ids as floats ("17.0").
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && d == Math.Floor(d) && Math.Abs(d) < int.MaxValue)
        {
            id = (int)d;
            return true;
        }
        return false;
    }

    private static int SplitWhitespace(ReadOnlySpan<char> text, Span<Range> fields)
    {
        int n = 0, i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && (char.IsWhiteSpace(text[i]) || text[i] == ',')) i++;
            if (i >= text.Length) break;
            int start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] != ',') i++;
            if (n < fields.Length) fields[n] = start..i;
            n++;
        }
        return n;
    }

    private static string Describe(IEnumerable<int> ids)
    {
        var list = ids.ToList();
        if (list.Count == 0) return "none";
        return list.Count <= 30 ? string.Join(", ", list) : $"{list.Count} basins, {list[0]}–{list[^1]}";
    }
}
