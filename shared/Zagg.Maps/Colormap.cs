using System.Globalization;
using System.Reflection;

namespace Zagg.Maps;

/// <summary>
/// A 256-entry colour table (matplotlib's listed colormaps, committed as data in Colormaps/*.csv with their source;
/// regenerate with tools/fixtures/colormaps.py). Values map linearly from [lo, hi] onto entries 0–255, clamped.
/// </summary>
public sealed class Colormap
{
    /// <summary>The colormaps shipped, by name.</summary>
    public static IReadOnlyList<string> Names { get; } = ["viridis", "magma", "inferno", "plasma", "cividis", "turbo"];

    private static readonly Dictionary<string, Colormap> Loaded = new(StringComparer.OrdinalIgnoreCase);

    private readonly uint[] _rgb; // 0x00RRGGBB per entry

    private Colormap(string name, uint[] rgb)
    {
        Name = name;
        _rgb = rgb;
    }

    /// <summary>The colormap's name, e.g. "viridis".</summary>
    public string Name { get; }

    /// <summary>Entry <paramref name="index"/> (0–255) as (red, green, blue) bytes.</summary>
    public (byte R, byte G, byte B) this[int index]
    {
        get
        {
            uint c = _rgb[index];
            return ((byte)(c >> 16), (byte)(c >> 8), (byte)c);
        }
    }

    /// <summary>The entry of a value over [lo, hi] (clamped; lo == hi maps to the middle entry).</summary>
    public static int Index(float value, float lo, float hi)
    {
        if (!(hi > lo)) return 128;
        float t = (value - lo) / (hi - lo) * 256f;
        return t <= 0 ? 0 : t >= 255 ? 255 : (int)t;
    }

    /// <summary>A shipped colormap by name (case-insensitive).</summary>
    /// <returns>False when no colormap has that name (see <see cref="Names"/>).</returns>
    public static bool TryGet(string? name, out Colormap colormap)
    {
        colormap = null!;
        if (name is null) return false;
        string? known = null;
        foreach (string n in Names)
            if (string.Equals(n, name, StringComparison.OrdinalIgnoreCase)) known = n;
        if (known is null) return false;
        lock (Loaded)
        {
            if (!Loaded.TryGetValue(known, out var c)) Loaded[known] = c = Load(known);
            colormap = c;
        }
        return true;
    }

    private static Colormap Load(string name)
    {
        using var stream = typeof(Colormap).Assembly.GetManifestResourceStream($"Zagg.Maps.Colormaps.{name}.csv")
            ?? throw new InvalidOperationException($"colormap table {name}.csv is not embedded");
        using var reader = new StreamReader(stream);
        var rgb = new uint[256];
        int n = 0;
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var parts = line.Split(',');
            if (n >= 256 || parts.Length != 3) throw new InvalidDataException($"colormap {name}: line '{line}' is not an RGB entry");
            uint c = 0;
            foreach (string p in parts)
                c = (c << 8) | (uint)Math.Clamp(Math.Round(double.Parse(p, CultureInfo.InvariantCulture) * 255), 0, 255);
            rgb[n++] = c;
        }
        if (n != 256) throw new InvalidDataException($"colormap {name}: {n} entries, not 256");
        return new Colormap(name, rgb);
    }
}
