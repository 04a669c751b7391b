using System.Runtime.CompilerServices;

namespace Zagg.Zarr.Stores;

/// <summary>
/// A folder: keys are relative paths. Writes go to a temporary file renamed into place. File-system
/// errors surface as <see cref="StoreException"/> naming the key.
/// </summary>
public sealed class LocalStore : IZarrStore
{
    private const string TempSuffix = ".zagg-tmp";
    private readonly string _root;

    // Folders this store has made or found, so a chunk write does not ask again for each file.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _folders = new(StringComparer.Ordinal);

    /// <summary>A store in the folder <paramref name="root"/> (made on the first write; relative to the working directory if relative).</summary>
    public LocalStore(string root)
    {
        _root = Path.GetFullPath(root);
        Name = root;
    }

    /// <summary>The root as given.</summary>
    public string Name { get; }

    private string PathOf(string key)
    {
        if (key.Length == 0 || key.StartsWith('/') || key.Split('/').Any(p => p is "" or "." or ".."))
            throw new ArgumentException($"'{key}' is not a store key");
        return Path.Combine(_root, key.Replace('/', Path.DirectorySeparatorChar));
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
        string temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}{TempSuffix}";
        try
        {
            string folder = Path.GetDirectoryName(path)!;
            if (!_folders.ContainsKey(folder))
            {
                Directory.CreateDirectory(folder);
                _folders.TryAdd(folder, 0);
            }
            FileStream Create() => new(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
            FileStream f;
            try { f = Create(); }
            catch (DirectoryNotFoundException)
            {
                // Removed since it was made (the store deleted under a long run): make it again.
                Directory.CreateDirectory(folder);
                f = Create();
            }
            using (f) f.Write(value.Span);
            File.Move(temp, path, overwrite: true);
            return Task.CompletedTask;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw new StoreException(Name, "write", key, e.Message, e);
        }
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

    /// <exception cref="StoreException">The folder cannot be listed (permissions, IO error).</exception>
    public async IAsyncEnumerable<string> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct = default)
    {
        if (!Directory.Exists(_root)) yield break;
        // Start from the deepest folder the prefix names, then filter by the full prefix.
        int slash = prefix.LastIndexOf('/');
        string dir = slash < 0 ? _root : Path.Combine(_root, prefix[..slash].Replace('/', Path.DirectorySeparatorChar));
        if (!Directory.Exists(dir)) yield break;
        using var files = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).GetEnumerator();
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
