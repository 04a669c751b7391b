using System.Net;
using System.Net.Sockets;

namespace Zagg.AppHost;

/// <summary>Loopback ports nobody listens on now (the OS's pick), for the resources whose port must be known before they start.</summary>
internal static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
