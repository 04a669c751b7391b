using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Zagg.Benchmarks -- --filter '*'
// A quick figure without BenchmarkDotNet's full protocol: add --quick.
// The rasterizer alone: --quick --render.
// One catalog's cells through the engine alone: --cells CATALOG [CONFIG].
if (args is ["--cells", var catalog, ..])
{
    await Zagg.Benchmarks.CellProfile.RunAsync(catalog, args.Length > 2 ? args[2] : "atl06");
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
if (args.Contains("--quick"))
{
    Zagg.Benchmarks.QuickRun.Run();
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
