using System.Text;
using System.Text.Json;
using Xunit;

namespace Zagg.Hdf5.Tests;

/// <summary>
/// Fixed-length string padding (issue 15): null-terminated, null-padded and space-padded strings, ASCII and UTF-8, in
/// datasets (contiguous, chunked, scalar) and attributes (array, scalar), including values filling the whole width,
/// empty ones, nulls inside and trailing spaces; and variable-length strings in attributes and datasets. Every value
/// is the bytes h5py gives (libhdf5 1.10.8 converting to its null-padded type; NumPy dropping trailing nulls).
/// Fixtures and truth: tools/fixtures/hdf5_strings.py (Fixtures/strings).
/// </summary>
public class StringPaddingTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "strings", name);

    internal static readonly JsonElement Truth = JsonDocument.Parse(File.ReadAllText(Fixture("strings_truth.json"))).RootElement;

    internal static string[] Expected(JsonElement e) => e.ValueKind == JsonValueKind.Array
        ? e.EnumerateArray().Select(x => Encoding.UTF8.GetString(Convert.FromHexString(x.GetString()!))).ToArray()
        : [Encoding.UTF8.GetString(Convert.FromHexString(e.GetString()!))];

    public static TheoryData<string> Datasets() => new(Truth.GetProperty("datasets").EnumerateObject().Select(p => p.Name));

    public static TheoryData<string> Attributes() => new(Truth.GetProperty("attributes").EnumerateObject().Select(p => p.Name));

    [Theory]
    [MemberData(nameof(Datasets))]
    public async Task Dataset_strings_read_as_h5py_reads_them(string name)
    {
        await using var h5 = await Hdf5File.OpenAsync(Fixture("strings.h5"));
        var d = await h5.GetDatasetAsync("/" + name);
        var truth = Truth.GetProperty("datasets").GetProperty(name);
        Assert.Equal(truth.ValueKind == JsonValueKind.Array ? 1 : 0, d.Shape.Length);
        Assert.Equal(Expected(truth), await d.ReadStringsAsync());
        if (d.Datatype.Class != Hdf5TypeClass.String) return;
        Assert.Equal(name.StartsWith("nullterm", StringComparison.Ordinal) ? Hdf5StringPadding.NullTerminated
            : name.StartsWith("nullpad", StringComparison.Ordinal) ? Hdf5StringPadding.NullPadded : Hdf5StringPadding.SpacePadded, d.Datatype.StringPadding);
        Assert.Equal(name.Contains("utf8", StringComparison.Ordinal), d.Datatype.StringIsUtf8);
        // The bytes `zagg h5 read` writes: those of the .npy numpy.save wrote for h5py's array.
        var raw = await d.ReadBytesAsync();
        d.Datatype.ToNullPadded(raw);
        using var npy = File.OpenRead(Fixture(Path.Combine("strings_npy", name + ".npy")));
        var (descr, shape, data) = Npy.Read(npy);
        Assert.Equal(descr, d.Datatype.NumpyDescr);
        Assert.Equal(shape, d.Shape);
        Assert.Equal(data, raw);
    }

    [Theory]
    [MemberData(nameof(Attributes))]
    public async Task Attribute_strings_read_as_h5py_reads_them(string name)
    {
        await using var h5 = await Hdf5File.OpenAsync(Fixture("strings.h5"));
        var a = await h5.Root.TryGetAttributeAsync(name);
        Assert.NotNull(a);
        var truth = Truth.GetProperty("attributes").GetProperty(name);
        Assert.Equal(truth.ValueKind == JsonValueKind.Array ? 1 : 0, a.Shape.Length);
        Assert.Equal(Expected(truth), await a.GetStringsAsync());
    }

    [Fact]
    public async Task The_fixture_holds_every_padding_the_edge_values_and_variable_length_attributes()
    {
        await using var h5 = await Hdf5File.OpenAsync(Fixture("strings.h5"));
        // Null-terminated: ends at the first null; space-padded: trailing spaces dropped; null-padded: as stored.
        Assert.Equal(["abcdefgh", "ab", "", "a b  ", "ab", "", "ab  ", "é€", "éeé€"], await (await h5.GetDatasetAsync("/nullterm_ascii")).ReadStringsAsync());
        Assert.Equal(["abcdefgh", "ab", "", "a b", "ab\0cd", "\0abc", "ab  ", "é€", "éeé€"], await (await h5.GetDatasetAsync("/spacepad_utf8_chunked")).ReadStringsAsync());
        Assert.Equal(["abcdefgh", "ab", "", "a b  ", "ab\0cd", "\0abc", "ab  ", "é€", "éeé€"], await (await h5.Root.TryGetAttributeAsync("nullpad_ascii"))!.GetStringsAsync());
        Assert.Equal(["x y"], await (await h5.Root.TryGetAttributeAsync("spacepad_ascii_scalar"))!.GetStringsAsync());
        Assert.Equal(["a", "", "ü €", "trailing  "], await (await h5.Root.TryGetAttributeAsync("vlen_utf8_array"))!.GetStringsAsync());
        Assert.True((await h5.Root.TryGetAttributeAsync("vlen_ascii"))!.Datatype.IsVariableLengthString);
    }
}
