using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Zagg.Benchmarks -- --filter '*'
// A quick figure without BenchmarkDotNet's full protocol: add --quick.
// A cell of 30 granules over HTTP through the fault proxy at 0/20/80 ms per request: add --remote [DEMO_DIR].
if (args.Length > 0 && args[0] == "--remote")
{
    await Zagg.Benchmarks.RemoteCellRun.RunAsync(args.Length > 1 ? args[1] : "demo/atl06");
    return;
}
if (args.Contains("--quick"))
{
    Zagg.Benchmarks.QuickRun.Run();
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
