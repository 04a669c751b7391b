using System.CommandLine;
using System.Globalization;
using Zagg.Cli.Running;
using Zagg.Cloud;
using Zagg.Contracts;
using Zagg.Pipeline.Config;
using Zagg.Pipeline.Catalogs;
using Zagg.Runs;
using Zagg.Runs.Costs;
using Zagg.Messaging;
using Zagg.Messaging.Sqs;
using Zagg.Grid;
using Zagg.Zarr;
using Zagg.Zarr.Stores;

namespace Zagg.Cli.Commands;

/// <summary><c>zagg run</c> and <c>zagg demo</c>: the main job (<c>zagg catalog</c> is <see cref="CatalogCommand"/>).</summary>
internal static class PipelineCommands
{
    internal static Option<string> ConfigOption() => new("--config", "-c")
    {
        Description = $"A built-in configuration ({string.Join(", ", ConfigLoader.BuiltIns)}) or a YAML file.",
        DefaultValueFactory = _ => "atl06",
        HelpName = "NAME|FILE",
    };

    public static Command Run(CliConsole console)
    {
        var config = ConfigOption();
        var catalog = new Option<string?>("--catalog") { Description = "The catalog JSON (default: the config's catalog); or, instead, the query options of zagg catalog (--cycle or --start-date/--end-date, --bbox, …): the catalog service builds the catalog and keeps it in the store.", HelpName = "FILE" };
        var query = new QueryOptions();
        var store = new Option<string?>("--store") { Description = "Output store: a path, file://… or s3://bucket/prefix (default: the config's output.store).", HelpName = "STORE" };
        var maxCells = new Option<int?>("--max-cells") { Description = "Process only the first N cells of the catalog.", HelpName = "N" }.AtLeast(1);
        var mortonCell = new Option<string?>("--morton-cell") { Description = "Process only this parent cell (a morton word of the catalog's parent order).", HelpName = "WORD" };
        var maxWorkers = new Option<int>("--max-workers") { Description = "Cells processed at once (default: the core count).", DefaultValueFactory = _ => Environment.ProcessorCount, HelpName = "N" }.AtLeast(1);
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace an existing store." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Show the cells, granules per cell and the store; write nothing." };
        var driver = new Option<string?>("--driver") { Description = "How NASA granules are reached: s3 or https (default: the config's data_source.driver).", HelpName = "s3|https" }.OneOf(["s3", "https"]);
        var transport = new Option<string>("--transport") { Description = "memory: every service in this process, no broker; rabbitmq: the services here and worker processes, through a broker; sqs: the same through Amazon SQS (endpoint from AWS_ENDPOINT_URL_SQS, else the region from AWS_REGION).", DefaultValueFactory = _ => "memory", HelpName = "memory|rabbitmq|sqs" }.OneOf(MessagingOptions.Transports);
        var sqsPrefix = new Option<string?>("--sqs-prefix") { Description = "With --transport sqs or --backend aws: the deployment prefix of the queues (P-zagg-catalog … P-zagg-worker; default: ZAGG_SQS_PREFIX).", HelpName = "P" };
        var rabbitmq = new Option<string?>("--rabbitmq") { Description = $"The broker for --transport rabbitmq (default: ZAGG_RABBITMQ, else {MessagingOptions.DefaultRabbitMq}, user guest).", HelpName = "URL" };
        var workers = new Option<int>("--workers") { Description = "Worker processes to start with --transport rabbitmq or sqs; each aggregates --max-workers cells at once.", DefaultValueFactory = _ => 2, HelpName = "N" }.AtLeast(1);
        var startBroker = new Option<bool>("--start-broker") { Description = "With --transport rabbitmq: start Debian's rabbitmq-server on loopback when no broker answers, and stop it at the end." };
        var submit = SubmitOption();
        var backend = new Option<string>("--backend") { Description = "Where the cells run: local (this process or worker processes), or aws (the Lambdas of a stack deployed by deployment/aws/deploy.sh, over SQS); aws prints the cost estimate before the run and the measured cost after it.", DefaultValueFactory = _ => "local", HelpName = "local|aws" }.OneOf(["local", "aws"]);
        var lambdaMemory = new Option<int?>("--lambda-memory") { Description = "The worker Lambda's configured memory for the cost lines (the stack's LambdaMemoryMB; default 512 with --backend aws). With --backend local it prints what this run's cells would cost on such Lambdas.", HelpName = "MB" }
            .Check(v => v is int mb && (mb < 128 || mb > 10_240) ? $"--lambda-memory must be a Lambda memory size, 128 to 10240 MB, not {mb}" : null);
        var cmd = new Command("run", "Aggregate the catalog's cells into the output store through the message-driven services, write the run report next to it, and consolidate.")
        {
            config, catalog, store, maxCells, mortonCell, maxWorkers, overwrite, dryRun, driver, transport, rabbitmq, sqsPrefix, workers, startBroker, submit,
            backend, lambdaMemory,
        };
        foreach (var o in query.All) cmd.Options.Add(o);
        cmd.SetAction(async (parse, ct) =>
        {
            PhaseProbe.Mark("command-line");
            // An in-memory run starts its services (a third of its fixed cost) on another core while it reads its config and
            // catalog; a run refused before it starts stops them again.
            await using var services = StartsInMemory(parse, transport, backend, dryRun, submit, startBroker)
                ? LocalOrchestrator.StartInMemory(new OrchestrationOptions { Messaging = new MessagingOptions { WorkerConcurrency = parse.GetValue(maxWorkers) } }, new RunMonitor(Guid.NewGuid()))
                : null;
            var cfg = LoadConfig(parse.GetValue(config)!);
            var (catalogPath, search) = QueryRuns.CatalogOrQuery(parse, catalog, query, cfg);
            string storeUrl = parse.GetValue(store) ?? cfg.Store ?? throw new CliException("no store: give --store or set output.store in the config");
            // One reading of the location for every check and the run (a dry run reports a bad one as the run would meet it).
            if (!parse.GetValue(dryRun) && !StorageLocation.TryParse(storeUrl, out _, out string? storeError)) throw new CliException($"store location {storeError}");
            string? d = parse.GetValue(driver);
            long? morton = null;
            if (parse.GetValue(mortonCell) is { } m)
            {
                try { morton = Morton.Parse(m); }
                catch (FormatException e) { throw new CliException($"--morton-cell: {e.Message}"); }
            }
            var lambda = ParseBackend(parse.GetValue(backend)!, parse.GetValue(lambdaMemory));
            bool onLambdas = lambda is { OnAws: true };
            if (onLambdas && (parse.GetResult(transport) is { Implicit: false } || parse.GetResult(workers) is { Implicit: false } || parse.GetValue(startBroker) || parse.GetValue(submit)))
                throw new CliException("--backend aws runs the control services here and the cells on the deployed Lambdas, over SQS: leave out --transport, --workers, --start-broker and --submit");
            // A dry run of --backend aws sends nothing: it checks the stack's prefix, not the SQS endpoint.
            var messaging = onLambdas && parse.GetValue(dryRun)
                ? CheckStackPrefix(parse.GetValue(sqsPrefix))
                : onLambdas ? ParseMessaging("sqs", parse.GetValue(rabbitmq), parse.GetValue(sqsPrefix), "--backend aws") with { SqsStackQueues = true }
                : ParseMessaging(parse.GetValue(transport)!, parse.GetValue(rabbitmq), parse.GetValue(sqsPrefix));
            bool submitOnly = parse.GetValue(submit);
            if (submitOnly && !messaging.IsDistributed) throw new CliException("--submit hands the run to services listening on a broker: add --transport rabbitmq or sqs");
            if (submitOnly && parse.GetValue(startBroker)) throw new CliException("--submit starts nothing, so not a broker either: leave out --start-broker");
            if (!messaging.IsDistributed && parse.GetResult(workers) is { Implicit: false })
                throw new CliException("--workers starts worker processes that share a broker: add --transport rabbitmq or sqs (with the in-memory transport every cell runs in this process; --max-workers sets how many at once)");
            if (!messaging.IsRabbitMq && parse.GetValue(startBroker))
                throw new CliException("--start-broker starts a RabbitMQ for --transport rabbitmq: add --transport rabbitmq");
            var run = new UserRun
            {
                Lambda = lambda,
                ConfigName = parse.GetValue(config)!,
                Config = cfg,
                CatalogPath = catalogPath,
                Catalog = catalogPath is null ? null : LoadCatalog(catalogPath),
                Query = search,
                Store = storeUrl,
                Selection = new RunSelection { MaxCells = parse.GetValue(maxCells), MortonCell = morton, Overwrite = parse.GetValue(overwrite), Driver = d },
                Orchestration = new OrchestrationOptions
                {
                    Messaging = messaging with { WorkerConcurrency = parse.GetValue(maxWorkers) },
                    WorkerProcesses = onLambdas ? 0 : parse.GetValue(workers),
                    StartBroker = parse.GetValue(startBroker),
                    SubmitOnly = submitOnly,
                },
            };
            // The checks of the run's local inputs share one resolver: each path is resolved once.
            var paths = new LocalPaths.Resolver();
            // The report is written beside the store whatever the run: an input by that name would be replaced by it.
            if (InputAt(run, parse.GetValue(config)!, RunReport.LocationOf(storeUrl), paths) is { } replaced)
                throw new CliException($"{replaced.What} {replaced.Path} is the run's report file, which the run writes: give the store another name or move the file");
            // A granule listed twice in a cell under two spellings (a link, "..", file://) would count its points twice.
            if (run.Catalog is { } listed)
            {
                try { RunPlanner.RequireDistinctGranules(listed, paths); }
                catch (CatalogException e) { throw new CliException(e.Message); }
            }
            // --overwrite deletes everything under a store zagg wrote: an input kept there (the catalog, the config, a
            // granule; reached through a link or not) would go with it. A dry run warns instead.
            if (run.Selection.Overwrite && InputInsideStore(run, parse.GetValue(config)!, paths) is { } inside)
            {
                string why = $"{inside.What} {inside.Path} is inside {storeUrl}, which --overwrite deletes: keep the run's inputs outside the store";
                if (!parse.GetValue(dryRun)) throw new CliException(why);
                console.Error.WriteLine($"zagg: warning: {why}; the run itself would stop here");
            }
            // The catalog's parent order against the config's grid, before anything starts (the catalog step checks it too).
            if (run.Catalog is { } loaded)
            {
                try { cfg.RequireParentOrder(loaded.ParentOrder); }
                catch (ConfigException e) { throw new CliException(e.Message); }
            }
            PhaseProbe.Mark("config-and-catalog");
            if (search is not null && parse.GetValue(dryRun)) run = run with { Catalog = await QueryRuns.BuildHereAsync(console, search, cfg, ct) };
            if (onLambdas)
            {
                // A dry run tells what the real run would refuse, without refusing to plan it.
                if (!parse.GetValue(dryRun)) RequireReachableByLambdas(run, messaging);
                else if (UnreachableByLambdas(run, messaging) is { } why) console.Error.WriteLine($"zagg: warning: {why}; the run itself would stop here");
            }
            return await RunAsync(console, run, parse.GetValue(dryRun), ct, services);
        });
        return cmd;
    }

    /// <summary>
    /// Whether zagg run's command line asks for the in-memory transport's local run (not a dry run, nothing submitted, no
    /// broker): its services can start before the config and catalog are read. The options are checked later, as for any run.
    /// </summary>
    private static bool StartsInMemory(ParseResult parse, Option<string> transport, Option<string> backend, Option<bool> dryRun, Option<bool> submit,
        Option<bool> startBroker)
        => parse.GetValue(transport) == "memory" && parse.GetValue(backend) == "local" && !parse.GetValue(dryRun) && !parse.GetValue(submit)
            && !parse.GetValue(startBroker);

    public static Command Demo(CliConsole console)
    {
        var outDir = new Option<string>("--out", "-o") { Description = "Folder for the demo's granules, catalog, store and report.", DefaultValueFactory = _ => "zagg-demo", HelpName = "DIR" };
        var submit = SubmitOption();
        var rabbitmq = new Option<string?>("--rabbitmq") { Description = $"With --submit: the broker (default: ZAGG_RABBITMQ, else {MessagingOptions.DefaultRabbitMq}).", HelpName = "URL" };
        var cmd = new Command("demo", "The whole job on built-in ATL06-format granules (tracks near the South Pole): catalog, aggregate with the built-in configuration atl06 (zagg config atl06 prints it), report. No account, network or broker.") { outDir, submit, rabbitmq };
        cmd.SetAction(async (parse, ct) =>
        {
            bool submitOnly = parse.GetValue(submit);
            var messaging = submitOnly ? ParseMessaging("rabbitmq", parse.GetValue(rabbitmq)) : new MessagingOptions();
            string dir = Path.GetFullPath(parse.GetValue(outDir)!);
            string granules = Path.Combine(dir, "granules");
            var assembly = typeof(PipelineCommands).Assembly;
            const string prefix = "Zagg.Demo.";
            var demoGranules = assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
                .Select(n => (Resource: n, File: n[prefix.Length..])).ToList();
            CheckDemoFolder(dir, demoGranules.Select(g => g.File));
            try
            {
                Directory.CreateDirectory(granules);
                File.WriteAllText(Path.Combine(dir, DemoMarker), "written by zagg demo: it may write here again\n");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new CliException($"cannot create {dir}: {e.Message}"); }
            foreach (var (resource, file) in demoGranules)
            {
                await using var src = assembly.GetManifestResourceStream(resource)!;
                await using var dst = File.Create(Path.Combine(granules, file));
                await src.CopyToAsync(dst, ct);
            }
            var cfg = ConfigLoader.Load("atl06");
            var files = Directory.GetFiles(granules, "*.h5").Order().ToList();
            console.Out.WriteLine($"zagg demo: {files.Count} ATL06-format granules in {granules}");
            var cat = await GranuleCatalog.FromFilesAsync(files, 6, cfg, ct);
            string catalogPath = Path.Combine(dir, "catalog.json");
            cat.Save(catalogPath);
            console.Out.WriteLine($"catalog: {cat.Cells.Count} parent cells of order 6 -> {catalogPath}");
            var run = new UserRun
            {
                ConfigName = "atl06", Config = cfg, CatalogPath = catalogPath, Catalog = cat, Store = Path.Combine(dir, "atl06.zarr"),
                Selection = new RunSelection { Overwrite = true },
                Orchestration = new OrchestrationOptions { Messaging = messaging, SubmitOnly = submitOnly },
            };
            int code = await RunAsync(console, run, dryRun: false, ct);
            console.Out.WriteLine($"look at it: zagg inspect {run.Store}");
            // Followed to its end in either mode (--submit, as under the AppHost, too), so the store is complete here.
            if (code == 0)
            {
                var map = await RenderCommand.RenderAsync(new RenderCommand.RenderRequest { Store = run.Store, Out = Path.Combine(dir, "atl06.png") }, ct);
                console.Out.WriteLine($"picture: {map.Path}");
            }
            return code;
        });
        return cmd;
    }

    /// <summary>The file that marks a folder as zagg demo's own, to be written again by the next demo.</summary>
    private const string DemoMarker = ".zagg-demo";

    /// <summary>What zagg demo writes in its folder, and replaces when it is there.</summary>
    private static readonly string[] DemoOutputs = ["granules", "catalog.json", "atl06.zarr", "atl06.zarr.report.json", "atl06.png"];

    /// <summary>
    /// Refuses a --out folder where the demo would replace what it did not write: a folder holding one of its outputs'
    /// names (a user's catalog.json, say) without the demo's marker, unless its granules are the demo's (a demo folder
    /// from before the marker). A new or empty folder, or one of other files only, is the demo's to write in.
    /// </summary>
    /// <exception cref="CliException">The folder holds what the demo would replace.</exception>
    private static void CheckDemoFolder(string dir, IEnumerable<string> granuleNames)
    {
        if (!Directory.Exists(dir) || File.Exists(Path.Combine(dir, DemoMarker))) return;
        var replaced = DemoOutputs.Where(name => Path.Exists(Path.Combine(dir, name))).ToList();
        if (replaced.Count == 0) return;
        if (granuleNames.All(g => File.Exists(Path.Combine(dir, "granules", g)))) return;
        throw new CliException($"{dir} already holds {string.Join(", ", replaced)}, which zagg demo did not write and would replace: give --out a new or empty folder");
    }

    private static Option<bool> SubmitOption() => new("--submit")
    {
        Description = "Start no service: publish the run to the broker (--transport rabbitmq or sqs) for the services listening there (as under the Aspire AppHost), follow it and report.",
    };

    /// <summary>
    /// The transport and broker: --rabbitmq, else ZAGG_RABBITMQ (as the services read it), else the default; for SQS
    /// --sqs-prefix, else ZAGG_SQS_PREFIX.
    /// </summary>
    /// <param name="sqsOption">What the user typed for SQS, named by the errors ("--backend aws" for a run on the stack).</param>
    private static MessagingOptions ParseMessaging(string transport, string? rabbitMq, string? sqsPrefix = null, string sqsOption = "--transport sqs")
    {
        string? url = rabbitMq ?? (Environment.GetEnvironmentVariable("ZAGG_RABBITMQ") is { Length: > 0 } env ? env : null);
        string? prefix = sqsPrefix ?? (transport == "sqs" && Environment.GetEnvironmentVariable("ZAGG_SQS_PREFIX") is { Length: > 0 } p ? p : null);
        try
        {
            var options = MessagingOptions.Parse(transport, url, prefix, sqsOption);
            // SQS timings, as the services read them (ZAGG_SQS_VISIBILITY, ZAGG_SQS_WAIT: seconds); the worker processes get them too.
            if (options.IsSqs && Seconds("ZAGG_SQS_VISIBILITY", 3) is int visibility) options = options with { SqsVisibilityTimeout = TimeSpan.FromSeconds(visibility) };
            if (options.IsSqs && Seconds("ZAGG_SQS_WAIT", 0) is int wait) options = options with { SqsWaitTime = TimeSpan.FromSeconds(Math.Min(wait, 20)) };
            return options;
        }
        catch (ArgumentException e) { throw new CliException(e.Message); }
    }

    /// <summary>
    /// --backend and --lambda-memory: null for a local run without cost lines; <see cref="LambdaCosting.OnAws"/> for
    /// --backend aws (the cells on the deployed stack's Lambdas; its queues are named by --sqs-prefix, checked with the
    /// SQS transport's own rule); a memory alone for a local run that prints what its cells would cost on such Lambdas.
    /// </summary>
    private static LambdaCosting? ParseBackend(string backend, int? memoryMB)
    {
        return backend switch
        {
            "local" => memoryMB is { } m ? new LambdaCosting(false, m) : null,
            "aws" => new LambdaCosting(true, memoryMB ?? 512),
            _ => throw new System.Diagnostics.UnreachableException($"--backend '{backend}' passed its check when parsed"),
        };
    }

    /// <summary>
    /// --backend aws: the Lambdas write the store and read the granules, so neither may be a path on this machine
    /// (a paid run whose cells fail or whose output is lost). An SQS endpoint on loopback is a stack emulated on this
    /// machine (fauxqs and a local Lambda runtime), whose workers do reach its paths.
    /// </summary>
    private static void RequireReachableByLambdas(UserRun run, MessagingOptions messaging)
    {
        if (UnreachableByLambdas(run, messaging) is { } why) throw new CliException(why);
    }

    /// <summary>Why the stack's Lambdas could not reach the run's store or a granule (a local path), or null.</summary>
    private static string? UnreachableByLambdas(UserRun run, MessagingOptions messaging)
    {
        if (messaging.SqsEndpoint is { IsLoopback: true }) return null;
        if (StorageLocation.TryParse(run.Store, out var store, out _) && store.Kind == StorageKind.File)
            return $"--backend aws: the Lambdas cannot write the local store {run.Store}: give an s3:// store (the stack's OutputLocation)";
        foreach (var (_, granules) in run.Catalog?.Cells ?? [])
            foreach (string g in granules)
                if (StorageLocation.TryParse(g, out var at, out _) && at.Kind == StorageKind.File)
                    return $"--backend aws: the Lambdas cannot read the local granule {g} (catalog {run.CatalogPath}): catalogue NASA's https:// or s3:// links (zagg catalog --cycle …)";
        return null;
    }

    /// <summary>--backend aws --dry-run: the stack's prefix checked by the SQS transport's own rule; nothing is sent.</summary>
    private static MessagingOptions CheckStackPrefix(string? sqsPrefix)
    {
        string prefix = sqsPrefix ?? (Environment.GetEnvironmentVariable("ZAGG_SQS_PREFIX") is { Length: > 0 } p ? p
            : throw new CliException("--backend aws needs --sqs-prefix P, the prefix the stack was deployed with (deployment/aws/deploy.sh --prefix P)"));
        try { _ = new SqsQueueNames(prefix); }
        catch (ArgumentException e) { throw new CliException(e.Message); }
        return new MessagingOptions();
    }

    /// <summary>The Lambdas a run is costed for: whether its cells run on them (--backend aws) and their configured memory.</summary>
    internal sealed record LambdaCosting(bool OnAws, int MemoryMB);

    private static int? Seconds(string variable, int min)
    {
        if (Environment.GetEnvironmentVariable(variable) is not { Length: > 0 } text) return null;
        if (!int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int v) || v < min)
            throw new ArgumentException($"{variable} must be a whole number of seconds ≥ {min}, not '{text}'");
        return v;
    }

    /// <summary>A run as the user asked for it, checked.</summary>
    internal sealed record UserRun
    {
        /// <summary>The Lambdas to cost the run for, or null.</summary>
        public LambdaCosting? Lambda { get; init; }

        public required string ConfigName { get; init; }
        public required PipelineConfig Config { get; init; }
        /// <summary>The catalog file, or null for a query run.</summary>
        public required string? CatalogPath { get; init; }

        /// <summary>The catalog, or null for a query run (whose catalog the catalog service builds).</summary>
        public required GranuleCatalog? Catalog { get; init; }

        /// <summary>A query run's search (the query options, checked), or null.</summary>
        public ParsedQuery? Query { get; init; }
        public required string Store { get; init; }
        public required RunSelection Selection { get; init; }
        public required OrchestrationOptions Orchestration { get; init; }
    }

    /// <summary>The folder of a local store location (a path or file:// URL), or null for a remote one or one that cannot be parsed.</summary>
    private static string? LocalFolder(string store)
        => StorageLocation.TryParse(store, out var where, out _) && where.Kind == StorageKind.File ? where.Path : null;

    /// <summary>
    /// The first of a run's local inputs (its catalog file, its config file, its local granules) that lies inside its
    /// local store, links resolved (<see cref="LocalPaths.FirstInside"/>), or null.
    /// </summary>
    private static (string What, string Path)? InputInsideStore(UserRun run, string configName, LocalPaths.Resolver resolver)
        => LocalFolder(run.Store) is { } folder ? LocalPaths.FirstInside(folder, LocalInputs(run, configName), resolver) : null;

    /// <summary>The first of a run's local inputs that is the file <paramref name="location"/> (links resolved), or null.</summary>
    private static (string What, string Path)? InputAt(UserRun run, string configName, string location, LocalPaths.Resolver resolver)
    {
        if (LocalFolder(location) is not { } file) return null;
        string target = resolver.Resolve(file);
        foreach (var input in LocalInputs(run, configName))
            if (resolver.Resolve(input.Path) == target) return input;
        return null;
    }

    /// <summary>A run's local inputs: its catalog file, its config file (not a built-in name), its local granules.</summary>
    private static IEnumerable<(string What, string Path)> LocalInputs(UserRun run, string configName)
    {
        if (run.CatalogPath is { } catalog && LocalFolder(catalog) is { } catalogPath) yield return ("the catalog", catalogPath);
        if (!ConfigLoader.BuiltIns.Contains(configName) && File.Exists(configName)) yield return ("the config", configName);
        if (run.Catalog is { } loaded)
            foreach (var (_, granules) in loaded.Cells)
                foreach (string g in granules)
                    if (LocalFolder(g) is { } path) yield return ("the granule", path);
    }

    /// <summary>
    /// For a dry run: why the run would refuse its store location (unparsable, not writable as a store, or refused by
    /// <see cref="RunPlanner.CheckStoreAsync"/>), or null. An S3 store is not looked at: a dry run needs no credentials or network.
    /// </summary>
    private static async Task<string?> DryRunStoreRefusalAsync(UserRun run, CancellationToken ct)
    {
        if (!StorageLocation.TryParse(run.Store, out var where, out string? error)) return $"store location {error}";
        if (where.Kind == StorageKind.S3) return null;
        try { return (await RunPlanner.CheckStoreAsync(ZarrStores.Open(run.Store), run.Selection.Overwrite, ct)).Refusal; }
        catch (ZarrException e) { return e.Message; }
    }

    private static bool IsRemote(string granule)
        => granule.StartsWith("s3://", StringComparison.OrdinalIgnoreCase) || granule.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || granule.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    /// <param name="services">The in-memory services started ahead of this run (<see cref="LocalOrchestrator.StartInMemory"/>), or null.</param>
    private static async Task<int> RunAsync(CliConsole console, UserRun run, bool dryRun, CancellationToken ct, LocalServices? services = null)
    {
        IReadOnlyList<PlannedCell> cells = [];
        try { if (run.Catalog is not null) cells = RunPlanner.Select(run.Catalog, run.Selection, run.Config); }
        catch (CatalogException e) { throw new CliException(e.Message); }
        var o = console.Out;
        if (dryRun)
        {
            o.WriteLine($"store   {run.Store}{(run.Selection.Overwrite ? " (overwrite)" : "")}");
            o.WriteLine($"cells   {cells.Count} of {run.Catalog!.Cells.Count} (parent order {run.Catalog.ParentOrder}, child order {run.Config.Grid.ChildOrder}), largest first");
            foreach (var cell in cells)
                o.WriteLine($"  {cell.ParentMorton,12}  catalog index {cell.CatalogIndex,5}  {TerminalText.Count(cell.Granules.Count, "granule")}");
            if (run.Lambda is { } l) o.WriteLine(CostReport.Line(RunCosts.Estimate(cells, run.Config, l.MemoryMB), "estimated cost"));
            // A dry run tells what the real run would refuse, without refusing to plan it.
            if (await DryRunStoreRefusalAsync(run, ct) is { } refusal) console.Error.WriteLine($"zagg: warning: {refusal.TrimEnd('.')}; the run itself would stop here");
            return 0;
        }
        if (run.Lambda is { } lambda && run.Catalog is not null) o.WriteLine(CostReport.Line(RunCosts.Estimate(cells, run.Config, lambda.MemoryMB), "estimated cost"));
        // A query run's granules are NASA's links (remote), known once the catalog service has built its catalog.
        if ((run.Query is not null || cells.Any(c => c.Granules.Any(IsRemote))) && !run.Orchestration.SubmitOnly)
        {
            _ = AuthCommands.RemoteAccess; // this process's workers read through the Earthdata session
            await AuthCommands.CheckBeforeRunAsync(ct);
        }
        var runId = services?.Monitor.RunId ?? Guid.NewGuid();
        string storeLocation = LocalFolder(run.Store) is { } storeFolder ? Path.GetFullPath(storeFolder) : run.Store;
        var request = new RunRequested
        {
            RunId = runId,
            Spec = new RunSpec
            {
                Config = ConfigReferences.FromUser(run.ConfigName),
                Catalog = run.Query is null ? (LocalFolder(run.CatalogPath!) is { } catalogFile ? Path.GetFullPath(catalogFile) : run.CatalogPath!) : RunLedger.CatalogLocation(storeLocation, runId),
                Query = run.Query?.Wire,
                Store = storeLocation,
                Selection = run.Selection,
                RequestedAt = DateTimeOffset.UtcNow,
            },
        };
        var monitor = services?.Monitor ?? new RunMonitor(request.RunId);
        bool terminal = ReferenceEquals(console.Out, Console.Out) && !Console.IsOutputRedirected;
        var lastPrint = TimeSpan.Zero;
        var gate = new object();
        int shown = -1;
        // A query run shows its catalog step (pages, then the catalog's summary) before the cells' progress.
        var catalogStep = run.Query is null ? null : new QueryRuns.CatalogStepFeed(console, request, monitor, terminal);
        void ShowCells()
        {
            lock (gate)
            {
                int finished = monitor.Done + monitor.Failed, total = monitor.Planned;
                if (!monitor.Dispatched || finished == shown || catalogStep is { IsShown: false }) return;
                shown = finished;
                var elapsed = monitor.Clock.Elapsed;
                double rate = elapsed.TotalSeconds > 0 ? monitor.Observations / elapsed.TotalSeconds : 0;
                string text = $"{finished}/{total} cells, {monitor.Observations} obs, {rate / 1e6:F2} M obs/s, {monitor.Failed} errors";
                bool last = finished >= total;
                if (terminal)
                {
                    int width = 30, filled = total == 0 ? width : width * Math.Min(finished, total) / total;
                    Console.Write($"\r[{new string('#', filled)}{new string('.', width - filled)}] {text}   ");
                    if (last) Console.WriteLine();
                }
                else if (last || elapsed - lastPrint > TimeSpan.FromSeconds(5))
                {
                    lastPrint = elapsed;
                    o.WriteLine(text);
                }
            }
        }
        monitor.Changed += ShowCells;
        if (catalogStep is not null) catalogStep.Finished += ShowCells;
        if (run.Orchestration.SubmitOnly)
            o.WriteLine($"run {request.RunId}: {cells.Count} cells, for the services at {run.Orchestration.Messaging.BrokerForDisplay}");
        else if (run.Orchestration.Messaging.SqsStackQueues)
            o.WriteLine($"run {request.RunId}: {cells.Count} cells for the deployed stack's Lambdas, through {run.Orchestration.Messaging.BrokerForDisplay}");
        else if (run.Orchestration.Messaging.IsDistributed)
            o.WriteLine($"run {request.RunId}: {run.Orchestration.WorkerProcesses} worker process(es) through {run.Orchestration.Messaging.BrokerForDisplay}");
        RunCompleted completed;
        try
        {
            using var following = catalogStep?.Start(ct);
            completed = await LocalOrchestrator.RunAsync(request, run.Orchestration, monitor, console.Error, ct, services);
        }
        catch (OrchestrationException e) { throw new CliException(e.Message); }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Ctrl-C: the cells written stay, the rest are missing; a run over the same store is refused without --overwrite.
            console.Error.WriteLine(await StoreWrittenAsync(request.Spec.Store)
                ? $"zagg: cancelled: {request.Spec.Store} holds part of the run (zagg run --overwrite starts it again)"
                : "zagg: cancelled");
            return ZaggCli.Cancelled;
        }
        if (completed.Error is not null) throw new CliException(completed.Reason ?? completed.Error);
        // The first failures by name; a run whose every cell failed the same way (no credentials) says it once, not per cell.
        var failures = monitor.Failures;
        for (int i = 0; i < Math.Min(failures.Count, FailuresShown); i++)
            console.Error.WriteLine($"zagg: cell {failures[i].ParentMorton}: {TerminalText.OneLine(failures[i].Reason)}");
        if (failures.Count > FailuresShown)
            console.Error.WriteLine($"zagg: … and {failures.Count - FailuresShown} more failed cells (every one in the report)");
        o.WriteLine($"report: {completed.Report}");
        o.WriteLine(completed.Summary);
        // Every cell read and none with a point: most often a configuration whose groups or datasets the granules do not have.
        if (completed.Succeeded && cells.Count > 0 && completed.ParentCellsWithData == 0)
        {
            const string outcomes = "\"No data after filtering\" or \"No granules found\"";
            string none = cells.Count == 1 ? $"the cell has no data ({outcomes}" : $"none of the {cells.Count} cells has data (each: {outcomes}";
            var groups = run.Config.DataSource.Groups;
            string held = groups.Count > 0 ? $"groups ({string.Join(", ", groups)}) and datasets" : "datasets";
            console.Error.WriteLine($"zagg: warning: {none} in the report): check that the granules hold the configuration's {held}, and its quality filter");
        }
        if (run.Lambda is { } costed)
        {
            // Measured: each cell's aggregation time as the run ledger recorded it, on Lambdas of the configured memory.
            var ledger = new RunLedger(ZarrStores.Open(request.Spec.Store), request.RunId);
            RunCost cost;
            try { cost = await RunCosts.MeasuredAsync(ledger, run.Config, costed.MemoryMB, ct: ct); }
            catch (Exception e) when (e is ZarrException or IOException)
            {
                throw new CliException($"the run is done, but its ledger in {request.Spec.Store} could not be read for the measured cost: {e.Message}");
            }
            o.WriteLine(CostReport.Line(cost, !costed.OnAws ? "cost on AWS Lambda at this run's cell times" : "measured cost"));
        }
        return completed.Succeeded ? 0 : ZaggCli.Failure;
    }

    /// <summary>True when the store's root metadata was written (false too when the store cannot be reached now).</summary>
    private static async Task<bool> StoreWrittenAsync(string store)
    {
        try { return await ZarrStores.Open(store).ExistsAsync("zarr.json", CancellationToken.None); }
        catch (Exception e) when (e is ZarrException or IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>Failed cells a run names on the terminal before it counts the rest (the report lists every one).</summary>
    internal const int FailuresShown = 10;

    /// <summary>
    /// The config a user named, parsed once per process (<see cref="ConfigReferences"/>): the run's catalog step, in this
    /// process with the in-memory transport, finds it parsed.
    /// </summary>
    internal static PipelineConfig LoadConfig(string nameOrPath)
    {
        try { return ConfigReferences.Load(ConfigReferences.FromUser(nameOrPath)); }
        catch (ConfigException e) { throw new CliException(e.Message); }
    }

    private static GranuleCatalog LoadCatalog(string path)
    {
        try { return CatalogFiles.Load(path); }
        catch (CatalogException e) { throw new CliException(e.Message); }
    }

    internal static List<string> ExpandFiles(string pattern)
    {
        if (Directory.Exists(pattern))
        {
            var inFolder = Directory.GetFiles(pattern, "*.h5").Order().ToList();
            if (inFolder.Count == 0) throw new CliException($"--files {pattern}: the folder holds no *.h5 file");
            return inFolder;
        }
        if (File.Exists(pattern)) return [pattern];
        string dir = Path.GetDirectoryName(pattern) is { Length: > 0 } d ? d : ".";
        string glob = Path.GetFileName(pattern);
        if (!Directory.Exists(dir)) throw new CliException($"--files {pattern}: folder {dir} does not exist");
        var files = Directory.GetFiles(dir, glob).Order().ToList();
        if (files.Count == 0) throw new CliException($"--files {pattern}: no file matches");
        return files;
    }
}
