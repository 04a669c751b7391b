using Xunit;
using Zagg.Zarr.Stores;

namespace Zagg.Zarr.Tests;

/// <summary>
/// What a writer killed mid-write leaves in a local store (a worker replica killed while writing a cell's chunks): each key's
/// old bytes or none, and nothing else beside the keys, so a store that a redelivered cell rewrites ends as if written once.
/// A kill is played by <see cref="LocalStore.WriteStep"/> throwing at that step: the store catches only file-system errors,
/// so the temporary stays on disk exactly as a killed process leaves it.
/// </summary>
public class KilledWriteTests
{
    private sealed class Killed : Exception;

    private static byte[] Bytes(int seed, int n)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }

    /// <summary>Every file under the folder but Zagg's own (.zagg/), as keys.</summary>
    private static List<string> FilesBesideZagg(string dir) =>
        [.. Directory.GetFiles(dir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dir, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(k => !k.StartsWith(".zagg/", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

    private static async Task<List<string>> KeysAsync(IZarrStore store)
    {
        var keys = new List<string>();
        await foreach (string k in store.ListAsync("")) keys.Add(k);
        keys.Sort(StringComparer.Ordinal);
        return keys;
    }

    [Theory]
    [InlineData("created")]
    [InlineData("written")]
    public async Task A_write_killed_at_any_step_leaves_the_old_bytes_and_nothing_beside_the_keys(string step)
    {
        using var tmp = new TempStore();
        var store = new LocalStore(tmp.Dir);
        byte[] before = Bytes(1, 5000), after = Bytes(2, 5000);
        await store.SetAsync("h/c/0", before);
        await store.SetAsync("h/c/1", before);
        // A replica writing a cell's chunks is killed: one chunk replaced, one new.
        var dying = new LocalStore(tmp.Dir) { WriteStep = (at, _) => { if (at == step) throw new Killed(); } };
        await Assert.ThrowsAsync<Killed>(() => dying.SetAsync("h/c/0", after));
        await Assert.ThrowsAsync<Killed>(() => dying.SetAsync("h/c/2", after));
        Assert.Equal(before, await store.GetAsync("h/c/0"));
        Assert.Null(await store.GetAsync("h/c/2"));
        Assert.Equal(["h/c/0", "h/c/1"], FilesBesideZagg(tmp.Dir));
        Assert.Equal(["h/c/0", "h/c/1"], await KeysAsync(store));
        // Its temporaries are what it left, in the store's own folder.
        Assert.Equal(2, Directory.GetFiles(Path.Combine(tmp.Dir, ".zagg", "tmp")).Length);
        // The cell redelivered to another replica: the store is what one whole write makes.
        await store.SetAsync("h/c/0", after);
        await store.SetAsync("h/c/2", after);
        Assert.Equal(["h/c/0", "h/c/1", "h/c/2"], FilesBesideZagg(tmp.Dir));
        Assert.Equal(after, await store.GetAsync("h/c/0"));
        Assert.Equal(after, await store.GetAsync("h/c/2"));
        Assert.Equal(["h/c/0", "h/c/1", "h/c/2"], await KeysAsync(store));
    }

    [Fact]
    public async Task A_killed_writers_temporary_an_hour_old_goes_with_the_next_stores_first_write_a_fresh_one_stays()
    {
        using var tmp = new TempStore();
        var dying = new LocalStore(tmp.Dir) { WriteStep = (at, _) => { if (at == "written") throw new Killed(); } };
        await Assert.ThrowsAsync<Killed>(() => dying.SetAsync("h/c/0", Bytes(5, 100)));
        await Assert.ThrowsAsync<Killed>(() => dying.SetAsync("h/c/1", Bytes(6, 100)));
        string[] left = Directory.GetFiles(Path.Combine(tmp.Dir, ".zagg", "tmp"));
        Assert.Equal(2, left.Length);
        // One was left long ago, the other a moment ago (a writer that may still be renaming it).
        string old = left.Order(StringComparer.Ordinal).First(), fresh = left.Order(StringComparer.Ordinal).Last();
        File.SetLastWriteTimeUtc(old, DateTime.UtcNow - LocalStore.AbandonedAfter - TimeSpan.FromMinutes(1));
        File.SetLastWriteTimeUtc(fresh, DateTime.UtcNow - LocalStore.AbandonedAfter + TimeSpan.FromMinutes(5));
        var next = new LocalStore(tmp.Dir);
        await next.SetAsync("h/c/2", Bytes(7, 100));
        Assert.Equal([fresh], Directory.GetFiles(Path.Combine(tmp.Dir, ".zagg", "tmp")));
        Assert.Equal(["h/c/2"], await KeysAsync(next));
    }

    [Fact]
    public async Task While_a_write_is_under_way_its_folder_holds_only_whole_keys()
    {
        using var tmp = new TempStore();
        byte[] before = Bytes(3, 100_000), after = Bytes(4, 100_000);
        var store = new LocalStore(tmp.Dir);
        await store.SetAsync("h/c/0", before);
        var seen = new List<(string Step, List<string> Files, byte[]? Value)>();
        var watched = new LocalStore(tmp.Dir)
        {
            WriteStep = (at, _) => seen.Add((at, FilesBesideZagg(tmp.Dir), File.ReadAllBytes(Path.Combine(tmp.Dir, "h", "c", "0")))),
        };
        await watched.SetAsync("h/c/0", after);
        Assert.Equal(["created", "written"], seen.Select(s => s.Step));
        Assert.All(seen, s => Assert.Equal(["h/c/0"], s.Files));
        Assert.All(seen, s => Assert.Equal(before, s.Value));
        Assert.Equal(after, await store.GetAsync("h/c/0"));
    }

    [Fact]
    public async Task The_folder_of_an_object_beside_a_store_gets_no_zagg_folder()
    {
        using var tmp = new TempStore();
        var (folder, key) = ZarrStores.ForObject(Path.Combine(tmp.Dir, "out.zarr.report.json"));
        await folder.SetAsync(key, Bytes(5, 100));
        Assert.Equal(["out.zarr.report.json"], Directory.GetFileSystemEntries(tmp.Dir).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Listing_does_not_follow_symbolic_links_so_deleting_what_is_listed_stays_inside_the_store()
    {
        using var tmp = new TempStore();
        using var elsewhere = new TempStore();
        File.WriteAllText(Path.Combine(elsewhere.Dir, "theirs.txt"), "not the store's");
        var store = new LocalStore(tmp.Dir);
        await store.SetAsync("h/c/0", Bytes(1, 10));
        Directory.CreateSymbolicLink(Path.Combine(tmp.Dir, "linked"), elsewhere.Dir);
        File.CreateSymbolicLink(Path.Combine(tmp.Dir, "h", "file-link"), Path.Combine(elsewhere.Dir, "theirs.txt"));
        var keys = await KeysAsync(store);
        Assert.Equal(["h/c/0"], keys);
        foreach (string k in keys) await store.DeleteAsync(k);
        Assert.Equal("not the store's", File.ReadAllText(Path.Combine(elsewhere.Dir, "theirs.txt")));
    }
}
