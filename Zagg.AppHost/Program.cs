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
