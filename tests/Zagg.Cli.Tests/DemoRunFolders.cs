using Xunit;

namespace Zagg.Cli.Tests;

/// <summary>The scratch folders and store comparisons of the distributed-run tests (RabbitMQ, SQS): one copy of each.</summary>
internal static class DemoRunFolders
{
    private static readonly string Demo = Path.Combine(AppContext.BaseDirectory, "demo");

    /// <summary>A temporary folder (named <paramref name="prefix"/>…) with the demo granules, each <paramref name="copies"/> times under distinct names, and their catalog.</summary>
    public static (string Dir, string Catalog) Granules(string prefix, int copies = 1)
    {
        string dir = Directory.CreateTempSubdirectory(prefix).FullName;
        foreach (string f in Directory.GetFiles(Demo, "*.h5"))
            for (int i = 0; i < copies; i++)
                File.Copy(f, Path.Combine(dir, copies == 1 ? Path.GetFileName(f) : Path.GetFileNameWithoutExtension(f) + $"_{i:D2}.h5"));
        string catalog = Path.Combine(dir, "catalog.json");
        Assert.Equal(0, CliRunner.Run("catalog", "--files", dir, "--output", catalog).ExitCode);
        return (dir, catalog);
    }

    /// <summary>Every chunk of a store (path → bytes), without metadata and run records, for comparing outputs.</summary>
    public static SortedDictionary<string, byte[]> Chunks(string store) => Zagg.TestSupport.StoreChunks.Read(store);

    /// <summary>The Zagg.Worker processes this test process started (found by their command line, as an operator would).</summary>
    public static List<int> WorkerProcesses()
    {
        var found = new List<int>();
        foreach (string proc in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(proc), out int pid)) continue;
            try
            {
                string cmdline = File.ReadAllText(Path.Combine(proc, "cmdline"));
                if (!cmdline.Contains("Zagg.Worker", StringComparison.Ordinal)) continue;
                string stat = File.ReadAllText(Path.Combine(proc, "stat"));
                int ppid = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
                if (ppid == Environment.ProcessId) found.Add(pid);
            }
            catch (IOException) { }
        }
        found.Sort();
        return found;
    }
}
