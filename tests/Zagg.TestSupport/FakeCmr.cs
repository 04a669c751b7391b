using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Zagg.TestSupport;

/// <summary>
/// A CMR granule search on loopback (Kestrel on 127.0.0.1, a free port): <c>GET /search/granules.umm_json</c>
/// answers the UMM-G records it holds in pages of the request's <c>page_size</c>, with <c>CMR-Hits</c>
/// and <c>CMR-Search-After</c> as NASA's CMR does; it filters by <c>temporal[]</c> (a record's
/// RangeDateTime overlapping the range) and by nothing spatial (every record is "in" any box).
/// Failures are scripted with <see cref="FailNext"/>; every request is recorded.
/// </summary>
public sealed class FakeCmr : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Queue<(int Status, string Body, int? RetryAfter, bool Drop)> _faults = new();
    private readonly object _gate = new();

    /// <summary>The UMM-G records served (the <c>umm</c> of each item).</summary>
    public List<JsonObject> Records { get; } = [];

    /// <summary>Every request's path and query, in order.</summary>
    public List<string> Requests { get; } = [];

    /// <summary>Every request's CMR-Search-After header (null when absent), in order.</summary>
    public List<string?> SearchAfter { get; } = [];

    /// <summary>When set, every page is served as this text (malformed UMM-JSON tests).</summary>
    public string? RawPage { get; set; }

    public string Url { get; }

    /// <summary>How long every answer waits before it is sent (a slow or silent service).</summary>
    public TimeSpan Delay { get; set; }

    private FakeCmr(WebApplication app, string url) { _app = app; Url = url; }

    /// <summary>The next <paramref name="times"/> requests get <paramref name="status"/> with <paramref name="body"/> (and a Retry-After of that many seconds), or a dropped connection when <paramref name="drop"/>.</summary>
    public void FailNext(int status, int times = 1, string body = "", int? retryAfter = null, bool drop = false)
    {
        lock (_gate) for (int i = 0; i < times; i++) _faults.Enqueue((status, body, retryAfter, drop));
    }

    /// <summary>The demo granules' UMM-G records (tools/fixtures/granule_footprints.py), with footprints around their tracks.</summary>
    public static List<JsonObject> DemoRecords()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "demo_granules_umm.json");
        return JsonNode.Parse(File.ReadAllText(path))!.AsArray().Select(n => n!.AsObject()).ToList();
    }

    public static async Task<FakeCmr> StartAsync(IEnumerable<JsonObject>? records = null)
    {
        var app = LoopbackWebApp.CreateBuilder().Build();
        FakeCmr? self = null;
        app.MapGet("/search/granules.umm_json", (HttpContext c) => self!.ServeAsync(c));
        await app.StartAsync();
        string url = LoopbackWebApp.BaseUrl(app);
        self = new FakeCmr(app, url);
        if (records is not null) self.Records.AddRange(records);
        return self;
    }

    private async Task ServeAsync(HttpContext c)
    {
        (int Status, string Body, int? RetryAfter, bool Drop) fault = default;
        bool failing;
        lock (_gate)
        {
            Requests.Add(c.Request.Path + c.Request.QueryString);
            SearchAfter.Add(c.Request.Headers.TryGetValue("CMR-Search-After", out var sa) ? sa.ToString() : null);
            failing = _faults.TryDequeue(out fault);
        }
        if (Delay > TimeSpan.Zero) await Task.Delay(Delay, c.RequestAborted);
        if (failing)
        {
            if (fault.Drop) { c.Abort(); return; }
            c.Response.StatusCode = fault.Status;
            if (fault.RetryAfter is int s) c.Response.Headers.RetryAfter = s.ToString(CultureInfo.InvariantCulture);
            c.Response.ContentType = "application/json";
            await c.Response.WriteAsync(fault.Body);
            return;
        }
        if (RawPage is not null) { c.Response.ContentType = "application/json"; await c.Response.WriteAsync(RawPage); return; }
        int size = int.TryParse(c.Request.Query["page_size"], out int ps) ? Math.Clamp(ps, 1, 2000) : 10;
        var matching = Records.Where(r => InRange(r, c.Request.Query["temporal[]"].ToString())).ToList();
        int from = int.TryParse(c.Request.Headers["CMR-Search-After"].ToString().Trim('[', ']', '"'), out int after) ? after : 0;
        var page = matching.Skip(from).Take(size).ToList();
        c.Response.Headers["CMR-Hits"] = matching.Count.ToString(CultureInfo.InvariantCulture);
        if (page.Count > 0) c.Response.Headers["CMR-Search-After"] = $"[\"{from + page.Count}\"]";
        var items = new JsonArray(page.Select(r => (JsonNode)new JsonObject { ["meta"] = new JsonObject { ["concept-id"] = "G" + r["GranuleUR"] }, ["umm"] = r.DeepClone() }).ToArray());
        c.Response.ContentType = "application/vnd.nasa.cmr.umm_results+json";
        await c.Response.WriteAsync(new JsonObject { ["hits"] = matching.Count, ["took"] = 1, ["items"] = items }.ToJsonString());
    }

    private static bool InRange(JsonObject r, string temporal)
    {
        if (string.IsNullOrEmpty(temporal)) return true;
        var parts = temporal.Split(',');
        var from = DateTimeOffset.Parse(parts[0], CultureInfo.InvariantCulture);
        var to = DateTimeOffset.Parse(parts[1], CultureInfo.InvariantCulture);
        var range = r["TemporalExtent"]?["RangeDateTime"];
        if (range is null) return true;
        var b = DateTimeOffset.Parse(range["BeginningDateTime"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        var e = DateTimeOffset.Parse(range["EndingDateTime"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        return b <= to && e >= from;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
