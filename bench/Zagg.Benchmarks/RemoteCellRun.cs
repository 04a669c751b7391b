using System.Diagnostics;
using System.Globalization;
using Zagg.Grid;
using Zagg.Hdf5.IO;
using Zagg.Pipeline.Aggregation;
using Zagg.Pipeline.Catalogs;
using Zagg.Pipeline.Config;
using Zagg.TestSupport;

namespace Zagg.Benchmarks;

/// <summary>
/// A cell of 30 granules read over HTTP (nginx) through the fault proxy at 0, 20 and 80 ms added per request, under each
/// of several bandwidth caps (one cap shared by all the proxy's connections, as a link is): requests per granule, bytes
/// read versus the bytes the cell needs (what the same cell reads from local files, where every read is exact), and
/// wall time versus the no-latency time, the bytes/bandwidth bound, and the larger of that bound and the local run's
/// time (the CPU work a cell costs wherever its bytes come from). The proxy runs in a process of its own, so the CPU
/// columns separate the reader's (this process) from the proxy's and nginx's.
/// <c>dotnet run -c Release --project bench/Zagg.Benchmarks -- --remote [DEMO_DIR] [--caps 50,10,5,2]</c> (needs nginx).
/// </summary>
internal static class RemoteCellRun
{
    private sealed class Folder(string root) : NginxServer
    {
        protected override string Root => root;
        protected override string ProbeFile => "g00.h5";
    }

    public static async Task RunAsync(string demo, long[] capsMiB)
    {
        var config = ConfigLoader.Load("atl06");
        var sources = Directory.GetFiles(demo, "ATL06_*.h5").Order(StringComparer.Ordinal).ToArray();
        var catalog = await GranuleCatalog.FromFilesAsync(sources, 6, config);
        var (morton, cellGranules) = catalog.Cells.MaxBy(c => c.Granules.Count);
        long parent = Morton.ToNested(morton, out _);
        string dir = Directory.CreateTempSubdirectory("zagg-remote-bench").FullName;
        const int Granules = 30;
        for (int i = 0; i < Granules; i++) File.Copy(cellGranules[i % cellGranules.Count], Path.Combine(dir, $"g{i:00}.h5"));
        var local = Enumerable.Range(0, Granules).Select(i => Path.Combine(dir, $"g{i:00}.h5")).ToArray();

        // Bytes needed: the same cell from local files, where each read is exactly the bytes asked for.
        var localSources = new List<IByteSource>();
        await TimeCellAsync(config, parent, local, (url, ct) => Task.FromResult<IByteSource>(new FileByteSource(url))); // JIT, caches
        var (localTime, localCpu) = await TimeCellAsync(config, parent, local, async (url, ct) => { var s = new FileByteSource(url); lock (localSources) localSources.Add(s); return await Task.FromResult<IByteSource>(s); });
        long needed = localSources.Sum(s => s.Statistics.Bytes);
        Console.WriteLine($"cell {morton}: {Granules} granules ({cellGranules.Count} distinct files), {needed:N0} bytes needed; local run {localTime.TotalSeconds:F2} s wall, {localCpu.TotalSeconds:F2} s CPU; load average {LoadAverage()}");

        await using var nginx = new Folder(dir);
        await nginx.InitializeAsync();
        var upstream = new Uri(nginx.Url("/files/"));
        Console.WriteLine("cap MiB/s  latency  wall s  × 0 ms  req/granule  read/needed  bound s  wall/bound  wall/max(bound,local)  reader CPU s  proxy CPU s  nginx CPU s  retries  gap KiB");
        foreach (long mib in capsMiB)
        {
            long bandwidth = mib << 20;
            TimeSpan baseline = default;
            foreach (int latency in new[] { 0, 20, 80 })
            {
                await using var proxy = await ProxyProcess.StartAsync(upstream, latency, bandwidth);
                await WarmAsync(proxy.Url);
                using var access = new RemoteAccess();
                var opened = new List<IByteSource>();
                if (Environment.GetEnvironmentVariable("ZAGG_TRACE_REQUESTS") == "1") Console.Error.WriteLine($"zagg.run cap={mib} latency={latency}");
                var before = await proxy.StatsAsync();
                var nginxBefore = ProcessTreeCpu(nginx.ProcessId);
                var (wall, cpu) = await TimeCellAsync(config, parent, local.Select(p => new Uri(proxy.Url, Path.GetFileName(p)).ToString()).ToArray(),
                    async (url, ct) => { var s = await ByteSources.OpenAsync(url, access, ct); lock (opened) opened.Add(s); return s; });
                var nginxCpu = ProcessTreeCpu(nginx.ProcessId) - nginxBefore;
                var after = await proxy.StatsAsync();
                if (latency == 0) baseline = wall;
                long read = after.Bytes - before.Bytes;
                double bound = (double)read / bandwidth;
                double wallS = wall.TotalSeconds;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{mib,9}  {latency,4} ms  {wallS,6:F2}  {wall / baseline,6:F2}  {(double)(after.Requests - before.Requests) / Granules,11:F1}  {(double)read / needed,11:F2}  {bound,7:F2}  {wallS / bound,10:F2}  {wallS / Math.Max(bound, localTime.TotalSeconds),21:F2}  {cpu.TotalSeconds,12:F2}  {(after.Cpu - before.Cpu).TotalSeconds,11:F2}  {nginxCpu.TotalSeconds,11:F2}  {opened.Sum(s => s.Statistics.Retries),7}  {access.Gaps.Gap >> 10,7}"));
            }
        }
        Console.WriteLine($"load average {LoadAverage()}");
        Directory.Delete(dir, true);
    }

    private static async Task<(TimeSpan Wall, TimeSpan Cpu)> TimeCellAsync(PipelineConfig config, long parent, string[] granules, Func<string, CancellationToken, Task<IByteSource>> open)
    {
        await using var aggregator = new CellAggregator(config, 6, open);
        using var self = Process.GetCurrentProcess();
        var cpu = self.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        await aggregator.AggregateAsync(parent, granules);
        var wall = watch.Elapsed;
        self.Refresh();
        return (wall, self.TotalProcessorTime - cpu);
    }

    /// <summary>
    /// A few requests through a fresh proxy process before it is timed (its JIT and its first connections to nginx):
    /// a real server is not cold for each cell.
    /// </summary>
    private static async Task WarmAsync(Uri proxy)
    {
        using var client = new HttpClient();
        for (int round = 0; round < 3; round++)
            await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(proxy, $"g{i:00}.h5"));
                request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(0, 65535);
                using var response = await client.SendAsync(request);
                await response.Content.ReadAsByteArrayAsync();
            }));
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    /// <summary>User + system CPU of a process and its children (Linux /proc; clock ticks of 10 ms).</summary>
    private static TimeSpan ProcessTreeCpu(int? pid)
    {
        if (pid is null || !Directory.Exists("/proc")) return TimeSpan.Zero;
        long ticks = 0;
        foreach (string stat in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(stat), out int id)) continue;
            string text;
            try { text = File.ReadAllText(Path.Combine(stat, "stat")); }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            // pid (comm) state ppid ... utime(14) stime(15): fields after the last ')'.
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            if (id != pid && int.Parse(fields[1], CultureInfo.InvariantCulture) != pid) continue;
            ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        return TimeSpan.FromMilliseconds(ticks * 10);
    }

    /// <summary>Runs the fault proxy in this process until stdin ends (the harness's child; see <see cref="ProxyProcess"/>).</summary>
    public static async Task ServeProxyAsync(Uri upstream, int latencyMs, long bytesPerSecond)
    {
        await using var proxy = new FaultProxy(upstream) { Latency = TimeSpan.FromMilliseconds(latencyMs), BandwidthBytesPerSecond = bytesPerSecond };
        await proxy.StartAsync();
        Console.WriteLine(proxy.Url);
        using var self = Process.GetCurrentProcess();
        while (await Console.In.ReadLineAsync() is { } line)
        {
            if (line != "stats") continue;
            self.Refresh();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{proxy.Requests} {proxy.Bytes} {self.TotalProcessorTime.Ticks}"));
        }
    }

    /// <summary>The fault proxy in a child process (this benchmark's own executable with --fault-proxy).</summary>
    private sealed class ProxyProcess : IAsyncDisposable
    {
        private readonly Process _process;

        private ProxyProcess(Process process, Uri url)
        {
            _process = process;
            Url = url;
        }

        public Uri Url { get; }

        public static async Task<ProxyProcess> StartAsync(Uri upstream, int latencyMs, long bytesPerSecond)
        {
            string exe = Environment.ProcessPath!;
            var info = new ProcessStartInfo(exe) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
            if (Path.GetFileNameWithoutExtension(exe) == "dotnet") info.ArgumentList.Add(typeof(RemoteCellRun).Assembly.Location);
            foreach (string a in new[] { "--fault-proxy", upstream.ToString(), latencyMs.ToString(CultureInfo.InvariantCulture), bytesPerSecond.ToString(CultureInfo.InvariantCulture) })
                info.ArgumentList.Add(a);
            var process = Process.Start(info)!;
            string? url = await process.StandardOutput.ReadLineAsync();
            if (url is null) throw new InvalidOperationException("the fault proxy process ended before giving its URL");
            return new ProxyProcess(process, new Uri(url));
        }

        /// <summary>Requests, bytes and the proxy process's CPU so far.</summary>
        public async Task<(long Requests, long Bytes, TimeSpan Cpu)> StatsAsync()
        {
            await _process.StandardInput.WriteLineAsync("stats");
            await _process.StandardInput.FlushAsync();
            var fields = (await _process.StandardOutput.ReadLineAsync())!.Split(' ');
            return (long.Parse(fields[0], CultureInfo.InvariantCulture), long.Parse(fields[1], CultureInfo.InvariantCulture), TimeSpan.FromTicks(long.Parse(fields[2], CultureInfo.InvariantCulture)));
        }

        public async ValueTask DisposeAsync()
        {
            _process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try { await _process.WaitForExitAsync(timeout.Token); }
            catch (OperationCanceledException) { _process.Kill(); }
            _process.Dispose();
        }
    }
}
