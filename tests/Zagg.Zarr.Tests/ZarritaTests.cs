using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Xunit;
using Zagg.TestSupport;
using Zagg.Zarr.Codecs;
using Zagg.Zarr.Dggs;
using Zagg.Zarr.Stores;

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

public class ZarritaTests
{
    [NeedsZarritaFact]
    public async Task Zarrita_reads_every_type_fill_and_codec_chain_we_write()
    {
        using var tmp = new TempStore();
        var store = tmp.Store;
        await ZarrHierarchy.CreateGroupAsync(store, "", new System.Text.Json.Nodes.JsonObject { ["title"] = "interop" });
        var expected = new Dictionary<string, (ZarrDataType Type, byte[] Data, long[] Shape, byte[] Fill)>();
        foreach (string chain in new[] { "bytes", "bytes-big", "gzip-crc32c", "sharded-gzip-crc32c" })
            foreach (var type in RoundTripTests.Types)
            {
                string path = $"{chain}/{type.Name()}";
                var fill = RoundTripTests.FillFor(type, 1);
                var meta = new ArrayMetadata { Shape = [16, 15], DataType = type, ChunkShape = [8, 10], FillValue = fill, Codecs = RoundTripTests.Chain(chain), DimensionNames = ["y", "x"] };
                var a = await ZarrArray.CreateAsync(store, path, meta);
                for (long i = 0; i < 2; i++)
                    for (long j = 0; j < 2; j++)
                        if (i + j != 2) await a.WriteChunkAsync([i, j], RoundTripTests.Values(type, 80, fill, (int)(i * 3 + j)));
                expected[path] = (type, await a.ReadAsync(), meta.Shape, fill);
            }
        var read = await Zarrita.ReadAsync(tmp.Dir, expected.Keys.ToArray());
        Assert.Equal("interop", read.GetProperty("/").GetProperty("attributes").GetProperty("title").GetString());
        foreach (var (path, (type, data, shape, fill)) in expected)
        {
            var r = read.GetProperty(path);
            Assert.Equal(shape, r.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
            Assert.Equal(type.Name(), r.GetProperty("dtype").GetString());
            Assert.Equal(Zarrita.Value(type, fill, 0), Zarrita.Printed(r.GetProperty("fill_value")));
            var values = r.GetProperty("values").EnumerateArray().ToList();
            Assert.Equal(data.Length / type.Size(), values.Count);
            for (int i = 0; i < values.Count; i++)
                Assert.True(Zarrita.Value(type, data, i) == Zarrita.Printed(values[i]), $"{path}[{i}]: ours {Zarrita.Value(type, data, i)}, zarrita {values[i]}");
        }
    }

    [NeedsZarritaFact]
    public async Task Zarrita_reads_dggs_stores_in_both_layouts_sharded_or_not()
    {
        foreach (var (layout, codecs) in new (DggsLayout, IReadOnlyList<CodecSpec>)[]
        {
            (DggsLayout.Compact, [CodecSpec.Bytes()]),
            (DggsLayout.Full, [CodecSpec.Sharding([16], [CodecSpec.Bytes(), CodecSpec.Gzip(5), CodecSpec.Crc32c()])]),
            (DggsLayout.Compact, [CodecSpec.Sharding([8], [CodecSpec.Bytes()])]),
        })
        {
            using var tmp = new TempStore();
            var store = await DggsStore.CreateAsync(tmp.Store, DggsStoreTests.Template(layout, codecs: codecs));
            for (int i = 0; i < DggsStoreTests.Parents.Length; i += 2)
                await store.WriteCellAsync(DggsStoreTests.Parents[i], i, DggsStoreTests.CellValues(i));
            await store.ConsolidateAsync();
            var names = store.Arrays.Keys.ToArray();
            var read = await Zarrita.ReadAsync(tmp.Dir, [.. names.Select(n => "5/" + n), "5"]);
            var dggs = read.GetProperty("5").GetProperty("attributes").GetProperty("dggs");
            Assert.Equal("healpix", dggs.GetProperty("name").GetString());
            Assert.Equal(5, dggs.GetProperty("refinement_level").GetInt32());
            Assert.Equal(layout == DggsLayout.Compact, dggs.TryGetProperty("coordinate", out _));
            Assert.Equal(6378137.0, dggs.GetProperty("ellipsoid").GetProperty("semi_major_axis").GetDouble());
            Assert.Equal("7b255807-140c-42ca-97f6-7a1cfecdbc38", read.GetProperty("5").GetProperty("attributes").GetProperty("zarr_conventions")[0].GetProperty("uuid").GetString());
            foreach (string name in names)
            {
                var array = store.Arrays[name];
                var ours = await array.ReadAsync();
                var r = read.GetProperty("5/" + name);
                Assert.Equal(array.Metadata.Shape, r.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
                var values = r.GetProperty("values").EnumerateArray().ToList();
                for (int i = 0; i < values.Count; i++)
                    Assert.True(Zarrita.Value(array.Metadata.DataType, ours, i) == Zarrita.Printed(values[i]), $"{layout} {name}[{i}]");
            }
        }
    }
}
