using System.Diagnostics;
using Xunit;
using Xunit.Abstractions;
using Zagg.Hdf5.IO;

namespace Zagg.Hdf5.Tests;

/// <summary>
/// Damaged files, two campaigns over files libhdf5 wrote: random mutations (byte overwrites, bit flips, truncation)
/// and structure-aware ones (<see cref="Hdf5Structure"/>: fields of the superblock, object header messages, B-tree,
/// heap and index structures set to boundary values, other structures' addresses, the file's size; checksums made
/// valid again so the mutation reaches the parser). Every case must read or fail with an <see cref="Hdf5Exception"/>:
/// no other exception, no hang (a per-case time limit), no allocation the file and the values read cannot justify.
/// Where the reader reads a case whole, PureHDF (a second, independent reader) reads it too, on its own thread
/// with a time limit: every dataset both read must be equal bit for bit; PureHDF's hangs and failures only count as
/// "oracle unavailable".
/// </summary>
/// <remarks>
/// CI runs 10,000 cases of each. A longer campaign (see README):
/// <c>ZAGG_FUZZ_CASES=1000000 dotnet test tests/Zagg.Hdf5.Tests -c Release --filter "FullyQualifiedName~FuzzTests.Structure"</c>;
/// ZAGG_FUZZ_SEED picks another seed.
/// </remarks>
public class FuzzTests(ITestOutputHelper output)
{
    private static readonly int Cases = int.TryParse(Environment.GetEnvironmentVariable("ZAGG_FUZZ_CASES"), out int n) ? n : 10_000;
    private static readonly int Seed = int.TryParse(Environment.GetEnvironmentVariable("ZAGG_FUZZ_SEED"), out int s) ? s : 20261121;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The most a case may allocate beyond the values it reads: 64 bytes per byte of the file, plus 8 MiB, plus one
    /// output buffer of a dataset the test reads (at most <see cref="OurReader.MaxDatasetBytes"/>: a small file may
    /// rightly declare a large dataset of fill values, and its buffer is allocated before a damaged chunk index is
    /// found; seed 16 case 27370 of the 1M run). Metadata sized by a damaged count or length must be refused before it
    /// is allocated, so it never comes near this.
    /// </summary>
    private static long Budget(int fileLength, long valueBytes) => 64L * fileLength + 4 * valueBytes + (8 << 20) + OurReader.MaxDatasetBytes;

    private static readonly string[] SmallFiles =
    [
        "fuzz_earliest.h5", "fuzz_latest.h5", "fuzz/layouts_latest.h5", "fuzz/layouts_earliest.h5",
        "wild/partial_edge.h5", "wild/sizes_sb0_o4_l2.h5", "wild/sizes_sb3_o2_l8.h5", "wild/empty.h5",
    ];

    private static byte[] Load(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));

    [Fact]
    public async Task Randomly_mutated_files_fail_cleanly_or_read_as_PureHDF_reads_them()
    {
        var originals = SmallFiles.Select(Load).ToArray();
        var rng = new Random(Seed);
        await CampaignAsync("random", Cases, originals, (data, i) =>
        {
            string how = RandomMutation(data, rng, out int length);
            return (how, length);
        });
    }

    [Fact]
    public async Task Structure_aware_mutations_fail_cleanly_or_read_as_PureHDF_reads_them()
    {
        var originals = SmallFiles.Select(Load).ToArray();
        var structures = new Hdf5Structure[originals.Length];
        var named = new Field[originals.Length][];
        var bytes = new Field[originals.Length][];
        for (int i = 0; i < originals.Length; i++)
        {
            structures[i] = await Hdf5Structure.WalkAsync(originals[i]);
            named[i] = structures[i].Fields.Where(f => !f.Name.Contains(" byte ", StringComparison.Ordinal)).ToArray();
            bytes[i] = structures[i].Fields.Where(f => f.Name.Contains(" byte ", StringComparison.Ordinal)).ToArray();
            output.WriteLine($"{SmallFiles[i]}: {named[i].Length} named fields, {bytes[i].Length} other structure bytes, {structures[i].Checksummed.Count} checksummed ranges, {structures[i].Chunks.Count} chunks");
            Assert.True(named[i].Length > 20, $"{SmallFiles[i]}: the walker found only {named[i].Length} fields");
        }
        var rng = new Random(Seed + 1);
        await CampaignAsync("structure", Cases, originals, (data, i) =>
        {
            int f = i % originals.Length;
            var st = structures[f];
            int count = rng.Next(10) < 7 ? 1 : 2 + rng.Next(2);
            var parts = new List<string>();
            for (int k = 0; k < count; k++)
            {
                int pick = rng.Next(10);
                if (pick < 7 || bytes[f].Length == 0 && st.Chunks.Count == 0)
                {
                    var field = named[f][rng.Next(named[f].Length)];
                    ulong value = Interesting(data, field, st, rng);
                    Write(data, field.Offset, field.Width, value);
                    st.FixChecksums(data, field.Offset, field.Width);
                    parts.Add($"{field.Name} at {field.Offset} = {value}");
                }
                else if (pick < 9 && bytes[f].Length > 0)
                {
                    var field = bytes[f][rng.Next(bytes[f].Length)];
                    data[field.Offset] = (byte)rng.Next(256);
                    st.FixChecksums(data, field.Offset, 1);
                    parts.Add($"{field.Name} at {field.Offset}");
                }
                else if (st.Chunks.Count > 0)
                {
                    var (start, length) = st.Chunks[rng.Next(st.Chunks.Count)];
                    int at = start + rng.Next(Math.Max(1, length));
                    if (at < data.Length) data[at] ^= (byte)(1 << rng.Next(8));
                    parts.Add($"chunk byte at {at}");
                }
            }
            return ($"{SmallFiles[f]}: {string.Join(", ", parts)}", data.Length);
        }, fileOf: i => i % originals.Length);
    }

    private static ulong Interesting(byte[] data, Field field, Hdf5Structure st, Random rng)
    {
        ulong max = field.Width >= 8 ? ulong.MaxValue : (1UL << (8 * field.Width)) - 1;
        ulong v = 0;
        for (int i = field.Width - 1; i >= 0; i--) v = v << 8 | data[field.Offset + i];
        ulong x = rng.Next(16) switch
        {
            0 => 0,
            1 => 1,
            2 => v + 1,
            3 => v - 1,
            4 => v ^ (1UL << rng.Next(8 * field.Width)),
            5 => v * 2,
            6 => v / 2,
            7 => max,
            8 => max >> 1,
            9 => (max >> 1) + 1,
            10 => (ulong)data.Length + (ulong)rng.Next(-2, 3),
            11 => (ulong)st.Addresses[rng.Next(st.Addresses.Count)],
            12 => v + (ulong)rng.Next(2, 64),
            13 => (ulong)rng.Next(2, 17),
            14 => (ulong)rng.NextInt64(),
            _ => v - (ulong)rng.Next(2, 64),
        };
        return x & max;
    }

    private static void Write(byte[] data, int at, int width, ulong value)
    {
        for (int i = 0; i < width; i++) { data[at + i] = (byte)value; value >>= 8; }
    }

    private static string RandomMutation(byte[] data, Random rng, out int length)
    {
        length = data.Length;
        if (rng.Next(10) == 0)
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

    private sealed class Outcome
    {
        public Dictionary<string, DatasetValues>? Values;
        public Exception? Error;
        public long Allocated, ValueBytes;
        public bool Hung;

        /// <summary>PureHDF's reading, when it was asked (null: not asked, or its reading was abandoned).</summary>
        public OracleReading? Theirs;
        public bool OracleHung;
    }

    /// <summary>One mutated file waiting to be read: the case number, how it was mutated, its bytes and length.</summary>
    private readonly record struct Case(int Number, string How, byte[] Data, int Length, byte[] Original);

    /// <summary>Runs this reader over a whole file on the calling thread, its allocations counted.</summary>
    private static Outcome Ours(byte[] data, int length, CancellationToken ct)
    {
        var outcome = new Outcome();
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            outcome.Values = OurReader.ReadAllAsync(data.AsMemory(0, length), "fuzz.h5", ct).GetAwaiter().GetResult();
            foreach (var v in outcome.Values.Values) outcome.ValueBytes += v.Bytes?.Length ?? 0;
        }
        catch (Exception e) { outcome.Error = e; }
        outcome.Allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        return outcome;
    }

    /// <summary>
    /// Reads a batch of cases on <see cref="Threads"/> worker threads (one pool per batch, not a thread per case),
    /// each running this reader and then PureHDF inline. The calling thread is the watchdog: a worker whose current
    /// case has run past the limit (<see cref="Limit"/> for ours, <see cref="OracleLimit"/> for PureHDF) is
    /// abandoned (a thread cannot be stopped), its case recorded as hung, and a fresh worker takes its place.
    /// </summary>
    private sealed class BatchRunner(Case[] batch, int count, bool[] askOracle, Timings timings)
    {
        public readonly Outcome?[] Results = new Outcome?[count];
        private readonly Lock _gate = new();
        private int _next = -1, _done;

        /// <summary>A worker's state; written under the runner's lock, so the watchdog and the worker never both finish a case.</summary>
        private sealed class Worker
        {
            public int Case = -1;
            public bool InOracle, Abandoned;
            public long Started;
            public Thread? Thread;
        }

        public void Run()
        {
            var workers = new List<Worker>();
            for (int i = 0; i < Math.Min(Threads, count); i++) workers.Add(Start());
            while (Volatile.Read(ref _done) < count)
            {
                Thread.Sleep(20);
                for (int w = 0; w < workers.Count; w++)
                {
                    var worker = workers[w];
                    lock (_gate)
                    {
                        int c = worker.Case;
                        if (c < 0 || worker.Abandoned) continue;
                        if (Stopwatch.GetElapsedTime(worker.Started) <= (worker.InOracle ? OracleLimit : Limit + TimeSpan.FromSeconds(2))) continue;
                        worker.Abandoned = true;
                        if (worker.InOracle)
                        {
                            PureHdfOracle.CountHang();
                            Results[c]!.OracleHung = true;
                        }
                        else Results[c] = new Outcome { Hung = true };
                        _done++;
                    }
                    workers[w] = Start();
                }
            }
            foreach (var worker in workers) if (!worker.Abandoned) worker.Thread!.Join();
        }

        private Worker Start()
        {
            var worker = new Worker();
            worker.Thread = new Thread(() => Work(worker), maxStackSize: 16 << 20) { IsBackground = true, Name = "fuzz worker" };
            worker.Thread.Start();
            return worker;
        }

        private void Work(Worker worker)
        {
            while (true)
            {
                int c = Interlocked.Increment(ref _next);
                if (c >= count) return;
                var item = batch[c];
                lock (_gate) (worker.Case, worker.InOracle, worker.Started) = (c, false, Stopwatch.GetTimestamp());
                using var cts = new CancellationTokenSource(Limit);
                long t0 = Stopwatch.GetTimestamp();
                var outcome = Ours(item.Data, item.Length, cts.Token);
                long t1 = Stopwatch.GetTimestamp();
                Interlocked.Add(ref timings.Ours, t1 - t0);
                bool ask = askOracle[c] && outcome.Error is null && outcome.Values!.Count > 0 && PureHdfOracle.Hangs < 16;
                lock (_gate)
                {
                    if (worker.Abandoned) return; // the watchdog gave up on this case (and this worker)
                    Results[c] = outcome; // kept if PureHDF then hangs
                    if (ask) (worker.InOracle, worker.Started) = (true, t1);
                    else { worker.Case = -1; _done++; continue; }
                }
                var theirs = PureHdfOracle.ReadInline(item.Data.AsSpan(0, item.Length).ToArray(), outcome.Values!.Keys.ToHashSet());
                Interlocked.Add(ref timings.Oracle, Stopwatch.GetTimestamp() - t1);
                lock (_gate)
                {
                    if (worker.Abandoned) return;
                    outcome.Theirs = theirs;
                    worker.Case = -1;
                    _done++;
                }
            }
        }
    }

    /// <summary>Time spent in each reader, summed over the worker threads (Stopwatch ticks).</summary>
    private sealed class Timings
    {
        public long Ours, Oracle, Mutation;
    }

    /// <summary>Worker threads reading cases in parallel (ZAGG_FUZZ_THREADS; default: one per core).</summary>
    private static readonly int Threads = int.TryParse(Environment.GetEnvironmentVariable("ZAGG_FUZZ_THREADS"), out int t) && t > 0 ? t : Environment.ProcessorCount;

    /// <summary>PureHDF reads one read case in ZAGG_FUZZ_ORACLE_EVERY (default 1: every one).</summary>
    private static readonly int OracleEvery = int.TryParse(Environment.GetEnvironmentVariable("ZAGG_FUZZ_ORACLE_EVERY"), out int e) && e > 0 ? e : 1;

    private static readonly TimeSpan OracleLimit = TimeSpan.FromSeconds(5);

    /// <summary>With ZAGG_FUZZ_LOG=FILE, progress every 10,000 cases and every bad case as it is found (for long runs).</summary>
    private static readonly string? LogPath = Environment.GetEnvironmentVariable("ZAGG_FUZZ_LOG") is { Length: > 0 } l ? l : null;

    private static void Log(string line)
    {
        if (LogPath is not null) File.AppendAllText(LogPath, $"{DateTime.UtcNow:HH:mm:ss} {line}\n");
    }

    private async Task CampaignAsync(string name, int cases, byte[][] originals, Func<byte[], int, (string How, int Length)> mutate, Func<int, int>? fileOf = null)
    {
        for (int i = 0; i < originals.Length; i++)
        {
            var whole = Ours(originals[i], originals[i].Length, CancellationToken.None);
            Assert.True(whole.Error is null, $"{SmallFiles[i]} does not read whole: {whole.Error}");
        }
        await Task.Yield();
        fileOf ??= c => c % originals.Length;
        var failures = new List<string>();
        int read = 0, rejected = 0, compared = 0, oracleRefused = 0, oracleUnavailable = 0, disagreements = 0, pureHdfWrong = 0, oracleAsked = 0;
        long maxAllocated = 0;
        string maxAllocatedCase = "";
        var timings = new Timings();
        var watch = Stopwatch.StartNew();
        Log($"{name}, seed {Seed}: {cases} cases on {Threads} threads, PureHDF on 1 in {OracleEvery} read cases");
        const int BatchSize = 512;
        var batch = new Case[BatchSize];
        var ask = new bool[BatchSize];
        for (int first = 0; first < cases; first += BatchSize)
        {
            int count = Math.Min(BatchSize, cases - first);
            long m0 = Stopwatch.GetTimestamp();
            int selected = 0;
            for (int k = 0; k < count; k++)
            {
                int c = first + k;
                var original = originals[fileOf(c)];
                byte[] data = (byte[])original.Clone();
                var (how, length) = mutate(data, c);
                if (Only is not null && !Only.Contains(c)) continue; // replayed for the generator's sake, not read
                batch[selected] = new Case(c, how, data, length, original);
                ask[selected++] = c % OracleEvery == 0;
            }
            count = selected;
            timings.Mutation += Stopwatch.GetTimestamp() - m0;
            if (count == 0) continue;
            var runner = new BatchRunner(batch, count, ask, timings);
            runner.Run();
            for (int k = 0; k < count; k++)
            {
                var (c, how, data, length, original) = batch[k];
                var outcome = runner.Results[k]!;
                int before = failures.Count;
                Evaluate(c, how, data, length, original, outcome);
                for (int f = before; f < failures.Count; f++) Log(failures[f]);
            }
            if (LogPath is not null && (first + BatchSize) / 10_000 != first / 10_000)
                Log($"{Math.Min(cases, first + BatchSize)} cases, {watch.Elapsed.TotalSeconds:F0} s: {read} read, {rejected} rejected, {failures.Count} bad, {compared} equal to PureHDF, {pureHdfWrong} listed PureHDF errors, {PureHdfOracle.Hangs} PureHDF hangs");
        }

        void Evaluate(int c, string how, byte[] data, int length, byte[] original, Outcome outcome)
        {
            if (outcome.Hung)
            {
                failures.Add($"case {c} ({how}): hung (over {Limit.TotalSeconds} s){Keep(name, c, data, length, new TimeoutException("hung"))}");
                return;
            }
            if (outcome.Allocated > maxAllocated) (maxAllocated, maxAllocatedCase) = (outcome.Allocated, how);
            if (outcome.Allocated > Budget(length, outcome.ValueBytes))
                failures.Add($"case {c} ({how}): allocated {outcome.Allocated:N0} bytes for a {length}-byte file and {outcome.ValueBytes:N0} bytes of values");
            if (Only is not null && outcome.Error is not null) Keep(name, c, data, length, outcome.Error); // a replay keeps every case
            if (outcome.Error is Hdf5Exception) { rejected++; return; }
            if (outcome.Error is not null)
            {
                var e = outcome.Error;
                failures.Add($"case {c} ({how}): {e.GetType().Name}: {e.Message}{Keep(name, c, data, length, e)}\n{string.Join("\n", (e.StackTrace ?? "").Split('\n').Where(l => l.Contains("Zagg")).Take(4))}");
                return;
            }
            read++;
            if (outcome.OracleHung) { oracleUnavailable++; return; }
            if (outcome.Theirs is not { } theirs) return;
            oracleAsked++;
            if (theirs.Unavailable is not null) { oracleUnavailable++; return; }
            foreach (var (path, ours) in outcome.Values!)
            {
                if (!theirs.Values.TryGetValue(path, out var other)) { oracleRefused++; continue; }
                if (ours.SameAs(other)) compared++;
                else if (Disagreement(original, path))
                    disagreements++;
                else if (PureHdfWrong.Contains($"{name} {Seed} {c} {path}"))
                    pureHdfWrong++;
                else
                {
                    failures.Add($"case {c} ({how}): {path}: ours {ours}, PureHDF {other}{Keep(name, c, data, length, path, ours, other)}");
                    break;
                }
            }
        }

        double s(long ticks) => ticks / (double)Stopwatch.Frequency;
        string summary = $"{name}, seed {Seed}: {cases} cases in {watch.Elapsed.TotalSeconds:F1} s on {Threads} threads " +
                         $"(thread time: mutation {s(timings.Mutation):F1} s, ours {s(timings.Ours):F1} s, PureHDF {s(timings.Oracle):F1} s): " +
                         $"{read} read whole, {rejected} rejected with Hdf5Exception, {failures.Count} bad; " +
                         $"PureHDF asked on {oracleAsked} (1 in {OracleEvery}): {compared} datasets equal, {disagreements} expected disagreements (partial edge chunks), {pureHdfWrong} where libhdf5 reads as ours (purehdf_wrong.txt), {oracleRefused} it refused, {oracleUnavailable} files it could not read, {PureHdfOracle.Hangs} hangs; " +
                         $"largest allocation {maxAllocated:N0} bytes ({maxAllocatedCase})";
        output.WriteLine(summary);
        Log(summary);
        Assert.True(failures.Count == 0, $"{failures.Count} cases failed badly:\n" + string.Join("\n", failures.Take(20)));
        if (Only is not null) return; // a replay: the campaign's own figures do not apply
        Assert.True(rejected > cases / 10, $"only {rejected} of {cases} mutations were noticed");
        Assert.True(compared > 0 || cases < 100, "PureHDF compared nothing");
    }

    /// <summary>With ZAGG_FUZZ_KEEP=DIR, a case the readers disagree on is written there (to ask libhdf5 which is right).</summary>
    private static string Keep(string campaign, int c, byte[] data, int length, string dataset, DatasetValues ours, DatasetValues theirs) =>
        Keep(campaign, c, data, length, $"{dataset}\nours {Describe(ours)}\npurehdf {Describe(theirs)}\n");

    /// <summary>With ZAGG_FUZZ_KEEP=DIR, a case that failed with an exception outside ours is written there too (dataset "-").</summary>
    private static string Keep(string campaign, int c, byte[] data, int length, Exception e) =>
        Keep(campaign, c, data, length, $"-\nours {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}\npurehdf -\n");

    private static string Keep(string campaign, int c, byte[] data, int length, string text)
    {
        if (Environment.GetEnvironmentVariable("ZAGG_FUZZ_KEEP") is not { Length: > 0 } dir) return "";
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, $"{campaign}-{Seed}-{c}.h5");
        File.WriteAllBytes(path, data.AsSpan(0, length).ToArray());
        File.WriteAllText(path + ".txt", text);
        return $" (kept as {path})";
    }

    /// <summary>
    /// ZAGG_FUZZ_ONLY=C1,C2,…: read only these cases of the campaign (the others are still generated, as the
    /// mutations come from one random sequence), to replay the bad cases of a long run.
    /// </summary>
    private static readonly HashSet<int>? Only = Environment.GetEnvironmentVariable("ZAGG_FUZZ_ONLY") is { Length: > 0 } only
        ? only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToHashSet()
        : null;

    private static string Describe(DatasetValues v) => v.Bytes is not null ? Convert.ToHexString(v.Bytes) : string.Join("|", v.Strings!);

    /// <summary>
    /// Cases where PureHDF disagrees and libhdf5 reads as this reader does (checked with tools/fixtures/fuzz_triage.py
    /// on the kept files): "campaign seed case dataset".
    /// </summary>
    private static readonly HashSet<string> PureHdfWrong = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", "fuzz", "purehdf_wrong.txt"))
        .Where(l => l.Length > 0 && l[0] != '#').ToHashSet(StringComparer.Ordinal);

    /// <summary>PureHDF ignores H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS (OracleTests): there it may read other values.</summary>
    private static bool Disagreement(byte[] original, string path) =>
        original.Length == PartialEdgeLength.Value && path is not "/track_f8_be";

    private static readonly Lazy<int> PartialEdgeLength = new(() => Load("wild/partial_edge.h5").Length);
}
