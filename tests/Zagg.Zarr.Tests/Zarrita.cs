using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Xunit;
using Zagg.TestSupport;

namespace Zagg.Zarr.Tests;

/// <summary>Runs a test only where zarrita is installed (tools/node); under CI its absence is a failure.</summary>
public sealed class NeedsZarritaFactAttribute : FactAttribute
{
    public NeedsZarritaFactAttribute()
    {
        if (Zarrita.Modules is null && Environment.GetEnvironmentVariable("CI") != "true")
            Skip = "zarrita is not installed (npm ci --prefix tools/node; .ci/run does it)";
    }
}

/// <summary>Reads stores with zarrita through tests/Zagg.Zarr.Tests/zarrita_read.mjs.</summary>
internal static class Zarrita
{
    public static string? Modules => LoopbackProcess.RepositoryRoot() is { } root
        && Path.Combine(root, "tools", "node", "node_modules") is var m && Directory.Exists(Path.Combine(m, "zarrita")) ? m : null;

    public static async Task<JsonElement> ReadAsync(string storeDir, params string[] arrays)
    {
        string modules = Modules ?? throw new InvalidOperationException("zarrita is required but tools/node has no zarrita");
        // ES modules resolve packages next to the script: run a copy beside a link to node_modules.
        string dir = Directory.CreateTempSubdirectory("zagg-zarrita").FullName;
        try
        {
            Directory.CreateSymbolicLink(Path.Combine(dir, "node_modules"), modules);
            string script = Path.Combine(dir, "read.mjs");
            File.Copy(Path.Combine(AppContext.BaseDirectory, "zarrita_read.mjs"), script);
            var psi = new ProcessStartInfo("node", [script, storeDir, .. arrays]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(120_000)) { p.Kill(true); throw new TimeoutException("zarrita did not finish"); }
            if (p.ExitCode != 0) throw new InvalidOperationException($"zarrita failed: {await stderr}");
            return JsonDocument.Parse(await stdout).RootElement;
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>Our value of element i, in the form the script prints.</summary>
    public static string Value(ZarrDataType t, byte[] data, int i)
    {
        var s = data.AsSpan(i * t.Size(), t.Size());
        string F(double d) => double.IsNaN(d) ? "NaN" : double.IsPositiveInfinity(d) ? "Infinity" : double.IsNegativeInfinity(d) ? "-Infinity" : d.ToString("R", CultureInfo.InvariantCulture);
        return t switch
        {
            ZarrDataType.Bool => s[0] != 0 ? "true" : "false",
            ZarrDataType.Int8 => ((sbyte)s[0]).ToString(CultureInfo.InvariantCulture),
            ZarrDataType.UInt8 => s[0].ToString(CultureInfo.InvariantCulture),
            ZarrDataType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(s).ToString(CultureInfo.InvariantCulture),
            ZarrDataType.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(s).ToString(CultureInfo.InvariantCulture),
            ZarrDataType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(s).ToString(CultureInfo.InvariantCulture),
            ZarrDataType.UInt32 => BinaryPrimitives.ReadUInt32LittleEndian(s).ToString(CultureInfo.InvariantCulture),
            ZarrDataType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(s).ToString(CultureInfo.InvariantCulture),
            ZarrDataType.UInt64 => BinaryPrimitives.ReadUInt64LittleEndian(s).ToString(CultureInfo.InvariantCulture),
            ZarrDataType.Float32 => F(BinaryPrimitives.ReadSingleLittleEndian(s)),
            _ => F(BinaryPrimitives.ReadDoubleLittleEndian(s)),
        };
    }

    public static string Printed(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.String => e.GetString()!,
        _ => e.GetDouble().ToString("R", CultureInfo.InvariantCulture) is var d && e.GetRawText().Contains('.') || e.GetRawText().Contains('e') || e.GetRawText().Contains('E') ? e.GetDouble().ToString("R", CultureInfo.InvariantCulture) : e.GetRawText(),
    };
}
