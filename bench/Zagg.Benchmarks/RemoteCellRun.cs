using System.Diagnostics;
using Zagg.Grid;
using Zagg.Hdf5.IO;
using Zagg.Pipeline.Aggregation;
using Zagg.Pipeline.Catalogs;
using Zagg.Pipeline.Config;
using Zagg.TestSupport;

namespace Zagg.Benchmarks;

/// <summary>
/// A cell of 30 granules read over HTTP through the fault proxy at 0, 20 and 80 ms added per request and a bandwidth
/// cap: requests per granule, bytes read versus the bytes the cell needs (what the same cell reads from local files,
/// where every read is exact), and wall time versus the no-latency time, the bytes/bandwidth bound, and the larger of
/// that bound and the local run's time (the CPU work a cell costs wherever its bytes come from).
/// <c>dotnet run -c Release --project bench/Zagg.Benchmarks -- --remote [DEMO_DIR]</c> (needs nginx).
/// </summary>
internal static class RemoteCellRun
{
    private sealed class Folder(string root) : NginxServer
    {
        protected override string Root => root;
        protected override string ProbeFile => "g00.h5";
    }

    public static async Task RunAsync(string demo)
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
        var (localTime, _) = await TimeCellAsync(config, parent, local, async (url, ct) => { var s = new FileByteSource(url); lock (localSources) localSources.Add(s); return await Task.FromResult<IByteSource>(s); });
        long needed = localSources.Sum(s => s.Statistics.Bytes);
        Console.WriteLine($"cell {morton}: {Granules} granules ({cellGranules.Count} distinct files), local {localTime.TotalMilliseconds:F0} ms, {needed:N0} bytes needed");

        await using var nginx = new Folder(dir);
        await nginx.InitializeAsync();
        const long Bandwidth = 50L << 20; // 50 MiB/s
        TimeSpan baseline = default;
        Console.WriteLine("latency  wall ms  × 0 ms  requests/granule  bytes read  read/needed  bytes/bandwidth ms  wall/bound  wall/max(bound, local)  retries  gap (latency × bandwidth)");
        foreach (int latency in new[] { 0, 20, 80 })
        {
            await using var proxy = new FaultProxy(new Uri(nginx.Url("/files/"))) { Latency = TimeSpan.FromMilliseconds(latency), BandwidthBytesPerSecond = Bandwidth };
            await proxy.StartAsync();
            using var access = new RemoteAccess();
            var opened = new List<IByteSource>();
            var (wall, _) = await TimeCellAsync(config, parent, local.Select(p => new Uri(proxy.Url, Path.GetFileName(p)).ToString()).ToArray(),
                async (url, ct) => { var s = await ByteSources.OpenAsync(url, access, ct); lock (opened) opened.Add(s); return s; });
            if (latency == 0) baseline = wall;
            long read = proxy.Bytes;
            double bound = (double)read / Bandwidth * 1000;
            Console.WriteLine($"{latency,5} ms  {wall.TotalMilliseconds,7:F0}  {wall / baseline,6:F2}  {(double)proxy.Requests / Granules,16:F1}  {read,10:N0}  {(double)read / needed,11:F2}  {bound,18:F0}  {wall.TotalMilliseconds / bound,10:F2}  {wall.TotalMilliseconds / Math.Max(bound, localTime.TotalMilliseconds),22:F2}  {opened.Sum(s => s.Statistics.Retries),7}  {access.Gaps.Gap:N0} ({access.Gaps.Latency?.TotalMilliseconds:F0} ms × {access.Gaps.BytesPerSecond / 1e6:F1} MB/s)");
        }
        Directory.Delete(dir, true);
    }

    private static async Task<(TimeSpan, CellAggregation)> TimeCellAsync(PipelineConfig config, long parent, string[] granules, Func<string, CancellationToken, Task<IByteSource>> open)
    {
        await using var aggregator = new CellAggregator(config, 6, open);
        var watch = Stopwatch.StartNew();
        var result = await aggregator.AggregateAsync(parent, granules);
        return (watch.Elapsed, result);
    }
}
