using System.Text.Json;
using Xunit;

namespace Zagg.Hdf5.Tests;

/// <summary>
/// Cases the fuzz campaigns found (Fixtures/fuzz/refused: the mutated files as the campaign wrote them), each one
/// libhdf5 does not read (its verdict recorded by tools/fixtures/fuzz_refused.py in truth.json: an error, or a crash).
/// Zagg's reader must refuse each with an <see cref="Hdf5Exception"/> naming what is wrong, as libhdf5 refuses it.
/// </summary>
public class FuzzRegressionTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "fuzz", "refused");

    private static readonly Dictionary<string, string> Truth =
        JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Path.Combine(Folder, "truth.json")))!;

    [Theory]
    // A filter pipeline message listing no filters: libhdf5 fails allocating its zero entries (H5O__pline_decode).
    [InlineData("structure-15-14530.h5", "filter pipeline message lists no filters")]
    // Fill value message flags 0xFF: bits 6-7 are reserved; libhdf5: "unknown flag for fill value message".
    [InlineData("structure-15-30170.h5", "unknown flag bits 0xC0 in fill value message")]
    // A dense attribute's heap ID claims a tiny object longer than the ID (was an ArgumentOutOfRangeException).
    [InlineData("structure-15-35729.h5", "tiny object of 15 bytes is longer than its 8-byte heap ID")]
    // The same in a dense link's heap ID; libhdf5 crashes (signal 11) on this file.
    [InlineData("structure-15-37095.h5", "tiny object of 10 bytes is longer than its 7-byte heap ID")]
    public async Task A_file_libhdf5_does_not_read_is_refused_with_an_Hdf5Exception(string file, string message)
    {
        Assert.NotEqual("reads", Truth[file]);
        byte[] data = File.ReadAllBytes(Path.Combine(Folder, file));
        var e = await Assert.ThrowsAnyAsync<Hdf5Exception>(() => OurReader.ReadAllAsync(data, file, CancellationToken.None));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.StartsWith(file + ": ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_refused_file_has_libhdf5s_verdict()
    {
        var files = Directory.GetFiles(Folder, "*.h5").Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(files, Truth.Keys.Order().ToArray());
    }
}
