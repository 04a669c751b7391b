using System.Globalization;
using Microsoft.Playwright;
using Xunit;
using Xunit.Abstractions;
using Zagg.Cli.Viewing;
using Zagg.Grid;
using Zagg.Maps.Projections;
using Zagg.Pipeline.Output;
using Zagg.Zarr;
using Zagg.Zarr.Stores;

namespace Zagg.Cli.Tests;

/// <summary>
/// zagg view in Debian's chromium (headless, Playwright): the page draws the store's cells, the hover shows a cell's
/// values, and parent cells appear as their chunks land. Screenshots go to the test output folder (viewer-*.png).
/// </summary>
public sealed class ViewerTests(ITestOutputHelper output)
{
    private static readonly long[] Parents = [GeoGrid.Locate(-75, 10, 4), GeoGrid.Locate(-80, 100, 4), GeoGrid.Locate(-72, -60, 4), GeoGrid.Locate(-85, -150, 4)];

    private static async Task<DggsStore> CreateAsync(string dir) => await DggsStore.CreateAsync(new LocalStore(dir), new DggsTemplate
    {
        ParentOrder = 4, ChildOrder = 7, ParentCellCount = Parents.Length,
        Variables = [new("count", ZarrDataType.Int32), new("h_mean", ZarrDataType.Float32)],
    });

    /// <summary>Parent i: h_mean = 1000 + 100·i + child index, count = child index + 1.</summary>
    private static Task WriteAsync(DggsStore store, int i)
    {
        var count = new byte[64 * 4];
        var mean = new byte[64 * 4];
        for (int k = 0; k < 64; k++)
        {
            BitConverter.TryWriteBytes(count.AsSpan(k * 4), k + 1);
            BitConverter.TryWriteBytes(mean.AsSpan(k * 4), 1000f + 100 * i + k);
        }
        return store.WriteCellAsync(Parents[i], i, new Dictionary<string, byte[]> { ["count"] = count, ["h_mean"] = mean });
    }

    internal static async Task<IBrowser> LaunchAsync(IPlaywright playwright) => await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = "/usr/bin/chromium",
        Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });

    internal static bool NoChromium(ITestOutputHelper output)
    {
        if (File.Exists("/usr/bin/chromium")) return false;
        Assert.True(Environment.GetEnvironmentVariable("CI") != "true", "chromium is missing under CI (.ci/run installs it)");
        output.WriteLine("skipped: Debian's chromium is not installed");
        return true;
    }

    private static async Task<int> DataAsync(IPage page, string id, string name)
        => int.Parse(await page.GetAttributeAsync($"#{id}", $"data-{name}") ?? "-1", CultureInfo.InvariantCulture);

    private string Screenshot(string name) => Path.Combine(AppContext.BaseDirectory, $"viewer-{name}.png");

    [Fact]
    public async Task The_page_draws_every_cell_and_the_hover_shows_its_values()
    {
        if (NoChromium(output)) return;
        string dir = Directory.CreateTempSubdirectory("zagg-view").FullName;
        try
        {
            var store = await CreateAsync(dir);
            for (int i = 0; i < Parents.Length; i++) await WriteAsync(store, i);
            await using var server = await ViewerServer.StartAsync(await DggsStore.OpenAsync(new LocalStore(dir)), 0, default);
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await LaunchAsync(playwright);
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1200, Height = 800 } });
            await page.GotoAsync(server.Url.ToString());
            await page.WaitForSelectorAsync("body[data-ready=true]", new PageWaitForSelectorOptions { Timeout = 30_000 });
            // Every parent cell and every cell with a value (what zagg inspect counts: 4/4 chunks, 4 × 64 values).
            Assert.Equal(Parents.Length, await DataAsync(page, "progress", "chunks"));
            Assert.Equal(Parents.Length * 64, await DataAsync(page, "progress", "cells"));
            Assert.Contains($"{Parents.Length} / {Parents.Length} parent cells drawn", await page.InnerTextAsync("#progress"));

            // Hover the centre of child 5 of parent 1: its morton word, NESTED id and values.
            long cell = (Parents[1] << 6) + 5;
            var centre = GeoGrid.Centre(cell, 7);
            MapProjection.South.Forward(centre.Latitude, centre.Longitude, out double x, out double y);
            var px = await page.EvaluateAsync<double[]>($"toPixel({x.ToString("R", CultureInfo.InvariantCulture)}, {y.ToString("R", CultureInfo.InvariantCulture)})");
            var box = (await page.Locator("#canvas").BoundingBoxAsync())!;
            await page.Mouse.MoveAsync((float)(box.X + px[0]), (float)(box.Y + px[1]));
            await page.WaitForFunctionAsync($"document.getElementById('hover').dataset.nested === '{cell}'", null, new PageWaitForFunctionOptions { Timeout = 10_000 });
            string hover = await page.InnerTextAsync("#hover");
            Assert.Contains($"morton {Morton.FromNested(cell, 7)}", hover);
            Assert.Contains($"nested {cell} (order 7)", hover);
            Assert.Contains("h_mean 1105", hover);
            Assert.Contains("count 6", hover);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot("store") });
            output.WriteLine($"screenshot: {Screenshot("store")}");
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task Parent_cells_appear_as_their_chunks_land()
    {
        if (NoChromium(output)) return;
        string dir = Directory.CreateTempSubdirectory("zagg-view-live").FullName;
        try
        {
            var store = await CreateAsync(dir); // the template, as a run writes it first
            await using var server = await ViewerServer.StartAsync(await DggsStore.OpenAsync(new LocalStore(dir)), 0, default);
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await LaunchAsync(playwright);
            var page = await browser.NewPageAsync();
            await page.GotoAsync(server.Url.ToString());
            await page.WaitForSelectorAsync("body[data-ready=true]", new PageWaitForSelectorOptions { Timeout = 30_000 });
            Assert.Equal(0, await DataAsync(page, "progress", "chunks"));
            for (int i = 0; i < Parents.Length; i++)
            {
                await WriteAsync(store, i);
                var watch = System.Diagnostics.Stopwatch.StartNew();
                // The page polls every 400 ms; a loaded test machine gets some slack over the second it aims at.
                await page.WaitForFunctionAsync($"document.getElementById('progress').dataset.chunks === '{i + 1}' && document.getElementById('canvas').dataset.drawnChunks === '{i + 1}'",
                    null, new PageWaitForFunctionOptions { Timeout = 5_000, PollingInterval = 50 });
                output.WriteLine($"parent cell {i + 1} drawn {watch.ElapsedMilliseconds} ms after its chunk landed");
                Assert.Equal((i + 1) * 64, await DataAsync(page, "progress", "cells"));
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot($"live-{i + 1}") });
            }
        }
        finally { Directory.Delete(dir, true); }
    }
}
