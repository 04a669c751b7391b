using Zagg.Hdf5;

namespace Zagg.Pipeline.Aggregation;

/// <summary>
/// Open granules shared by the cells of a run: leased while a cell reads one, the least
/// recently used idle one closed when more than <paramref name="capacity"/> are open.
/// </summary>
internal sealed class OpenGranules(int capacity)
{
    internal sealed class Entry(Task<Hdf5File> file)
    {
        public readonly Task<Hdf5File> File = file;
        public int Users;
        public long LastUse;
        private long _reported;

        /// <summary>Adds what the file fetched since the last report to the bytes-read counter (each byte once).</summary>
        public void ReportBytes(Hdf5File h5)
        {
            long now = h5.Statistics.Bytes, before;
            while (now > (before = Interlocked.Read(ref _reported)))
                if (Interlocked.CompareExchange(ref _reported, now, before) == before)
                {
                    PipelineTelemetry.BytesRead.Add(now - before);
                    return;
                }
        }
    }

    private readonly Dictionary<string, Entry> _entries = [];
    private long _clock;

    internal sealed class Lease(OpenGranules owner, string url, Entry entry, Hdf5File file) : IDisposable
    {
        public Hdf5File File => file;
        public void Dispose()
        {
            entry.ReportBytes(file);
            owner.Release(url, entry);
        }
    }

    public async Task<Lease> AcquireAsync(string url, Func<Task<Hdf5File>> open)
    {
        Entry entry;
        lock (_entries)
        {
            if (!_entries.TryGetValue(url, out entry!)) _entries[url] = entry = new Entry(open());
            entry.Users++;
            entry.LastUse = ++_clock;
        }
        try { return new Lease(this, url, entry, await entry.File.ConfigureAwait(false)); }
        catch
        {
            lock (_entries)
            {
                entry.Users--;
                if (_entries.TryGetValue(url, out var e) && e == entry) _entries.Remove(url); // a failed open is not remembered
            }
            throw;
        }
    }

    private void Release(string url, Entry entry)
    {
        List<Task<Hdf5File>>? close = null;
        lock (_entries)
        {
            entry.Users--;
            while (_entries.Count > capacity)
            {
                var idle = _entries.Where(e => e.Value.Users == 0).OrderBy(e => e.Value.LastUse).FirstOrDefault();
                if (idle.Value is null) break;
                _entries.Remove(idle.Key);
                (close ??= []).Add(idle.Value.File);
            }
        }
        if (close is not null)
            foreach (var f in close)
                if (f.IsCompletedSuccessfully) f.Result.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Closes every granule (at the end of a run).</summary>
    public async ValueTask CloseAllAsync()
    {
        List<Task<Hdf5File>> all;
        lock (_entries)
        {
            all = _entries.Values.Select(e => e.File).ToList();
            _entries.Clear();
        }
        foreach (var f in all)
            if (f.IsCompletedSuccessfully) await f.Result.DisposeAsync().ConfigureAwait(false);
    }
}
