using System.IO.Compression;
using System.Text.Json;
using Xunit;

namespace Zagg.Hdf5.Tests;

/// <summary>What h5py (libhdf5 1.10.8) read from the files of tools/fixtures/hdf5_fill.py (Fixtures/fill).</summary>
internal static class FillTruth
{
    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "fill", name);

    public static readonly JsonElement Meta = JsonDocument.Parse(File.ReadAllText(Fixture("fill_truth.json"))).RootElement;

    public static readonly Lazy<Dictionary<string, (string Descr, long[] Shape, byte[] Data)>> Arrays = new(() =>
    {
        var result = new Dictionary<string, (string, long[], byte[])>();
        using var zip = ZipFile.OpenRead(Fixture("fill_truth.npz"));
        foreach (var entry in zip.Entries)
        {
            using var s = entry.Open();
            result[entry.FullName[..^4]] = Npy.Read(s);
        }
        return result;
    });

}

/// <summary>
/// The fill value audit of issue 15: for every layout (contiguous; chunked under every chunk index, with and without
/// deflate) × space allocation time × fill value write time × fill value (undefined, default, user-defined) × written
/// (none, part), in fill value message versions 3 (fill_latest), 2 (fill_earliest), 1 (fill_v1) and the old message
/// alone (fill_old), every dataset reads as h5py (libhdf5 1.10.8, into its zero-initialised buffer) reads it, or is
/// refused where libhdf5 refuses it. Fixtures and truth: tools/fixtures/hdf5_fill.py (Fixtures/fill).
/// </summary>
public class FillValueTests
{
    private static string Fixture(string name) => FillTruth.Fixture(name);

    private static JsonElement Meta => FillTruth.Meta;

    private static Lazy<Dictionary<string, (string Descr, long[] Shape, byte[] Data)>> Arrays => FillTruth.Arrays;

    public static TheoryData<string> Files() => new(Meta.GetProperty("read").EnumerateObject().Select(p => p.Name));

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Every_dataset_reads_as_libhdf5_reads_it_or_is_refused_where_libhdf5_refuses_it(string file)
    {
        await using var h5 = await Hdf5File.OpenAsync(Fixture(file + ".h5"));
        var problems = new List<string>();
        int read = 0, refused = 0;
        foreach (var p in Meta.GetProperty("read").GetProperty(file).EnumerateObject())
        {
            var d = await h5.GetDatasetAsync("/" + p.Name);
            if (p.Value.GetString() == "read")
            {
                var (descr, shape, data) = Arrays.Value[file + "/" + p.Name];
                Assert.Equal(descr, d.Datatype.NumpyDescr);
                Assert.Equal(shape, d.Shape);
                byte[] ours;
                try { ours = await d.ReadBytesAsync(); }
                catch (Hdf5Exception e) { problems.Add($"{p.Name}: refused ({e.Message}), libhdf5 reads it"); continue; }
                if (!ours.AsSpan().SequenceEqual(data)) problems.Add($"{p.Name}: [{string.Join(",", Ints(ours))}], libhdf5 [{string.Join(",", Ints(data))}]");
                // Rows that end before, and start after, the written part.
                if (!(await d.ReadBytesAsync(2, 4)).AsSpan().SequenceEqual(data.AsSpan(48))) problems.Add($"{p.Name}: rows 2-4 differ");
                read++;
            }
            else
            {
                Assert.Contains("dataset doesn't exist", p.Value.GetString());
                var e = await Record.ExceptionAsync(() => d.ReadBytesAsync());
                if (e is not Hdf5Exception) problems.Add($"{p.Name}: read ({e?.GetType().Name ?? "values"}), libhdf5 refuses it");
                else Assert.Contains("defines no fill value", e.Message);
                refused++;
            }
        }
        Assert.True(problems.Count == 0, $"{file}: {problems.Count} of {read + refused} datasets differ from libhdf5:\n" + string.Join("\n", problems));
        Assert.True(read > 100 && refused > 0, $"{file}: {read} read, {refused} refused");
    }

    private static int[] Ints(byte[] b) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(b).ToArray();

    [Fact]
    public void Every_combination_libhdf5_creates_is_there()
    {
        // 6 + 3 layouts × 3 × 3 × 3 × 2; libhdf5 refuses "write on allocation" with an undefined value (3 × 2 per layout).
        Assert.Equal(9 * 3 * 2, Meta.GetProperty("refused").GetArrayLength());
        foreach (var name in Meta.GetProperty("refused").EnumerateArray()) Assert.Contains("_alloc_undef_", name.GetString());
        Assert.Equal(6 * 54 - 36, Meta.GetProperty("read").GetProperty("fill_latest").EnumerateObject().Count());
        Assert.Equal(3 * 54 - 18, Meta.GetProperty("read").GetProperty("fill_earliest").EnumerateObject().Count());
    }

    [Fact]
    public async Task The_fixtures_hold_every_chunk_index_and_fill_value_message()
    {
        await using var latest = await Hdf5File.OpenAsync(Fixture("fill_latest.h5"));
        string[] indexes = new string[6];
        int i = 0;
        foreach (var name in new[] { "single_late_ifset_user_part", "fa_late_ifset_user_part", "fa_early_ifset_user_part", "ea_late_ifset_user_part", "bt2_late_ifset_user_part", "fa_gz_late_ifset_user_part" })
            indexes[i++] = (await latest.GetDatasetAsync("/" + name)).ChunkIndex!;
        Assert.Equal(["single-chunk", "fixed-array", "implicit", "extensible-array", "btree-v2", "fixed-array"], indexes[..6]);
        await using var old = await Hdf5File.OpenAsync(Fixture("fill_old.h5"));
        // The old message alone: the user's value, written "if set".
        var d = await old.GetDatasetAsync("/contig_late_never_user_none");
        Assert.Equal(-7, BitConverter.ToInt32(d.FillValue!.Value.Span));
        Assert.Equal(Enumerable.Repeat(-7, 24), Ints(await d.ReadBytesAsync()));
        await using var v3 = await Hdf5File.OpenAsync(Fixture("fill_latest.h5"));
        // Write time "never": the value is defined, yet elements never written read as zeros.
        d = await v3.GetDatasetAsync("/contig_late_never_user_none");
        Assert.Equal(-7, BitConverter.ToInt32(d.FillValue!.Value.Span));
        Assert.Equal(new int[24], Ints(await d.ReadBytesAsync()));
        Assert.Null((await v3.GetDatasetAsync("/contig_late_ifset_default_none")).FillValue);
    }
}
