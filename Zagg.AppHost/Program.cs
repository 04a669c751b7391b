using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Zagg.AppHost;

// dotnet run --project Zagg.AppHost [-- --catalog FILE --store STORE --config NAME|FILE --workers N --transport memory|rabbitmq --exit-when-done]
AppHostOptions options;
try { options = AppHostOptions.Parse(args); }
catch (AppHostUsageException e)
{
    Console.Error.WriteLine($"zagg apphost: {e.Message}");
    return 2;
}
if (options.Help)
{
    Console.WriteLine(AppHostOptions.Usage);
    return 0;
}

// The dashboard's fixed ports (launchSettings.json): a second AppHost, or anything else on them, is one clear line.
if (PortInUse() is { } busy)
{
    Console.Error.WriteLine($"zagg apphost: {busy} is in use (another AppHost still running?): stop it, or set ASPNETCORE_URLS, ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL and ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL to free ports");
    return 1;
}

var builder = DistributedApplication.CreateBuilder([.. options.AspireArgs]);
// Aspire's start-up chatter stays in the dashboard; the terminal shows the run.
builder.Services.AddLogging(l => l
    .AddFilter("Aspire.Hosting", LogLevel.Warning)
    .AddFilter("Aspire.Hosting.Dcp", LogLevel.Error)
    .AddFilter("Microsoft.AspNetCore", LogLevel.Warning));

(Zagg.AppHost.Broker.BrokerKind broker, string banner) model;
try { model = ZaggModel.Add(builder, options); }
catch (AppHostUsageException e)
{
    Console.Error.WriteLine($"zagg apphost: {e.Message}");
    return 2;
}
Console.WriteLine($"zagg apphost: {(options.IsDemo ? $"the demo ({options.DemoFolder})" : $"a run of {options.Catalog}")}; {model.banner}");

string? dashboard = DashboardLogin(builder.Configuration);
using var app = builder.Build();
return await RunConsole.RunAsync(app, options, dashboard, Console.Out);

// The dashboard's address with its login token (t=…), when a dashboard runs.
static string? DashboardLogin(IConfiguration configuration)
{
    string? urls = configuration["ASPNETCORE_URLS"];
    if (string.IsNullOrEmpty(urls)) return null;
    string url = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0].TrimEnd('/');
    string? token = configuration["AppHost:BrowserToken"];
    return string.IsNullOrEmpty(token) ? url : $"{url}/login?t={token}";
}

// The first of the dashboard's loopback addresses (browser, OTLP, resource service) that something already listens on.
static string? PortInUse()
{
    foreach (string variable in new[] { "ASPNETCORE_URLS", "ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL", "ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL" })
        foreach (string url in (Environment.GetEnvironmentVariable(variable) ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Port <= 0 || !System.Net.IPAddress.TryParse(uri.Host, out var address)) continue;
            var listener = new System.Net.Sockets.TcpListener(address, uri.Port);
            try { listener.Start(); }
            catch (System.Net.Sockets.SocketException) { return $"{uri.Host}:{uri.Port} ({variable})"; }
            finally { listener.Stop(); }
        }
    return null;
}
