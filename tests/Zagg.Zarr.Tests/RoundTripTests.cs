using Xunit;
using Zagg.Zarr.Codecs;
using Zagg.Zarr.Stores;

namespace Zagg.Zarr.Tests;

public class RoundTripTests
{
    public static readonly ZarrDataType[] Types = Enum.GetValues<ZarrDataType>();

    public static TheoryData<string> Chains => new(["bytes", "bytes-big", "gzip", "gzip-crc32c", "sharded", "sharded-gzip-crc32c"]);

    public static IReadOnlyList<CodecSpec> Chain(string name) => name switch
    {
        "bytes" => [CodecSpec.Bytes()],
        "bytes-big" => [CodecSpec.Bytes(bigEndian: true)],
        "gzip" => [CodecSpec.Bytes(), CodecSpec.Gzip(6)],
        "gzip-crc32c" => [CodecSpec.Bytes(), CodecSpec.Gzip(1), CodecSpec.Crc32c()],
        "sharded" => [CodecSpec.Sharding([4, 5], [CodecSpec.Bytes()])],
        "sharded-gzip-crc32c" => [CodecSpec.Sharding([4, 5], [CodecSpec.Bytes(), CodecSpec.Gzip(5), CodecSpec.Crc32c()])],
        _ => throw new ArgumentException(name),
    };

    /// <summary>Deterministic values for a type, with runs of the fill value (so sharding skips inner chunks).</summary>
    public static byte[] Values(ZarrDataType type, int n, byte[] fill, int seed)
    {
        var rng = new Random(seed);
        var data = new byte[n * type.Size()];
        for (int i = 0; i < n; i++)
        {
            var slot = data.AsSpan(i * type.Size(), type.Size());
            if (i % 40 < 20) { fill.CopyTo(slot); continue; }
            switch (type)
            {
                case ZarrDataType.Bool: slot[0] = (byte)rng.Next(2); break;
                case ZarrDataType.Float32: BitConverter.TryWriteBytes(slot, (float)(rng.NextDouble() * 2000 - 1000)); break;
                case ZarrDataType.Float64: BitConverter.TryWriteBytes(slot, rng.NextDouble() * 2e6 - 1e6); break;
                default: rng.NextBytes(slot); break;
            }
        }
        return data;
    }

    public static byte[] FillFor(ZarrDataType t, int variant) => variant switch
    {
        0 => t.Fill(0),
        1 => t.IsFloat() ? t.Fill(double.NaN) : t == ZarrDataType.Bool ? t.Fill(1) : t.Fill(7),
        _ => t.IsFloat() ? t.Fill(double.NegativeInfinity) : t.Fill(t is ZarrDataType.Int8 or ZarrDataType.Int16 or ZarrDataType.Int32 or ZarrDataType.Int64 ? -3 : 3),
    };

    [Theory]
    [MemberData(nameof(Chains))]
    public async Task Every_type_and_fill_round_trips(string chain)
    {
        string dir = Directory.CreateTempSubdirectory("zagg-zarr").FullName;
        try
        {
            var store = new LocalStore(dir);
            foreach (var type in Types)
                for (int f = 0; f < 3; f++)
                {
                    string path = $"{type.Name()}_{f}";
                    var meta = new ArrayMetadata { Shape = [19, 23], DataType = type, ChunkShape = [8, 10], FillValue = FillFor(type, f), Codecs = Chain(chain), DimensionNames = ["y", "x"] };
                    var a = await ZarrArray.CreateAsync(store, path, meta);
                    var written = new Dictionary<string, byte[]>();
                    for (long i = 0; i < 3; i++)
                        for (long j = 0; j < 3; j++)
                        {
                            if ((i + j) % 4 == 3) continue; // leave some chunks unwritten
                            var chunk = Values(type, a.ChunkElements, meta.FillValue, (int)(i * 10 + j + f));
                            await a.WriteChunkAsync([i, j], chunk);
                            written[$"{i},{j}"] = chunk;
                        }
                    var reopened = await ZarrArray.OpenAsync(store, path);
                    Assert.Equal(meta.FillValue, reopened.Metadata.FillValue);
                    Assert.Equal(type, reopened.Metadata.DataType);
                    for (long i = 0; i < 3; i++)
                        for (long j = 0; j < 3; j++)
                        {
                            var back = await reopened.ReadChunkAsync([i, j]);
                            Assert.Equal(written.TryGetValue($"{i},{j}", out var w) ? w : reopened.FilledChunk(), back);
                        }
                    // Rows 5–13 cut through chunk rows 0 and 1.
                    var rows = await reopened.ReadAsync(5, 13);
                    Assert.Equal(8 * 23 * type.Size(), rows.Length);
                }
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Fill_values_take_the_specs_json_forms()
    {
        Assert.Equal("\"NaN\"", ZarrDataType.Float32.FillToJson(ZarrDataType.Float32.Fill(double.NaN)).ToJsonString());
        Assert.Equal("\"Infinity\"", ZarrDataType.Float64.FillToJson(ZarrDataType.Float64.Fill(double.PositiveInfinity)).ToJsonString());
        Assert.Equal("\"-Infinity\"", ZarrDataType.Float64.FillToJson(ZarrDataType.Float64.Fill(double.NegativeInfinity)).ToJsonString());
        Assert.Equal("18446744073709551615", ZarrDataType.UInt64.FillToJson(BitConverter.GetBytes(ulong.MaxValue)).ToJsonString());
        Assert.Equal("true", ZarrDataType.Bool.FillToJson([1]).ToJsonString());
        Assert.Equal(BitConverter.GetBytes(1.5f), ZarrDataType.Float32.FillFromJson(System.Text.Json.Nodes.JsonNode.Parse("\"0x3fc00000\""), "t"));
        Assert.Throws<ZarrException>(() => ZarrDataType.Int8.FillFromJson(System.Text.Json.Nodes.JsonNode.Parse("300"), "t"));
    }

    [Fact]
    public async Task Codecs_after_sharding_are_refused()
    {
        var meta = new ArrayMetadata { Shape = [8], DataType = ZarrDataType.Int32, ChunkShape = [8], FillValue = ZarrDataType.Int32.Fill(0), Codecs = [CodecSpec.Sharding([4], [CodecSpec.Bytes()]), CodecSpec.Crc32c()] };
        var e = await Assert.ThrowsAsync<ZarrException>(() => ZarrArray.CreateAsync(new LocalStore(Path.GetTempPath()), "never", meta));
        Assert.Contains("codecs after sharding_indexed", e.Message);
    }

    [Fact]
    public void Store_urls_open_the_right_store()
    {
        Assert.IsType<LocalStore>(ZarrStores.Open("out.zarr"));
        Assert.IsType<LocalStore>(ZarrStores.Open("file:///tmp/out.zarr"));
        Assert.Equal("/tmp/out.zarr", ZarrStores.Open("file:///tmp/out.zarr").Name);
        var s3 = ZarrStores.Open("s3://bucket/runs/out.zarr");
        Assert.IsType<S3Store>(s3);
        Assert.Equal("s3://bucket/runs/out.zarr", s3.Name);
        Assert.Contains("store URLs are paths", Assert.Throws<ZarrException>(() => ZarrStores.Open("https://example/out.zarr")).Message);
        Assert.Contains("names no bucket", Assert.Throws<ZarrException>(() => ZarrStores.Open("s3:///x")).Message);
    }

    [Fact]
    public void Crc32c_matches_the_standard_check_value()
    {
        // The CRC-32C of the ASCII digits 1–9 is 0xE3069283 (RFC 3720's check value).
        Assert.Equal(0xE3069283u, Crc32c.Compute("123456789"u8));
    }
}
