using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Zagg.Benchmarks -- --filter '*'
// A quick figure without BenchmarkDotNet's full protocol: add --quick.
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
