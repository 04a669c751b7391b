using System.Reflection;

namespace Zagg.ServiceDefaults;

/// <summary>The name and version every Zagg host reports (in --version, logs and its telemetry resource).</summary>
public static class ServiceIdentity
{
    public const string Product = "zagg";

    /// <summary>The product version, without build metadata.</summary>
    public static string Version { get; } = ReadVersion();

    /// <summary>The runtime the host runs on, e.g. ".NET 10.0.12".</summary>
    public static string Runtime => System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription;

    private static string ReadVersion()
    {
        string? v = typeof(ServiceIdentity).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (string.IsNullOrEmpty(v)) return "0.0.0";
        int plus = v.IndexOf('+');
        return plus < 0 ? v : v[..plus];
    }
}
