using System.Text.Json;
using Xunit;
using Zagg.AppHost.Orchestration;

namespace Zagg.AppHost.Tests;

public class DashboardTests
{
    [Fact]
    public async Task The_dashboard_serves_its_page_and_the_runs_live_state_on_loopback()
    {
        string dir = Directory.CreateTempSubdirectory("zagg-dash").FullName;
        try
        {
            var request = DemoRequest.Create(dir);
            using var http = new HttpClient();
            string? url = null, page = null;
            JsonElement? before = null, during = null;
            var monitor = new RunMonitor(request.RunId);
            monitor.Changed += () =>
            {
                if (during is null && monitor.Done >= 1 && url is not null)
                    during = JsonDocument.Parse(http.GetStringAsync(url + "/api/state").GetAwaiter().GetResult()).RootElement.Clone();
            };
            var completed = await LocalOrchestrator.RunAsync(request, new OrchestrationOptions { DashboardPort = 0 }, monitor, TextWriter.Null, ready =>
            {
                url = ready;
                page = http.GetStringAsync(ready).GetAwaiter().GetResult();
                before = JsonDocument.Parse(http.GetStringAsync(ready + "/api/state").GetAwaiter().GetResult()).RootElement.Clone();
            });
            Assert.True(completed.Succeeded, completed.Error);
            Assert.StartsWith("http://127.0.0.1:", url);
            Assert.Contains("<h2>Workers</h2>", page);
            Assert.Contains("fetch('/api/state')", page);
            var b = before!.Value;
            Assert.Equal(request.RunId.ToString(), b.GetProperty("run").GetProperty("id").GetString());
            Assert.Equal("in-memory", b.GetProperty("run").GetProperty("transport").GetString());
            Assert.Equal(5, b.GetProperty("services").GetArrayLength());
            Assert.Equal(0, b.GetProperty("run").GetProperty("done").GetInt32());
            var d = during!.Value;
            Assert.Equal(7, d.GetProperty("run").GetProperty("planned").GetInt32());
            Assert.True(d.GetProperty("run").GetProperty("done").GetInt32() >= 1);
            Assert.True(d.GetProperty("run").GetProperty("observations").GetInt64() > 0);
            Assert.NotEmpty(d.GetProperty("workers").EnumerateArray());
            Assert.NotEmpty(d.GetProperty("queues").EnumerateArray());
        }
        finally { Directory.Delete(dir, true); }
    }
}
