using System.Text;
using Xunit;

namespace Zagg.Hdf5.Tests;

/// <summary>Every dataset and attribute of files written by the HDF5 C library, in three format versions, against h5py.</summary>
public class FixtureTests
{
    public static TheoryData<string> Files => new(Truth.Files);

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Every_dataset_matches_h5py_element_by_element(string file)
    {
        await using var h5 = await Hdf5File.OpenAsync(Truth.Fixture(file));
        int n = 0;
        foreach (string path in Truth.DatasetPaths().Where(p => !p.StartsWith("/unsupported/")))
        {
            var meta = Truth.Meta.GetProperty("datasets").GetProperty(path);
            var d = await h5.GetDatasetAsync(path);
            var (descr, shape, data) = Truth.Values(path);
            Assert.True(shape.SequenceEqual(d.Shape), $"{file} {path}: shape {string.Join(",", d.Shape)}, h5py {string.Join(",", shape)}");
            Assert.Equal(meta.GetProperty("layout").GetString(), d.Layout);
            if (meta.GetProperty("chunks").ValueKind == System.Text.Json.JsonValueKind.Array)
                Assert.Equal(meta.GetProperty("chunks").EnumerateArray().Select(x => x.GetInt64()), d.ChunkShape!);
            var max = meta.GetProperty("maxshape").EnumerateArray().Select(x => x.GetInt64()).ToArray();
            Assert.True(max.SequenceEqual(d.MaxShape ?? d.Shape), $"{file} {path}: maxshape");
            Assert.Equal(meta.GetProperty("shuffle").GetBoolean(), d.Filters.Contains("shuffle"));
            Assert.Equal(meta.GetProperty("fletcher32").GetBoolean(), d.Filters.Contains("fletcher32"));
            if (meta.GetProperty("compression").GetString() == "gzip")
                Assert.Contains($"gzip({meta.GetProperty("compression_opts").GetInt32()})", d.Filters);
            if (meta.GetProperty("dtype").GetString() == "vlen-str")
            {
                Assert.True(d.Datatype.IsVariableLengthString);
                var strings = await d.ReadStringsAsync();
                var expected = Enumerable.Range(0, strings.Length).Select(i => Encoding.UTF8.GetString(data.AsSpan(i * (data.Length / strings.Length), data.Length / strings.Length)).TrimEnd('\0'));
                Assert.Equal(expected, strings);
            }
            else
            {
                Assert.Equal(descr, d.Datatype.NumpyDescr);
                var bytes = await d.ReadBytesAsync();
                Assert.True(data.AsSpan().SequenceEqual(bytes), $"{file} {path}: values differ from h5py's");
            }
            n++;
        }
        Assert.True(n >= 60, $"only {n} datasets");
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Every_attribute_matches_h5py(string file)
    {
        await using var h5 = await Hdf5File.OpenAsync(Truth.Fixture(file));
        int n = 0;
        foreach (var owner in Truth.Meta.GetProperty("attributes").EnumerateObject())
        {
            var obj = owner.Name == "/" ? h5.Root : await h5.TryGetAsync(owner.Name) ?? throw new Exception($"{owner.Name} missing");
            var attributes = await obj.AttributesAsync();
            Assert.Equal(owner.Value.EnumerateObject().Select(a => a.Name).Order(), attributes.Select(a => a.Name).Order());
            foreach (var expected in owner.Value.EnumerateObject())
            {
                var a = attributes.Single(x => x.Name == expected.Name);
                var v = expected.Value.GetProperty("value");
                switch (expected.Value.GetProperty("type").GetString())
                {
                    case "bytes":
                    case "str":
                        Assert.Equal(v.GetString(), (await a.GetStringsAsync()).Single());
                        break;
                    case "scalar":
                        Assert.Equal(v.GetDouble(), a.GetNumbers<double>().Single());
                        break;
                    case "array":
                        Assert.Equal(v.EnumerateArray().Select(x => x.GetDouble()), a.GetNumbers<double>());
                        break;
                }
                n++;
            }
        }
        Assert.True(n >= 20, $"only {n} attributes");
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Row_ranges_match_slices_of_the_whole(string file)
    {
        await using var h5 = await Hdf5File.OpenAsync(Truth.Fixture(file));
        foreach (string path in Truth.DatasetPaths().Where(p => !p.StartsWith("/unsupported/")))
        {
            var d = await h5.GetDatasetAsync(path);
            if (d.Shape.Length == 0 || d.Datatype.IsVariableLengthString) continue;
            var (_, shape, data) = Truth.Values(path);
            long rows = shape[0];
            long rowBytes = rows == 0 ? 0 : data.Length / rows;
            foreach (var (s, e) in new[] { (0L, rows), (rows / 3, rows / 2), (rows - 1, rows), (rows / 2, rows / 2) })
            {
                if (s < 0 || e < s) continue;
                var part = await d.ReadBytesAsync(s, e);
                Assert.True(data.AsSpan((int)(s * rowBytes), (int)((e - s) * rowBytes)).SequenceEqual(part), $"{file} {path} rows {s}–{e}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Typed_reads_convert_every_width_and_byte_order(string file)
    {
        await using var h5 = await Hdf5File.OpenAsync(Truth.Fixture(file));
        var le = await (await h5.GetDatasetAsync("/types/le_i4")).ReadAsync<long>();
        var raw = Truth.Values("/types/le_i4").Data;
        Assert.Equal(BitConverter.ToInt32(raw, 8), le[2]);
        var be = await (await h5.GetDatasetAsync("/types/be_f8_chunked")).ReadAsync<double>();
        var beRaw = Truth.Values("/types/be_f8_chunked").Data;
        Assert.Equal(System.Buffers.Binary.BinaryPrimitives.ReadDoubleBigEndian(beRaw.AsSpan(8 * 999)), be[999]);
        var u8 = await (await h5.GetDatasetAsync("/types/be_u8")).ReadAsync<ulong>();
        Assert.Equal(System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(Truth.Values("/types/be_u8").Data.AsSpan(8 * 5)), u8[5]);
        var i1 = await (await h5.GetDatasetAsync("/types/i1")).ReadAsync<double>();
        Assert.Equal((sbyte)Truth.Values("/types/i1").Data[7], i1[7]);
    }
}
