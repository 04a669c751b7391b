using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Zagg.Benchmarks -- --filter '*'
// A quick figure without BenchmarkDotNet's full protocol: add --quick.
// A cell of 30 granules over HTTP through the fault proxy at 0/20/80 ms per request and bandwidth caps:
// --remote [DEMO_DIR] [--caps MIB_PER_S,...] (default 50,10,5,2).
if (args.Length > 0 && args[0] == "--remote")
{
    int caps = Array.IndexOf(args, "--caps");
    long[] mib = caps > 0 && caps + 1 < args.Length ? args[caps + 1].Split(',').Select(long.Parse).ToArray() : [50, 10, 5, 2];
    await Zagg.Benchmarks.RemoteCellRun.RunAsync(args.Length > 1 && caps != 1 ? args[1] : "demo/atl06", mib);
    return;
}
// The fault proxy in a process of its own (the remote harness starts it so its CPU is not the reader's):
// --fault-proxy UPSTREAM LATENCY_MS BYTES_PER_S; prints its URL, answers "stats" on stdin, ends with stdin.
if (args is ["--fault-proxy", var upstream, var latency, var bandwidth])
{
    await Zagg.Benchmarks.RemoteCellRun.ServeProxyAsync(new Uri(upstream), int.Parse(latency), long.Parse(bandwidth));
    return;
}
// One catalog's cells through the engine alone: --cells CATALOG [CONFIG].
if (args is ["--cells", var catalog, ..])
{
    await Zagg.Benchmarks.CellProfile.RunAsync(catalog, args.Length > 2 ? args[2] : "atl06");
    return;
}
// The Lambda binary on loopback (fake Lambda service + fauxqs): --lambda BOOTSTRAP [--qemu] [CELLS] (deployment/aws/README.md).
if (args is ["--lambda", var bootstrap, ..])
{
    bool qemu = args.Contains("--qemu");
    int cells = args.Skip(2).Where(a => a != "--qemu").Select(int.Parse).FirstOrDefault(20);
    await Zagg.Benchmarks.LambdaRun.RunAsync(Path.GetFullPath(bootstrap), qemu, cells, "demo/atl06");
    return;
}
if (args.Contains("--catalog-profile"))
{
    int mapping = Array.IndexOf(args, "--mapping");
    Zagg.Benchmarks.CatalogProfile.Run(mappingOnly: mapping < 0 ? 0 : mapping + 1 < args.Length && int.TryParse(args[mapping + 1], out int n) ? n : 50_000);
    return;
}
if (args.Contains("--catalog-quick"))
{
    Zagg.Benchmarks.CatalogQuickRun.Run();
    return;
}
// The rasterizer alone: --quick --render.
if (args.Contains("--quick"))
{
    Zagg.Benchmarks.QuickRun.Run();
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
