using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Zagg.TestSupport;

/// <summary>What the real servers the tests start have in common: a free loopback port, and a clean stop.</summary>
public static class LoopbackProcess
{
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>The repository root (the folder with Zagg.sln), found from the test's own folder.</summary>
    public static string? RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Zagg.sln"))) return d.FullName;
        return null;
    }

    public static void Stop(Process? process, string workDirectory)
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
        process?.Dispose();
        if (workDirectory.Length > 0)
            try { Directory.Delete(workDirectory, true); } catch (IOException) { }
    }
}
