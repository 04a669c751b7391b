using System.Runtime.CompilerServices;

namespace Zagg.Zarr.Stores;

/// <summary>
/// A folder: keys are relative paths. A write is atomic against a reader and against its own process being killed: the
/// bytes go to a temporary file in the store's <c>.zagg/tmp/</c> folder (no key Zarr readers look at; never listed), which is
/// then renamed over the key's file (rename(2) replaces it in one step). So the folder holds, at every instant and after a
/// kill at any step, each key's old bytes or its new ones, and nothing else beside the keys; what a killed writer leaves is
/// a temporary under <c>.zagg/tmp/</c>, which the next store to write there removes once it is an hour old. Not durable
/// against a power loss (no fsync). The store is one folder tree on one file system. File-system errors surface as
/// <see cref="StoreException"/> naming the key.
/// </summary>
public sealed class LocalStore : IZarrStore
{
    private const string TempSuffix = ".zagg-tmp";

    /// <summary>Where a store's temporaries are written, relative to its root: inside Zagg's own folder <c>.zagg/</c>.</summary>
    internal const string TemporaryFolder = ".zagg/tmp";

    // A temporary's name: the key's file name, the process id, a random word drawn once per process (two hosts' processes
    // sharing a store over a network file system may have the same id) and a count within the process. Unique without
    // drawing a GUID per write (a getrandom(2) call each: 1.6 % of a 247-cell run's CPU); FileMode.CreateNew refuses a
    // clash all the same.
    private static readonly string ProcessNonce = $"{Environment.ProcessId}.{Guid.NewGuid():N}";
    private static long _temporaryCount;

    /// <summary>
    /// How old a temporary in <c>.zagg/tmp/</c> must be to count as abandoned: a write lasts milliseconds, so one an hour old
    /// was left by a killed process. Each store removes those once, before its first write.
    /// </summary>
    internal static readonly TimeSpan AbandonedAfter = TimeSpan.FromHours(1);

    private int _swept;

    private readonly string _root;

    // The folder temporaries are written in: the store's .zagg/tmp, or for a folder of single objects (a report or a
    // catalog beside a store, ZarrStores.ForObject) the folder itself, where no Zarr reader lists.
    private readonly string _temporaries;

    // Folders this store has made or found, so a chunk write does not ask again for each file.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _folders = new(StringComparer.Ordinal);

    /// <summary>A store in the folder <paramref name="root"/> (made on the first write; relative to the working directory if relative).</summary>
    public LocalStore(string root) : this(root, temporariesBesideKeys: false) { }

    /// <param name="root">The folder.</param>
    /// <param name="temporariesBesideKeys">
    /// True for a folder holding single objects beside a store (a report, a catalog): each temporary is written beside its key,
    /// and the folder gets no <c>.zagg/</c>.
    /// </param>
    internal LocalStore(string root, bool temporariesBesideKeys)
    {
        _root = Path.GetFullPath(root);
        _temporaries = temporariesBesideKeys ? "" : Path.Combine(_root, TemporaryFolder.Replace('/', Path.DirectorySeparatorChar));
        Name = root;
    }

    /// <summary>The root as given.</summary>
    public string Name { get; }

    /// <summary>Tests only: called at each step of a write with the temporary's path ("created", "written"), where a kill would stop it.</summary>
    internal Action<string, string>? WriteStep { get; init; }

    private string PathOf(string key)
    {
        if (!IsKey(key)) throw new ArgumentException($"'{key}' is not a store key");
        return Path.Combine(_root, key.Replace('/', Path.DirectorySeparatorChar));
    }

    /// <summary>Whether <paramref name="key"/> is a relative path of non-empty parts, none "." or "..".</summary>
    private static bool IsKey(string key)
    {
        if (key.Length == 0) return false;
        foreach (var range in key.AsSpan().Split('/'))
        {
            var part = key.AsSpan()[range];
            if (part.IsEmpty || part is "." or "..") return false;
        }
        return true;
    }

    public async Task<byte[]?> GetAsync(string key, CancellationToken ct = default)
    {
        string path = PathOf(key);
        // A missing key is common (the ledger's first look, a chunk not written yet): asked first, it costs no exception
        // (the process's first one loads the runtime's exception machinery, tens of milliseconds). The catches stay for a
        // file deleted between the two calls.
        if (!File.Exists(path)) return null;
        try { return await File.ReadAllBytesAsync(path, ct).ConfigureAwait(false); }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreException(Name, "read", key, e.Message, e);
        }
    }

    /// <remarks>Written synchronously: chunks are small, and local "async" writes are thread-pool blocking writes on Linux anyway.</remarks>
    public Task SetAsync(string key, ReadOnlyMemory<byte> value, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        string path = PathOf(key);
        string folder = Path.GetDirectoryName(path)!;
        string temporaries = _temporaries.Length > 0 ? _temporaries : folder;
        string temp = Path.Combine(temporaries, $"{Path.GetFileName(path)}.{ProcessNonce}.{Interlocked.Increment(ref _temporaryCount)}{TempSuffix}");
        try
        {
            using (var f = Create(temp, temporaries))
            {
                WriteStep?.Invoke("created", temp);
                f.Write(value.Span);
            }
            WriteStep?.Invoke("written", temp);
            Ensure(folder);
            try { File.Move(temp, path, overwrite: true); }
            catch (DirectoryNotFoundException) when (Directory.Exists(temporaries))
            {
                // The key's folder removed since it was made (the store deleted under a long run): make it again.
                _folders.TryRemove(folder, out _);
                Ensure(folder);
                File.Move(temp, path, overwrite: true);
            }
            return Task.CompletedTask;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw new StoreException(Name, "write", key, e.Message, e);
        }
    }

    /// <summary>Creates the temporary <paramref name="temp"/>, making its folder when it is missing (first write, or removed since).</summary>
    private FileStream Create(string temp, string temporaries)
    {
        Ensure(temporaries);
        if (_temporaries.Length > 0 && Interlocked.Exchange(ref _swept, 1) == 0) RemoveAbandoned(_temporaries, DateTime.UtcNow - AbandonedAfter);
        try { return New(temp); }
        catch (DirectoryNotFoundException)
        {
            Directory.CreateDirectory(temporaries);
            return New(temp);
        }

        static FileStream New(string path) => new(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
    }

    /// <summary>
    /// Deletes the temporaries in <paramref name="temporaries"/> last written before <paramref name="before"/> (what killed
    /// writers left). Housekeeping: a file it cannot delete, or one gone meanwhile, is left to the next store.
    /// </summary>
    private static void RemoveAbandoned(string temporaries, DateTime before)
    {
        try
        {
            foreach (string f in Directory.EnumerateFiles(temporaries, "*" + TempSuffix))
            {
                try
                {
                    if (File.GetLastWriteTimeUtc(f) < before) File.Delete(f);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>Makes <paramref name="folder"/> unless this store made or found it before.</summary>
    private void Ensure(string folder)
    {
        if (_folders.ContainsKey(folder)) return;
        Directory.CreateDirectory(folder);
        _folders.TryAdd(folder, 0);
    }

    public Task DeleteAsync(string key, CancellationToken ct = default)
    {
        try { File.Delete(PathOf(key)); }
        catch (DirectoryNotFoundException) { }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreException(Name, "delete", key, e.Message, e);
        }
        return Task.CompletedTask;
    }

    public Task<bool> ExistsAsync(string key, CancellationToken ct = default) => Task.FromResult(File.Exists(PathOf(key)));

    // What stands where a folder should be and is not one: a file, or a symbolic link whose target does not exist (File.Exists
    // is true for such a link, Directory.Exists false).
    private static string NotAFolder(string path)
    {
        if (new FileInfo(path).LinkTarget is null) return "a file, not a folder";
        return Zagg.Cloud.SymbolicLinks.FinalTarget(path) switch
        {
            null => "a symbolic link that leads back to itself (a loop of links)",
            { } final when !File.Exists(final) => $"a symbolic link to {final}, which does not exist",
            _ => "a file, not a folder",
        };
    }

    // Every file below a folder, symbolic links skipped (ListAsync).
    private static readonly EnumerationOptions ListOptions = new()
    {
        RecurseSubdirectories = true,
        AttributesToSkip = FileAttributes.ReparsePoint,
        IgnoreInaccessible = false,
        MatchType = MatchType.Simple,
    };

    /// <exception cref="StoreException">The folder cannot be listed (permissions, IO error).</exception>
    public async IAsyncEnumerable<string> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct = default)
    {
        if (!Directory.Exists(_root))
        {
            // A file where the store's folder should be: say so (writing under it would fail with "part of the path").
            if (File.Exists(_root)) throw new StoreException(Name, "list", prefix, NotAFolder(_root));
            // ... or above it: the store's folder could not be made.
            for (string? up = Path.GetDirectoryName(Path.GetFullPath(_root)); up is not null && !Directory.Exists(up); up = Path.GetDirectoryName(up))
                if (File.Exists(up)) throw new StoreException(Name, "list", prefix, $"{up} is {NotAFolder(up)}");
            yield break;
        }
        // Start from the deepest folder the prefix names, then filter by the full prefix.
        int slash = prefix.LastIndexOf('/');
        string dir = slash < 0 ? _root : Path.Combine(_root, prefix[..slash].Replace('/', Path.DirectorySeparatorChar));
        if (!Directory.Exists(dir)) yield break;
        // Symbolic links are not the store's: not followed, not listed (a store's clearing deletes what it lists, and a
        // link to a folder elsewhere would take that folder's files with it).
        IEnumerator<string> files;
        try { files = Directory.EnumerateFiles(dir, "*", ListOptions).GetEnumerator(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreException(Name, "list", prefix, e.Message, e); // the folder itself cannot be opened
        }
        using var _ = files;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                if (!files.MoveNext()) break;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new StoreException(Name, "list", prefix, e.Message, e);
            }
            string file = files.Current;
            if (file.EndsWith(TempSuffix, StringComparison.Ordinal)) continue;
            string key = Path.GetRelativePath(_root, file).Replace(Path.DirectorySeparatorChar, '/');
            if (key.StartsWith(prefix, StringComparison.Ordinal)) yield return key;
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }
}
