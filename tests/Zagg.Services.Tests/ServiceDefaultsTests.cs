using Zagg.TestSupport;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Xunit;
using Zagg.ServiceDefaults.Hosting;

namespace Zagg.Services.Tests;

public class ServiceDefaultsTests
{
    [Fact]
    public async Task A_host_serves_health_and_liveness_on_loopback_and_traces_Zagg_sources_by_wildcard()
    {
        var spans = new List<Activity>();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ApplicationName = "Zagg.Test" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddZaggServiceDefaults("Zagg.Test", t => t.AddProcessor(new SimpleActivityExportProcessor(new ListExporter(spans))));
        await using var app = builder.Build();
        app.MapZaggHealth();
        await app.StartAsync();
        try
        {
            Assert.NotNull(app.Services.GetService<TracerProvider>());
            Assert.NotNull(app.Services.GetService<MeterProvider>());
            string url = app.Urls.Single();
            Assert.StartsWith("http://127.0.0.1:", url);
            using var http = new HttpClient();
            foreach (string path in new[] { "/health", "/alive" })
            {
                var response = await http.GetAsync(url + path);
                Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode}");
                Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
            }

            // Any Zagg.* source is listened to, without the defaults knowing it.
            using var source = new ActivitySource("Zagg.SomethingNew");
            using (source.StartActivity("zagg.test.span")) { }
            lock (spans) Assert.Contains(spans, a => a.DisplayName == "zagg.test.span");
        }
        finally { await app.StopAsync(); }
    }
}
