namespace Zagg.Maps;

/// <summary>The value range a map's colours span.</summary>
public static class ValueRange
{
    /// <summary>
    /// The <paramref name="low"/>-th and <paramref name="high"/>-th percentiles (0–100, linear interpolation between
    /// order statistics, as NumPy's default) of the finite values; (NaN, NaN) when there are none.
    /// </summary>
    public static (float Lo, float Hi) Percentiles(ReadOnlySpan<float> values, double low = 2, double high = 98)
    {
        var finite = new float[values.Length];
        int n = 0;
        foreach (float v in values)
            if (float.IsFinite(v)) finite[n++] = v;
        if (n == 0) return (float.NaN, float.NaN);
        var s = finite.AsSpan(0, n);
        s.Sort();
        return (At(s, low), At(s, high));

        static float At(ReadOnlySpan<float> sorted, double p)
        {
            double pos = Math.Clamp(p, 0, 100) / 100 * (sorted.Length - 1);
            int i = (int)Math.Floor(pos);
            if (i >= sorted.Length - 1) return sorted[^1];
            return (float)(sorted[i] + (pos - i) * (sorted[i + 1] - sorted[i]));
        }
    }
}
