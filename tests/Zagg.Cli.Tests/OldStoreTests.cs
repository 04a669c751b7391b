using System.Text.Json.Nodes;
using Xunit;
using Zagg.Cli.Viewing;
using Zagg.Pipeline.Output;
using Zagg.Zarr.Stores;

namespace Zagg.Cli.Tests;

/// <summary>
/// Issue #16, "stores written before this issue still open and read the same": Fixtures/old-store/atl06 is the demo
/// store as <c>zagg demo</c> wrote it at bcc9ed9, before the multi-resolution pyramid
/// (tools/fixtures/old_store.sh regenerates it, with old-inspect.txt, that zagg's <c>zagg inspect</c> of it). Today's
/// code inspects it as the old code did, reads every array and every chunk byte-equal to a fresh demo store, renders
/// the same PNG, and the viewer lists its one order.
/// </summary>
public sealed class OldStoreTests : IAsyncLifetime
{
    private static readonly string Fixture = Path.Combine(AppContext.BaseDirectory, "Fixtures", "old-store");
    private readonly string _dir = Directory.CreateTempSubdirectory("zagg-oldstore").FullName;
    private string Old => Path.Combine(_dir, "old.zarr");
    private string Fresh => Path.Combine(_dir, "demo", "atl06.zarr");

    public Task InitializeAsync()
    {
        // A copy, so nothing the commands do can touch the committed fixture.
        CopyTree(Path.Combine(Fixture, "atl06"), Old);
        var r = CliRunner.Run("demo", "--out", Path.Combine(_dir, "demo"));
        Assert.True(r.ExitCode == 0, r.Error);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_dir, true);
        return Task.CompletedTask;
    }

    private static void CopyTree(string from, string to)
    {
        foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private static string Inspect(string store)
    {
        var r = CliRunner.Run("inspect", store);
        Assert.True(r.ExitCode == 0, r.Error);
        return r.Out.Replace(store, "{store}", StringComparison.Ordinal);
    }

    /// <summary>
    /// Everything the old zagg printed, printed the same (for the old store and a fresh one-order store); today's inspect
    /// adds one line per run whose ledger the store keeps (the fresh store's: its run id and duration are checked apart).
    /// </summary>
    [Fact]
    public void Inspect_prints_what_the_old_zagg_printed()
    {
        string expected = File.ReadAllText(Path.Combine(Fixture, "old-inspect.txt"));
        Assert.Equal(expected, Inspect(Old)); // the fixture keeps no run ledger
        var lines = Inspect(Fresh).Split('\n');
        Assert.Matches(@"^run         [0-9a-f]{32}: Done: \d+ cells with data, \d+ obs, 0 errors, ", Assert.Single(lines, l => l.StartsWith("run ", StringComparison.Ordinal)));
        Assert.Equal(expected, string.Join('\n', lines.Where(l => !l.StartsWith("run ", StringComparison.Ordinal))));
    }

    [Fact]
    public async Task Every_array_reads_byte_equal_to_a_fresh_one_order_store()
    {
        var old = await DggsStore.OpenAsync(new LocalStore(Old));
        var fresh = await DggsStore.OpenAsync(new LocalStore(Fresh));
        Assert.Equal(fresh.Template.ChildOrder, old.Template.ChildOrder);
        Assert.Equal(fresh.Template.ParentCellCount, old.Template.ParentCellCount);
        Assert.Equal(fresh.Arrays.Keys.Order(), old.Arrays.Keys.Order());
        Assert.Equal(11, old.Arrays.Count); // cell_ids, morton, count and the eight height statistics
        foreach (var (name, array) in old.Arrays)
        {
            byte[] values = await array.ReadAsync(), expected = await fresh.Arrays[name].ReadAsync();
            Assert.True(values.AsSpan().SequenceEqual(expected), $"{name}: values differ");
        }
        // Every stored object outside the run records (.zagg/: run ids, times, paths), metadata and encoded chunks alike.
        var oldKeys = await Keys(old.Store);
        Assert.Equal(await Keys(fresh.Store), oldKeys);
        Assert.Contains("12/h_mean/c/6", oldKeys);
        foreach (string key in oldKeys)
        {
            byte[] stored = (await old.Store.GetAsync(key))!, expected = (await fresh.Store.GetAsync(key))!;
            Assert.True(stored.AsSpan().SequenceEqual(expected), $"{key} differs");
        }
    }

    private static async Task<List<string>> Keys(Zagg.Zarr.Stores.IZarrStore store)
    {
        var keys = new List<string>();
        await foreach (string key in store.ListAsync(""))
            if (!key.StartsWith(".zagg/", StringComparison.Ordinal)) keys.Add(key);
        keys.Sort(StringComparer.Ordinal);
        return keys;
    }

    [Fact]
    public void Render_draws_the_same_PNG_as_for_a_fresh_store()
    {
        foreach (string variable in new[] { "h_mean", "count" })
        {
            string a = Path.Combine(_dir, $"old-{variable}.png"), b = Path.Combine(_dir, $"fresh-{variable}.png");
            var r = CliRunner.Run("render", Old, "--variable", variable, "--out", a);
            Assert.True(r.ExitCode == 0, r.Error);
            Assert.Contains($"{variable} at order 12", r.Out);
            r = CliRunner.Run("render", Fresh, "--variable", variable, "--out", b);
            Assert.True(r.ExitCode == 0, r.Error);
            Assert.Equal(File.ReadAllBytes(b), File.ReadAllBytes(a));
        }
    }

    [Fact]
    public async Task The_viewer_lists_its_one_order()
    {
        var store = await DggsStore.OpenAsync(new LocalStore(Old));
        Assert.Equal(new[] { 12 }, store.Levels.Keys);
        await using var server = await ViewerServer.StartAsync(store, 0, default);
        using var http = new HttpClient { BaseAddress = server.Url };
        var info = JsonNode.Parse(await http.GetStringAsync("api/info"))!;
        Assert.Equal("[12]", info["levels"]!.ToJsonString());
        Assert.Equal(12, info["order"]!.GetValue<int>());
        Assert.Equal(6, info["parentOrder"]!.GetValue<int>());
    }
}
