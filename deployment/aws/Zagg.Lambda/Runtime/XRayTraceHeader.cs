using System.Diagnostics;

namespace Zagg.Lambda.Runtime;

/// <summary>
/// The AWS X-Ray tracing header (<c>Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1</c>,
/// AWS X-Ray Developer Guide, "Tracing header") as a W3C trace context: the trace id is the root's 8 hex digits of epoch
/// seconds followed by its 24 hex digits of random; the parent is the span id.
/// </summary>
public static class XRayTraceHeader
{
    /// <summary>The trace context the header names, or false when it is absent or malformed (the span then starts a new trace).</summary>
    public static bool TryParse(string? header, out ActivityContext context)
    {
        context = default;
        if (string.IsNullOrEmpty(header)) return false;
        ReadOnlySpan<char> root = default, parent = default;
        bool sampled = false;
        foreach (var range in header.AsSpan().Split(';'))
        {
            var part = header.AsSpan(range).Trim();
            int eq = part.IndexOf('=');
            if (eq < 0) continue;
            var key = part[..eq];
            var value = part[(eq + 1)..];
            if (key.SequenceEqual("Root")) root = value;
            else if (key.SequenceEqual("Parent")) parent = value;
            else if (key.SequenceEqual("Sampled")) sampled = value.SequenceEqual("1");
        }
        // Root = "1-" + 8 hex + "-" + 24 hex.
        if (root.Length != 35 || !root.StartsWith("1-") || root[10] != '-' || parent.Length != 16) return false;
        Span<char> trace = stackalloc char[32];
        root.Slice(2, 8).CopyTo(trace);
        root.Slice(11, 24).CopyTo(trace[8..]);
        if (!IsHex(trace) || !IsHex(parent)) return false;
        context = new ActivityContext(ActivityTraceId.CreateFromString(trace), ActivitySpanId.CreateFromString(parent),
            sampled ? ActivityTraceFlags.Recorded : ActivityTraceFlags.None, isRemote: true);
        return true;
    }

    private static bool IsHex(ReadOnlySpan<char> s)
    {
        foreach (char c in s)
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c)) return false;
        return true;
    }
}
