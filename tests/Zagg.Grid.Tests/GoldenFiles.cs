using System.Globalization;
using System.IO.Compression;

namespace Zagg.Grid.Tests;

/// <summary>Reads the golden vectors written by tools/fixtures/grid_golden.py (healpy, mpmath).</summary>
internal static class GoldenFiles
{
    public static IEnumerable<string[]> Rows(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Golden", name);
        using var file = File.OpenRead(path);
        using var gz = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        _ = reader.ReadLine(); // header
        string? line;
        while ((line = reader.ReadLine()) is not null)
            yield return line.Split(',');
    }

    public static double D(string s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);

    public static long L(string s) => long.Parse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    /// <summary>Angle in degrees between two geographic positions (exact at the poles, where longitude is moot).</summary>
    public static double AngleDegrees(double lat1, double lon1, double lat2, double lon2)
    {
        var a = Vec3.FromLatLonRadians(lat1 * Math.PI / 180, lon1 * Math.PI / 180);
        var b = Vec3.FromLatLonRadians(lat2 * Math.PI / 180, lon2 * Math.PI / 180);
        return a.AngleTo(b) * 180 / Math.PI;
    }
}
