using System.Collections.Concurrent;

namespace Zagg.Pipeline.Aggregation;

/// <summary>
/// Each granule group's located points, shared by the cells of a run and bounded by a total
/// number of points (oldest entries go first when it is exceeded).
/// </summary>
internal sealed class LocatedCells(long maxPoints)
{
    private readonly ConcurrentDictionary<(string, string), Lazy<Task<long[]?>>> _entries = new();
    private readonly ConcurrentQueue<(string, string)> _order = new();
    private long _points;

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
            if (Interlocked.Add(ref _points, cells.Length) > maxPoints)
                while (Interlocked.Read(ref _points) > maxPoints / 2 && _order.TryDequeue(out var old))
                    if (_entries.TryRemove(old, out var gone) && gone.IsValueCreated && gone.Value.IsCompletedSuccessfully && gone.Value.Result is { } g)
                        Interlocked.Add(ref _points, -g.Length);
        }
        return cells;
    }
}
