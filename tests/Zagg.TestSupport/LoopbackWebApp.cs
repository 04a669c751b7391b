using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Zagg.TestSupport;

/// <summary>The Kestrel the fake services share: a slim app on a free 127.0.0.1 port, logging nothing.</summary>
internal static class LoopbackWebApp
{
    public static WebApplicationBuilder CreateBuilder()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        return builder;
    }

    /// <summary>The started app's base URL, without a trailing slash (e.g. http://127.0.0.1:41234).</summary>
    public static string BaseUrl(WebApplication app) => app.Urls.First().TrimEnd('/');
}
