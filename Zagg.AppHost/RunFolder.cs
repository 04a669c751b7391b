namespace Zagg.AppHost;

/// <summary>
/// The AppHost's own folder under the temp folder (<c>zagg-apphost-PID</c>): the broker's state. Removed when the
/// AppHost's services are disposed (after its resources stopped), and left-overs of AppHosts no longer running at start.
/// </summary>
internal sealed class RunFolder : IDisposable
{
    private const string Prefix = "zagg-apphost-";

    public string Path { get; }

    private RunFolder(string path) => Path = path;

    public static RunFolder Create()
    {
        string temp = System.IO.Path.GetTempPath();
        foreach (string old in Directory.EnumerateDirectories(temp, Prefix + "*"))
            if (int.TryParse(System.IO.Path.GetFileName(old)[Prefix.Length..], out int pid) && !Alive(pid)) TryDelete(old);
        string path = System.IO.Path.Combine(temp, Prefix + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(path);
        return new RunFolder(path);
    }

    public void Dispose() => TryDelete(Path);

    private static bool Alive(int pid) => Directory.Exists($"/proc/{pid}") || (!OperatingSystem.IsLinux() && ProcessExists(pid));

    private static bool ProcessExists(int pid)
    {
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException) { return false; }
    }

    private static void TryDelete(string path)
    {
        try { Directory.Delete(path, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
