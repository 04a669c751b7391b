using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Zagg.Benchmarks -- --filter '*'
// A quick figure without BenchmarkDotNet's full protocol: add --quick.
// The rasterizer alone: --quick --render.
if (args.Contains("--quick"))
{
    Zagg.Benchmarks.QuickRun.Run();
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
