using System.Collections.Concurrent;

namespace Zagg.Pipeline.Aggregation;

/// <summary>
/// Each granule group's located points (one child-order NESTED id, 8 bytes, per point), shared by the cells
/// of a run and bounded by the bytes they hold: past <paramref name="maxBytes"/>, the oldest entries go
/// until half of it is left.
/// </summary>
internal sealed class LocatedCells(long maxBytes)
{
    private readonly ConcurrentDictionary<(string, string), Lazy<Task<long[]?>>> _entries = new();
    private readonly ConcurrentQueue<(string, string)> _order = new();
    private long _bytes;

    /// <summary>The budget: past it, the oldest entries go.</summary>
    public long MaxBytes => maxBytes;

    public async Task<long[]?> GetAsync((string Url, string Group) key, Func<Task<long[]?>> locate)
    {
        var lazy = _entries.GetOrAdd(key, _ => new Lazy<Task<long[]?>>(locate));
        bool created = !lazy.IsValueCreated;
        long[]? cells;
        try { cells = await lazy.Value.ConfigureAwait(false); }
        catch
        {
            _entries.TryRemove(key, out _); // a failed read is not remembered
            throw;
        }
        if (created && cells is not null)
        {
            _order.Enqueue(key);
            if (Interlocked.Add(ref _bytes, sizeof(long) * (long)cells.Length) > maxBytes)
                while (Interlocked.Read(ref _bytes) > maxBytes / 2 && _order.TryDequeue(out var old))
                    if (_entries.TryRemove(old, out var gone) && gone.IsValueCreated && gone.Value.IsCompletedSuccessfully && gone.Value.Result is { } g)
                        Interlocked.Add(ref _bytes, -sizeof(long) * (long)g.Length);
        }
        return cells;
    }
}
