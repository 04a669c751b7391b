using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Zagg.Benchmarks -- --filter '*'
// A quick figure without BenchmarkDotNet's full protocol: add --quick.
// A cell of 30 granules over HTTP through the fault proxy at 0/20/80 ms per request: add --remote [DEMO_DIR].
if (args.Length > 0 && args[0] == "--remote")
{
    await Zagg.Benchmarks.RemoteCellRun.RunAsync(args.Length > 1 ? args[1] : "demo/atl06");
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
    Zagg.Benchmarks.CatalogProfile.Run();
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
