using System.Diagnostics;
using System.Text.Json;

namespace Zagg.AppHost.Tests;

/// <summary>
/// What the AppHost tests share: the zagg command (built beside the AppHost, run as its own process: the reference
/// output), the demo granules and their catalog, the store's chunk bytes, and the processes an AppHost left behind.
/// </summary>
internal static class Zagg
{
    /// <summary>The repository root (the folder with Zagg.sln).</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>Release or Debug: the configuration these tests (and so the AppHost and zagg) were built in.</summary>
    public static string Configuration { get; } = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;

    public static string CliAssembly => Path.Combine(Root, "Zagg.Cli", "bin", Configuration, "net10.0", "zagg.dll");

    public static string AppHostAssembly => Path.Combine(Root, "Zagg.AppHost", "bin", Configuration, "net10.0", "Zagg.AppHost.dll");

    private static string FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Zagg.sln"))) return d.FullName;
        throw new InvalidOperationException("the repository root (Zagg.sln) is not above " + AppContext.BaseDirectory);
    }

    /// <summary>Runs <c>dotnet zagg.dll ARGS</c>; returns its exit code and output.</summary>
    public static (int ExitCode, string Out) Run(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(CliAssembly);
        foreach (string a in args) psi.ArgumentList.Add(a);
        psi.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output + err.Result);
    }

    /// <summary>A folder with the demo granules (each <paramref name="copies"/> times, under distinct names) and their catalog.</summary>
    public static (string Dir, string Catalog) Granules(int copies = 1)
    {
        string dir = Directory.CreateTempSubdirectory("zagg-apphost-test").FullName;
        foreach (string f in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "demo"), "*.h5"))
            for (int i = 0; i < copies; i++)
                File.Copy(f, Path.Combine(dir, copies == 1 ? Path.GetFileName(f) : Path.GetFileNameWithoutExtension(f) + $"_{i:D2}.h5"));
        string catalog = Path.Combine(dir, "catalog.json");
        var r = Run("catalog", "--files", dir, "--output", catalog);
        if (r.ExitCode != 0) throw new InvalidOperationException("zagg catalog failed: " + r.Out);
        return (dir, catalog);
    }

    /// <summary>Every chunk of a store (not the metadata, whose run ids and times differ), by path.</summary>
    public static SortedDictionary<string, byte[]> Chunks(string store)
    {
        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (string f in Directory.GetFiles(store, "*", SearchOption.AllDirectories))
        {
            string rel = Path.GetRelativePath(store, f);
            if (!rel.StartsWith(".zagg", StringComparison.Ordinal) && !rel.EndsWith("zarr.json", StringComparison.Ordinal)) files[rel] = File.ReadAllBytes(f);
        }
        return files;
    }

    /// <summary>Fails, naming each chunk that differs (key, both lengths and hashes), unless <paramref name="store"/>'s chunks are <paramref name="reference"/>'s.</summary>
    /// <param name="reference">The in-process run's store.</param>
    /// <param name="store">The store under test.</param>
    /// <param name="context">What else the failure message should tell (the run's log, which worker wrote which cell).</param>
    public static void AssertSameChunks(string reference, string store, string? context = null)
    {
        string differences = global::Zagg.TestSupport.StoreChunks.Differences(Chunks(reference), Chunks(store));
        Xunit.Assert.True(differences.Length == 0, $"the chunks of {store} differ from {reference}'s:\n{differences}{context}");
    }

    /// <summary>The worker (host:pid) of each cell the run ledger recorded as aggregated, by chunk index.</summary>
    public static Dictionary<int, string> CellWorkers(string store)
    {
        var workers = new Dictionary<int, string>();
        string runs = Path.Combine(store, ".zagg", "runs");
        if (!Directory.Exists(runs)) return workers;
        foreach (string f in Directory.EnumerateFiles(runs, "*.json", SearchOption.AllDirectories).Where(f => f.Contains("/cells/", StringComparison.Ordinal)))
        {
            try
            {
                var cell = JsonDocument.Parse(File.ReadAllText(f)).RootElement;
                if (cell.GetProperty("succeeded").GetBoolean()) workers[cell.GetProperty("catalogIndex").GetInt32()] = cell.GetProperty("worker").GetString()!;
            }
            catch (Exception e) when (e is IOException or JsonException) { } // being written
        }
        return workers;
    }

    /// <summary>Processes whose working folder or command line is inside <paramref name="folder"/> (the AppHost's broker: epmd, rabbitmq).</summary>
    public static List<string> ProcessesIn(string folder)
    {
        var found = new List<string>();
        foreach (string proc in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(proc), out _)) continue;
            try
            {
                string cmdline = File.ReadAllText(Path.Combine(proc, "cmdline")).Replace('\0', ' ');
                string cwd = new DirectoryInfo(Path.Combine(proc, "cwd")).LinkTarget ?? "";
                if (cmdline.Contains(folder, StringComparison.Ordinal) || cwd.StartsWith(folder, StringComparison.Ordinal)) found.Add(cmdline.Trim());
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return found;
    }

    /// <summary>Waits up to <paramref name="seconds"/> for <paramref name="done"/>.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> done, int seconds = 20)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            if (done()) return true;
            await Task.Delay(250);
        }
        return done();
    }
}
