using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;
using Xunit.Abstractions;
using Zagg.Pipeline.Output;
using Zagg.TestSupport;
using Zagg.Zarr;
using Zagg.Zarr.Stores;

namespace Zagg.Pipeline.Tests;

/// <summary>
/// The zarr.json files of a store the product wrote (a pyramid: root group with "multiscales", one group per order,
/// coordinate and variable arrays, chunks written), mutated one at a time — text mutations (<see cref="TextMutator"/>)
/// and structural ones (a key removed, a value of the wrong JSON type, huge or negative shapes and chunk shapes, unknown
/// data types and codecs, bad fill values, deep nesting) — then opened and read the way <c>zagg inspect</c> and
/// <c>zagg render</c> do. Each case reads or fails with <see cref="ZarrException"/> (or <see cref="StoreException"/>)
/// naming the store; never another exception type, never more than <see cref="AllocationBudget"/> bytes, never more
/// than <see cref="CaseLimit"/>.
/// </summary>
public class ZarrMetadataFuzzTests(ITestOutputHelper output)
{
    private const int Cases = 3000;
    private const long AllocationBudget = 64L << 20;
    private static readonly TimeSpan CaseLimit = TimeSpan.FromSeconds(5);
    private const string StoreName = "fuzz-store";

    [Theory]
    [InlineData(false, 15)] // every zarr.json is read
    [InlineData(true, 16)] // consolidated: the root's zarr.json holds every node's metadata
    public async Task Mutated_zarr_json_reads_or_fails_with_a_zarr_error_naming_the_store(bool consolidated, int seed)
    {
        var original = await WriteStoreAsync(consolidated);
        string[] metadataKeys = consolidated ? ["zarr.json"]
            : [.. original.Keys.Where(k => k == "zarr.json" || k.EndsWith("/zarr.json", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];
        Assert.True(consolidated || metadataKeys.Length >= 8, string.Join(", ", metadataKeys));
        // The unmutated store reads (the harness itself is sound).
        Assert.Null(OpenLikeTheCli(new MemoryStore(original)));

        var rng = new Random(seed);
        var failures = new List<string>();
        int accepted = 0, refused = 0;
        for (int c = 0; c < Cases; c++)
        {
            string key = metadataKeys[rng.Next(metadataKeys.Length)];
            string text = Encoding.UTF8.GetString(original[key]);
            var (mutated, how) = rng.Next(2) == 0 ? TextMutator.Mutate(text, rng) : Structural(text, rng);
            var files = new Dictionary<string, byte[]>(original, StringComparer.Ordinal) { [key] = Encoding.UTF8.GetBytes(mutated) };
            var store = new MemoryStore(files);
            long allocated = 0;
            Exception? error = null;
            var run = Task.Run(() =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                error = OpenLikeTheCli(store);
                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            });
            string where = $"case {c} ({key}: {how})";
            try { await run.WaitAsync(CaseLimit); }
            catch (TimeoutException)
            {
                failures.Add($"{where}: did not finish in {CaseLimit.TotalSeconds} s");
                break; // the thread is stuck; nothing after it is meaningful
            }
            if (allocated > AllocationBudget && failures.Count < 20)
                failures.Add($"{where}: allocated {allocated >> 20} MiB (budget {AllocationBudget >> 20} MiB)");
            switch (error)
            {
                case null:
                    accepted++;
                    break;
                case ZarrException z:
                    refused++;
                    if (!z.Message.Contains(StoreName, StringComparison.Ordinal) && failures.Count < 20)
                        failures.Add($"{where}: the message does not name the store: {z.Message}");
                    break;
                default:
                    if (failures.Count < 20)
                        failures.Add($"{where}: {error.GetType().Name}: {error.Message}\n{error.StackTrace?.Split('\n').FirstOrDefault()}");
                    break;
            }
        }
        output.WriteLine($"{Cases} cases: {accepted} accepted, {refused} refused with ZarrException, {failures.Count} bad");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(refused > Cases / 10, $"only {refused} of {Cases} mutations refused");
    }

    /// <summary>A small pyramid (orders 2, 4, 5; compact layout) written with the production path, consolidated or not.</summary>
    private static async Task<Dictionary<string, byte[]>> WriteStoreAsync(bool consolidated)
    {
        var memory = new MemoryStore(new Dictionary<string, byte[]>(StringComparer.Ordinal));
        var store = await DggsStore.CreateAsync(memory, DggsStoreTests.Template(DggsLayout.Compact) with { Orders = [2, 4, 5] });
        for (int i = 0; i < DggsStoreTests.Parents.Length; i += 2)
            await store.WriteCellAsync(DggsStoreTests.Parents[i], i, DggsStoreTests.CellValues(i));
        if (consolidated) await store.ConsolidateAsync();
        return memory.Files;
    }

    /// <summary>
    /// What <c>zagg inspect</c> and <c>zagg render</c> read: the store and its levels, each level's DGGS attributes and
    /// array summaries, every variable's cells. Returns the exception, or null when it all reads.
    /// </summary>
    private static Exception? OpenLikeTheCli(IZarrStore store)
    {
        try
        {
            var dggs = DggsStore.OpenAsync(store).GetAwaiter().GetResult();
            _ = ZarrHierarchy.ReadNodeAsync(store, "").GetAwaiter().GetResult();
            _ = DggsCellValues.LevelsAsync(store).GetAwaiter().GetResult();
            foreach (var level in dggs.Levels.Values)
            {
                _ = level.Template.GroupPath;
                _ = level.Template.ParentCellCount;
                _ = DggsInspection.DggsAttributesAsync(level).GetAwaiter().GetResult();
                _ = DggsInspection.SummarizeAsync(level).GetAwaiter().GetResult();
                foreach (var v in level.Template.Variables)
                    _ = DggsCellValues.ReadAsync(level, v.Name).GetAwaiter().GetResult();
            }
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    private static readonly string[] WrongValues =
    [
        "null", "true", "\"x\"", "[]", "{}", "-1", "0", "1.5", "2147483648", "9223372036854775807", "1e999", "[-1]", "[0]",
        "[2147483647]", "[9223372036854775807]", "[4611686018427387904]", "[\"a\"]", "[null]", "[[1]]", "[1,2]",
        "\"complex128\"", "\"float16\"", "\"r7\"", "\"bool\"", "\"uint64\"", "\"NaN\"", "\"Infinity\"", "\"0x7fc00000\"", "\"0x1\"",
        "[{\"name\": \"zstd\"}]", "[{\"name\": \"gzip\", \"configuration\": {\"level\": 99}}]", "[{\"name\": \"bytes\", \"configuration\": {\"endian\": \"middle\"}}]",
        "[{\"name\": \"sharding_indexed\", \"configuration\": {\"chunk_shape\": [0], \"codecs\": [], \"index_codecs\": []}}]",
        "[{\"name\": \"sharding_indexed\", \"configuration\": {\"chunk_shape\": [2147483647], \"codecs\": [{\"name\": \"bytes\"}], \"index_codecs\": [{\"name\": \"bytes\"}]}}]",
        "[]", "[{}]", "[null]", "{\"name\": \"regular\"}", "{\"name\": \"rectilinear\", \"configuration\": {}}",
        "{\"name\": \"v2\"}", "{\"name\": \"default\", \"configuration\": {\"separator\": 7}}",
        "{\"layout\": 3}", "{\"layout\": [null, 1, {\"asset\": 7}]}", "{\"zagg\": []}", "{\"zagg\": {\"child_order\": \"x\"}}",
        "{\"zagg\": {\"parent_order\": 40, \"child_order\": -3}}", "{\"zagg\": {\"parent_order\": 2, \"child_order\": 5, \"layout\": \"compact\", \"latitude_convention\": \"flat\"}}",
    ];

    /// <summary>One structural change to a parsed zarr.json: a key removed or given a wrong value, or the document nested deep.</summary>
    private static (string Text, string How) Structural(string text, Random rng)
    {
        var root = JsonNode.Parse(text)!.AsObject();
        var objects = new List<JsonObject>();
        Collect(root, objects);
        var target = objects[rng.Next(objects.Count)];
        string how;
        switch (rng.Next(10))
        {
            case 0 when target.Count > 0:
            {
                string k = target.ElementAt(rng.Next(target.Count)).Key;
                target.Remove(k);
                how = $"remove {k}";
                break;
            }
            case 1:
            {
                int depth = 1 + rng.Next(2000);
                string deep = new string('[', depth) + new string(']', depth);
                string k = target.Count > 0 ? target.ElementAt(rng.Next(target.Count)).Key : "x";
                // Splice the nesting in as text: JsonNode cannot hold it past its own depth limit.
                target[k] = "\u0001DEEP\u0001";
                return (root.ToJsonString().Replace("\"\\u0001DEEP\\u0001\"", deep, StringComparison.Ordinal), $"{k} nested {depth} deep");
            }
            default:
            {
                string[] known = ["shape", "chunk_shape", "data_type", "fill_value", "codecs", "chunk_grid", "chunk_key_encoding",
                    "zarr_format", "node_type", "attributes", "dimension_names", "multiscales", "zagg", "dggs", "child_order",
                    "parent_order", "parent_cells", "layout", "latitude_convention", "orders", "configuration", "name", "separator"];
                var present = target.Select(p => p.Key).Where(k => known.Contains(k)).ToList();
                string k = present.Count > 0 && rng.Next(4) != 0 ? present[rng.Next(present.Count)]
                    : target.Count > 0 ? target.ElementAt(rng.Next(target.Count)).Key : known[rng.Next(known.Length)];
                string v = WrongValues[rng.Next(WrongValues.Length)];
                target[k] = JsonNode.Parse(v);
                how = $"{k} = {v}";
                break;
            }
        }
        return (root.ToJsonString(), how);
    }

    private static void Collect(JsonNode? node, List<JsonObject> into)
    {
        if (node is JsonObject o)
        {
            into.Add(o);
            foreach (var (_, v) in o) Collect(v, into);
        }
        else if (node is JsonArray a)
            foreach (var v in a) Collect(v, into);
    }

    /// <summary>An in-memory store whose calls complete synchronously, so a case runs on one thread (its allocations counted).</summary>
    private sealed class MemoryStore(Dictionary<string, byte[]> files) : IZarrStore
    {
        public Dictionary<string, byte[]> Files => files;

        public string Name => StoreName;

        public Task<byte[]?> GetAsync(string key, CancellationToken ct = default)
            => Task.FromResult(files.TryGetValue(key, out var v) ? v : null);

        public Task SetAsync(string key, ReadOnlyMemory<byte> value, CancellationToken ct = default)
        {
            files[key] = value.ToArray();
            return Task.CompletedTask;
        }

        public Task DeleteAsync(string key, CancellationToken ct = default)
        {
            files.Remove(key);
            return Task.CompletedTask;
        }

        public Task<bool> ExistsAsync(string key, CancellationToken ct = default) => Task.FromResult(files.ContainsKey(key));

        public async IAsyncEnumerable<string> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct = default)
        {
            await Task.CompletedTask;
            foreach (string k in files.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList())
                yield return k;
        }
    }
}
