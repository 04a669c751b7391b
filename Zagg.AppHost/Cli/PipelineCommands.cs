using System.CommandLine;
using System.Globalization;
using Zagg.Core.Config;
using Zagg.Core.Pipeline;
using Zagg.Grid;
using Zagg.Zarr;

namespace Zagg.AppHost.Cli;

/// <summary><c>zagg run</c>, <c>zagg catalog</c> and <c>zagg demo</c>: the main job.</summary>
internal static class PipelineCommands
{
    private static Option<string> ConfigOption() => new("--config", "-c")
    {
        Description = $"A built-in configuration ({string.Join(", ", ConfigLoader.BuiltIns)}) or a YAML file.",
        DefaultValueFactory = _ => "atl06",
        HelpName = "NAME|FILE",
    };

    public static Command Run(CliConsole console)
    {
        var config = ConfigOption();
        var catalog = new Option<string?>("--catalog") { Description = "The catalog JSON (default: the config's catalog).", HelpName = "FILE" };
        var store = new Option<string?>("--store") { Description = "Output store: a path, file://… or s3://bucket/prefix (default: the config's output.store).", HelpName = "STORE" };
        var maxCells = new Option<int?>("--max-cells") { Description = "Process only the first N cells of the catalog.", HelpName = "N" };
        var mortonCell = new Option<string?>("--morton-cell") { Description = "Process only this parent cell (a morton word of the catalog's parent order).", HelpName = "WORD" };
        var maxWorkers = new Option<int>("--max-workers") { Description = "Cells processed at once (default: the core count).", DefaultValueFactory = _ => Environment.ProcessorCount, HelpName = "N" };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace an existing store." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Show the cells, granules per cell and the store; write nothing." };
        var driver = new Option<string?>("--driver") { Description = "How NASA granules are reached: s3 or https (default: the config's data_source.driver).", HelpName = "s3|https" };
        var cmd = new Command("run", "Aggregate the catalog's cells into the output store, write the run report next to it, and consolidate.")
        {
            config, catalog, store, maxCells, mortonCell, maxWorkers, overwrite, dryRun, driver,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            var cfg = LoadConfig(parse.GetValue(config)!);
            string catalogPath = parse.GetValue(catalog) ?? cfg.Catalog ?? throw new CliException("no catalog: give --catalog or set catalog: in the config");
            string storeUrl = parse.GetValue(store) ?? cfg.Store ?? throw new CliException("no store: give --store or set output.store in the config");
            string? d = parse.GetValue(driver);
            if (d is not (null or "s3" or "https")) throw new CliException($"--driver must be s3 or https, not '{d}'");
            long? morton = null;
            if (parse.GetValue(mortonCell) is { } m)
            {
                try { morton = Morton.Parse(m); }
                catch (FormatException e) { throw new CliException($"--morton-cell: {e.Message}"); }
            }
            if (parse.GetValue(maxWorkers) < 1) throw new CliException("--max-workers must be at least 1");
            var options = new RunOptions
            {
                Config = cfg,
                Catalog = LoadCatalog(catalogPath),
                Store = storeUrl,
                MaxCells = parse.GetValue(maxCells),
                MortonCell = morton,
                MaxWorkers = parse.GetValue(maxWorkers),
                Overwrite = parse.GetValue(overwrite),
                Driver = d,
            };
            return await RunAsync(console, options, parse.GetValue(dryRun), ct);
        });
        return cmd;
    }

    public static Command Catalog(CliConsole console)
    {
        var files = new Option<string>("--files") { Description = "Local granules: a file, a folder, or a glob such as 'granules/ATL06_*.h5'.", Required = true, HelpName = "GLOB" };
        var parentOrder = new Option<int>("--parent-order") { Description = "Order of the parent cells (the shards).", DefaultValueFactory = _ => 6, HelpName = "K" };
        var output = new Option<string>("--output", "-o") { Description = "Where to write the catalog JSON.", DefaultValueFactory = _ => "catalog.json", HelpName = "FILE" };
        var config = ConfigOption();
        var cmd = new Command("catalog", "Build a catalog from local granules by reading their coordinates: every parent cell a point falls in, with its granules.")
        {
            files, parentOrder, output, config,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            var cfg = LoadConfig(parse.GetValue(config)!);
            int order = parse.GetValue(parentOrder);
            if (order < Morton.MinOrder || order > Math.Min(Morton.MaxOrder, cfg.Grid.ChildOrder))
                throw new CliException($"--parent-order must be in {Morton.MinOrder}–{Math.Min(Morton.MaxOrder, cfg.Grid.ChildOrder)} (not finer than the config's child order)");
            var list = ExpandFiles(parse.GetValue(files)!);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            Zagg.Core.Pipeline.Catalog cat;
            try { cat = await Zagg.Core.Pipeline.Catalog.FromFilesAsync(list, order, cfg, ct); }
            catch (Exception e) when (e is Zagg.Hdf5.Hdf5Exception or InvalidDataException) { throw new CliException(e.Message); }
            string path = parse.GetValue(output)!;
            cat.Save(path);
            var per = cat.Cells.Select(c => c.Granules.Count).DefaultIfEmpty(0).ToList();
            console.Out.WriteLine($"{list.Count} granules, {cat.Cells.Count} cells of order {order} in {watch.Elapsed.TotalSeconds:F2} s; granules per cell min {per.Min()}, max {per.Max()}, mean {per.Average():F1}");
            console.Out.WriteLine($"catalog written to {path}");
            return 0;
        });
        return cmd;
    }

    public static Command Demo(CliConsole console)
    {
        var outDir = new Option<string>("--out", "-o") { Description = "Folder for the demo's granules, catalog, store and report.", DefaultValueFactory = _ => "zagg-demo", HelpName = "DIR" };
        var cmd = new Command("demo", "The whole job on built-in ATL06-format granules (tracks near the South Pole): catalog, aggregate, report. No account, network or broker.") { outDir };
        cmd.SetAction(async (parse, ct) =>
        {
            string dir = Path.GetFullPath(parse.GetValue(outDir)!);
            string granules = Path.Combine(dir, "granules");
            try { Directory.CreateDirectory(granules); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new CliException($"cannot create {dir}: {e.Message}"); }
            var assembly = typeof(PipelineCommands).Assembly;
            foreach (string name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("Zagg.Demo.", StringComparison.Ordinal)))
            {
                await using var src = assembly.GetManifestResourceStream(name)!;
                await using var dst = File.Create(Path.Combine(granules, name["Zagg.Demo.".Length..]));
                await src.CopyToAsync(dst, ct);
            }
            var cfg = ConfigLoader.Load("atl06");
            var files = Directory.GetFiles(granules, "*.h5").Order().ToList();
            console.Out.WriteLine($"zagg demo: {files.Count} ATL06-format granules in {granules}");
            var cat = await Zagg.Core.Pipeline.Catalog.FromFilesAsync(files, 6, cfg, ct);
            string catalogPath = Path.Combine(dir, "catalog.json");
            cat.Save(catalogPath);
            console.Out.WriteLine($"catalog: {cat.Cells.Count} parent cells of order 6 -> {catalogPath}");
            var options = new RunOptions { Config = cfg, Catalog = cat, Store = Path.Combine(dir, "atl06.zarr"), Overwrite = true };
            int code = await RunAsync(console, options, dryRun: false, ct);
            console.Out.WriteLine($"look at it: zagg inspect {options.Store}");
            return code;
        });
        return cmd;
    }

    private static async Task<int> RunAsync(CliConsole console, RunOptions options, bool dryRun, CancellationToken ct)
    {
        IReadOnlyList<(int Index, long Nested, IReadOnlyList<string> Granules)> cells;
        try { cells = PipelineRunner.SelectCells(options); }
        catch (CatalogException e) { throw new CliException(e.Message); }
        var o = console.Out;
        if (dryRun)
        {
            o.WriteLine($"store   {options.Store}{(options.Overwrite ? " (overwrite)" : "")}");
            o.WriteLine($"cells   {cells.Count} of {options.Catalog.Cells.Count} (parent order {options.Catalog.ParentOrder}, child order {options.Config.Grid.ChildOrder})");
            foreach (var (index, nested, granules) in cells)
                o.WriteLine($"  {Morton.FromNested(nested, options.Catalog.ParentOrder),12}  chunk {index,5}  {granules.Count} granules");
            return 0;
        }
        bool terminal = ReferenceEquals(console.Out, Console.Out) && !Console.IsOutputRedirected;
        var lastPrint = TimeSpan.Zero;
        var progress = new SynchronousProgress<RunProgress>(p =>
        {
            double rate = p.Elapsed.TotalSeconds > 0 ? p.Observations / p.Elapsed.TotalSeconds : 0;
            string text = $"{p.CellsDone}/{p.CellsTotal} cells, {p.Observations} obs, {rate / 1e6:F2} M obs/s, {p.Errors} errors";
            if (terminal)
            {
                int width = 30, filled = p.CellsTotal == 0 ? width : width * p.CellsDone / p.CellsTotal;
                Console.Write($"\r[{new string('#', filled)}{new string('.', width - filled)}] {text}   ");
                if (p.CellsDone == p.CellsTotal) Console.WriteLine();
            }
            else if (p.CellsDone == p.CellsTotal || p.Elapsed - lastPrint > TimeSpan.FromSeconds(5))
            {
                lastPrint = p.Elapsed;
                o.WriteLine(text);
            }
        });
        RunReport report;
        try { report = await PipelineRunner.RunAsync(options, progress, ct); }
        catch (Exception e) when (e is ZarrException or CatalogException or ConfigException) { throw new CliException(e.Message); }
        foreach (var c in report.Cells.Where(RunReport.IsFailure))
            console.Error.WriteLine($"zagg: cell {c.ParentMorton}: {c.Error ?? string.Join("; ", c.GranuleErrors)}");
        o.WriteLine($"report: {PipelineRunner.ReportLocation(options.Store)}");
        o.WriteLine(report.Summary);
        return report.Errors > 0 ? ZaggCli.Failure : 0;
    }

    private static PipelineConfig LoadConfig(string nameOrPath)
    {
        try { return ConfigLoader.Load(nameOrPath); }
        catch (ConfigException e) { throw new CliException(e.Message); }
    }

    private static Zagg.Core.Pipeline.Catalog LoadCatalog(string path)
    {
        try { return Zagg.Core.Pipeline.Catalog.Load(path); }
        catch (CatalogException e) { throw new CliException(e.Message); }
    }

    internal static List<string> ExpandFiles(string pattern)
    {
        if (Directory.Exists(pattern)) return Directory.GetFiles(pattern, "*.h5").Order().ToList();
        if (File.Exists(pattern)) return [pattern];
        string dir = Path.GetDirectoryName(pattern) is { Length: > 0 } d ? d : ".";
        string glob = Path.GetFileName(pattern);
        if (!Directory.Exists(dir)) throw new CliException($"--files {pattern}: folder {dir} does not exist");
        var files = Directory.GetFiles(dir, glob).Order().ToList();
        if (files.Count == 0) throw new CliException($"--files {pattern}: no file matches");
        return files;
    }

    /// <summary>Reports on the caller's thread (IProgress posts to the thread pool otherwise).</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        private readonly object _gate = new();

        public void Report(T value)
        {
            lock (_gate) report(value);
        }
    }
}
