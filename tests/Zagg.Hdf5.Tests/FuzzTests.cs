using System.Diagnostics;
using Xunit;
using Xunit.Abstractions;
using Zagg.Hdf5.IO;

namespace Zagg.Hdf5.Tests;

/// <summary>
/// Damaged files: seeded mutations of small fixtures (byte overwrites, bit flips, random
/// addresses, truncation). Every case must either read or fail with an <see cref="Hdf5Exception"/>:
/// no other exception, no hang, no huge allocation.
/// </summary>
public class FuzzTests(ITestOutputHelper output)
{
    // ZAGG_FUZZ_CASES and ZAGG_FUZZ_SEED run a longer or different campaign locally; CI uses the defaults.
    private static readonly int Cases = int.TryParse(Environment.GetEnvironmentVariable("ZAGG_FUZZ_CASES"), out int n) ? n : 10_000;
    private static readonly int Seed = int.TryParse(Environment.GetEnvironmentVariable("ZAGG_FUZZ_SEED"), out int s) ? s : 20261121;

    [Fact]
    public async Task Mutated_files_fail_cleanly_or_read()
    {
        // The two small fixtures, then files from the wild: partial edge chunks stored unfiltered, unusual sizes of
        // offsets and lengths (superblocks 0 and 3), null and empty dataspaces with a paged fixed array.
        byte[][] originals =
        [
            File.ReadAllBytes(Truth.Fixture("fuzz_earliest.h5")), File.ReadAllBytes(Truth.Fixture("fuzz_latest.h5")),
            File.ReadAllBytes(WildTruth.Fixture("partial_edge.h5")), File.ReadAllBytes(WildTruth.Fixture("sizes_sb0_o4_l2.h5")),
            File.ReadAllBytes(WildTruth.Fixture("sizes_sb3_o2_l8.h5")), File.ReadAllBytes(WildTruth.Fixture("empty.h5")),
        ];
        foreach (var o in originals) Assert.Equal(0, await ExerciseAsync(o, CancellationToken.None)); // the originals read whole
        var rng = new Random(Seed);
        var failures = new List<string>();
        int clean = 0, rejected = 0;
        var watch = Stopwatch.StartNew();
        for (int c = 0; c < Cases; c++)
        {
            var original = originals[c % 4 < 2 ? c % 2 : 2 + c / 4 % (originals.Length - 2)]; // half the cases on the small fixtures
            byte[] data = (byte[])original.Clone();
            string how = Mutate(data, rng, out int length);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                var task = ExerciseAsync(data.AsMemory(0, length), timeout.Token);
                if (await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(10))) != task)
                {
                    failures.Add($"case {c} ({how}): hung");
                    continue;
                }
                await task;
                clean++;
            }
            catch (Hdf5Exception) { rejected++; }
            catch (Exception e)
            {
                if (failures.Count < 15) failures.Add($"case {c} ({how}): {e.GetType().Name}: {e.Message}\n{string.Join("\n", (e.StackTrace ?? "").Split((char)10).Where(l => l.Contains("Zagg")).Take(3))}");
                else failures.Add("");
            }
        }
        output.WriteLine($"seed {Seed}: {Cases} cases in {watch.Elapsed.TotalSeconds:F1} s: {clean} read, {rejected} rejected with Hdf5Exception, {failures.Count} other");
        Assert.True(failures.Count == 0, $"{failures.Count} cases failed badly:\n" + string.Join("\n", failures.Where(f => f.Length > 0)));
        Assert.True(rejected > Cases / 10, $"only {rejected} of {Cases} mutations were noticed");
    }

    private static string Mutate(byte[] data, Random rng, out int length)
    {
        length = data.Length;
        int kind = rng.Next(10);
        if (kind == 0)
        {
            length = rng.Next(data.Length);
            return $"truncated to {length}";
        }
        int n = 1 + rng.Next(4);
        var parts = new List<string>();
        for (int i = 0; i < n; i++)
        {
            int at = rng.Next(data.Length);
            switch (rng.Next(3))
            {
                case 0: data[at] = (byte)rng.Next(256); parts.Add($"byte {at}"); break;
                case 1: data[at] ^= (byte)(1 << rng.Next(8)); parts.Add($"bit at {at}"); break;
                default:
                    for (int k = 0; k < 8 && at + k < data.Length; k++) data[at + k] = (byte)rng.Next(256);
                    parts.Add($"8 bytes at {at}");
                    break;
            }
        }
        return string.Join(", ", parts);
    }

    /// <summary>Reads everything: every group, attribute and dataset (up to 16 MB each). Returns 0.</summary>
    private static async Task<int> ExerciseAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        await using var file = await Hdf5File.OpenAsync(new MemoryByteSource(bytes, "fuzz.h5"), ct: ct);
        var seen = new HashSet<string>();
        var queue = new Queue<Hdf5Object>();
        queue.Enqueue(file.Root);
        int visited = 0;
        while (queue.Count > 0 && visited++ < 200)
        {
            ct.ThrowIfCancellationRequested();
            var o = queue.Dequeue();
            foreach (var a in await o.AttributesAsync(ct))
            {
                if (a.Datatype.Class is Hdf5TypeClass.FixedPoint or Hdf5TypeClass.FloatingPoint) a.GetNumbers<double>();
                else if (a.Datatype.Class == Hdf5TypeClass.String || a.Datatype.IsVariableLengthString) await a.GetStringsAsync(ct);
            }
            if (o is Hdf5Group g)
            {
                foreach (var child in await g.ChildrenAsync(ct))
                    if (seen.Add(child.Path) && child.Path.Length < 200) queue.Enqueue(child);
            }
            else if (o is Hdf5Dataset d && d.Datatype.IsSupported)
            {
                long bytesNeeded = d.ElementCount * d.Datatype.Size;
                if (bytesNeeded > 16 << 20) continue;
                if (d.Datatype.IsVariableLengthString || d.Datatype.Class == Hdf5TypeClass.String) await d.ReadStringsAsync(ct: ct);
                else await d.ReadAsync<double>(ct: ct);
            }
        }
        return 0;
    }
}
