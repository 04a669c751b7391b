using System.Globalization;

namespace Zagg.AppHost;

/// <summary>
/// What the AppHost runs, from the arguments after <c>--</c>: <c>--config NAME|FILE</c>, <c>--catalog FILE</c>,
/// <c>--store STORE</c>, <c>--workers N</c>, <c>--transport memory|rabbitmq|sqs</c>, <c>--sqs-prefix P</c>, <c>--exit-when-done</c>.
/// With no catalog it runs the demo (the built-in granules, as <c>zagg demo</c>).
/// </summary>
public sealed record AppHostOptions
{
    /// <summary>A built-in configuration or a YAML file (a path made absolute against the current folder).</summary>
    public string? Config { get; init; }

    /// <summary>The catalog JSON (absolute); null runs the demo.</summary>
    public string? Catalog { get; init; }

    /// <summary>The output store: an absolute path or a URL (s3://…, file://…).</summary>
    public string? Store { get; init; }

    /// <summary>Worker replicas (processes) with a broker; ≥ 1.</summary>
    public int Workers { get; init; } = 2;

    /// <summary>"rabbitmq" (a broker, the services as their own processes), "sqs" (the same over SQS), "memory" (all in one process), or null: RabbitMQ when one can be had.</summary>
    public string? Transport { get; init; }

    /// <summary>With "sqs": the deployment prefix of the queues (required).</summary>
    public string? SqsPrefix { get; init; }

    /// <summary>Stop when the run ends, with its exit code (0 only when every cell succeeded).</summary>
    public bool ExitWhenDone { get; init; }

    /// <summary>The demo's folder (granules, catalog, store, report) when no catalog is given.</summary>
    public string DemoFolder { get; init; } = Path.GetFullPath("zagg-demo");

    /// <summary>The arguments left for Aspire itself (its configuration switches, <c>--Key:Sub value</c>).</summary>
    public IReadOnlyList<string> AspireArgs { get; init; } = [];

    public bool IsDemo => Catalog is null;

    /// <summary>True for <c>--help</c> or <c>-h</c>: print <see cref="Usage"/> and start nothing.</summary>
    public bool Help { get; init; }

    /// <summary>What <c>--help</c> prints.</summary>
    public const string Usage = """
        Usage: dotnet run --project Zagg.AppHost [-- OPTIONS]

        The Zagg services, a broker and a run under the Aspire dashboard (http://127.0.0.1:18888; the login URL is
        printed). With no --catalog it runs the demo on the built-in granules in ./zagg-demo.

        Options:
          --catalog FILE                 run this catalog instead of the demo
          --store STORE                  the output store: a folder, file://… or s3://bucket/prefix (with --catalog)
          --config NAME|FILE             a built-in configuration (atl06) or a YAML file (with --catalog)
          --workers N                    worker replicas when there is a broker (1–64, default 2)
          --transport memory|rabbitmq|sqs
                                         memory: every service in one process, no broker; rabbitmq: a RabbitMQ
                                         container, else Debian's rabbitmq-server (default: rabbitmq when one can be had);
                                         sqs: Amazon SQS at AWS_ENDPOINT_URL_SQS, else the region of AWS_REGION
          --sqs-prefix P                 with --transport sqs: the queues' prefix (P-zagg-catalog … P-zagg-worker)
          --exit-when-done               stop when the run ends, with its exit code (default: stay up until Ctrl+C)
          -h, --help                     show this text
        """;

    /// <summary>Reads the arguments. <exception cref="AppHostUsageException">an unknown or malformed argument, naming it.</exception></summary>
    public static AppHostOptions Parse(IReadOnlyList<string> args)
    {
        var o = new AppHostOptions();
        var rest = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            string Value()
            {
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal)) throw new AppHostUsageException($"{a} needs a value");
                return args[++i];
            }
            switch (a)
            {
                case "--config": o = o with { Config = ResolveConfig(Value()) }; break;
                case "--catalog":
                    string catalog = Path.GetFullPath(Value());
                    if (!File.Exists(catalog)) throw new AppHostUsageException($"--catalog: {catalog} does not exist");
                    o = o with { Catalog = catalog };
                    break;
                case "--store":
                    string store = Value();
                    o = o with { Store = store.Contains("://", StringComparison.Ordinal) ? store : Path.GetFullPath(store) };
                    break;
                case "--workers":
                    string n = Value();
                    if (!int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out int workers) || workers < 1 || workers > 64)
                        throw new AppHostUsageException($"--workers must be a whole number from 1 to 64, not '{n}'");
                    o = o with { Workers = workers };
                    break;
                case "--transport":
                    string t = Value();
                    if (t is not ("memory" or "rabbitmq" or "sqs")) throw new AppHostUsageException($"--transport must be memory, rabbitmq or sqs, not '{t}'");
                    o = o with { Transport = t };
                    break;
                case "--sqs-prefix": o = o with { SqsPrefix = Value() }; break;
                case "--exit-when-done": o = o with { ExitWhenDone = true }; break;
                case "--help" or "-h": return new AppHostOptions { Help = true };
                default:
                    // Aspire's own configuration switches (--AppHost:BrowserToken x, --DcpPublisher:… ) pass through.
                    if (a.StartsWith("--", StringComparison.Ordinal) && a.Contains(':', StringComparison.Ordinal) && i + 1 < args.Count)
                    {
                        rest.Add(a);
                        rest.Add(args[++i]);
                        break;
                    }
                    throw new AppHostUsageException($"unknown argument '{a}' (use --config, --catalog, --store, --workers N, --transport memory|rabbitmq|sqs, --sqs-prefix P, --exit-when-done; --help)");
            }
        }
        if (o.Catalog is null && (o.Config is not null || o.Store is not null))
            throw new AppHostUsageException("--config and --store go with --catalog (without a catalog the AppHost runs the built-in demo)");
        if (o.Transport == "sqs")
        {
            // The same checks as every service's: the prefix, and an endpoint or a region.
            try { Zagg.Messaging.MessagingOptions.Parse("sqs", null, o.SqsPrefix); }
            catch (ArgumentException e) { throw new AppHostUsageException(e.Message); }
            if (o.IsDemo) throw new AppHostUsageException("--transport sqs runs a catalog: add --catalog (the demo runs on RabbitMQ or in memory)");
        }
        else if (o.SqsPrefix is not null) throw new AppHostUsageException("--sqs-prefix names the queues of --transport sqs: add --transport sqs");
        return o with { AspireArgs = rest };
    }

    // A name without a folder or a YAML extension is a built-in configuration; anything else is a file.
    private static string ResolveConfig(string value)
    {
        bool file = value.Contains('/', StringComparison.Ordinal) || value.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || value.EndsWith(".yml", StringComparison.OrdinalIgnoreCase);
        if (!file) return value;
        string path = Path.GetFullPath(value);
        if (!File.Exists(path)) throw new AppHostUsageException($"--config: {path} does not exist");
        return path;
    }
}

/// <summary>A wrong argument: shown as one line, exit code 2.</summary>
public sealed class AppHostUsageException(string message) : Exception(message);
