using System.Diagnostics;
using Zagg.Pipeline.Output;
using Zagg.Zarr;
using Zagg.Zarr.Stores;

namespace Zagg.Cli.Viewing;

/// <summary>
/// The store as <c>zagg view</c> serves it while a run may be writing it. A run writes its template one file at a
/// time (the root group, the level's group, then each array's zarr.json) and a pyramid's coarser levels only when it
/// consolidates, so a viewer that opened the store early holds a partial view: a level with some arrays or none.
/// <see cref="CurrentAsync"/> re-opens the store's metadata at most every <see cref="RereadInterval"/> (one GET once
/// the run has consolidated it; else one listing of the store's keys) so arrays and levels appear as they are written;
/// a re-read that fails (a store being cleared by <c>--overwrite</c>) keeps the last view. The cells already read
/// (<see cref="StoreWatch"/>) are kept across re-reads.
/// </summary>
internal sealed class LiveStore
{
    /// <summary>How often, at most, the store's metadata is re-read (only when a request comes).</summary>
    public static readonly TimeSpan RereadInterval = TimeSpan.FromSeconds(1);

    private readonly IZarrStore _zarr;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private View _view;
    private long _readAt;

    /// <summary>The levels of one reading of the store's metadata.</summary>
    /// <param name="Store">The finest level (the store itself for a one-order store).</param>
    /// <param name="Levels">Every level written so far by HEALPix order, ascending; the last is <paramref name="Store"/>'s.</param>
    internal sealed record View(DggsStore Store, SortedDictionary<int, StoreWatch> Levels)
    {
        /// <summary>The finest level's watch: its chunks are the parent cells the run has written.</summary>
        public StoreWatch Finest => Levels.Values.Last();
    }

    public LiveStore(DggsStore store)
    {
        _zarr = store.Store;
        _view = Build(store, null);
        _readAt = Stopwatch.GetTimestamp();
    }

    /// <summary>The last view read, without waiting.</summary>
    public View Last => Volatile.Read(ref _view);

    /// <summary>The store's current view: re-read when the last is older than <see cref="RereadInterval"/>.</summary>
    public async ValueTask<View> CurrentAsync(CancellationToken ct)
    {
        if (Stopwatch.GetElapsedTime(Volatile.Read(ref _readAt)) < RereadInterval) return Last;
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (Stopwatch.GetElapsedTime(_readAt) < RereadInterval) return Last;
            DggsStore reopened;
            try { reopened = await DggsStore.OpenAsync(_zarr, ct).ConfigureAwait(false); }
            catch (ZarrException)
            {
                // Not a complete store at this instant (cleared, or a zarr.json not yet readable): keep the last view.
                return Last;
            }
            finally { Volatile.Write(ref _readAt, Stopwatch.GetTimestamp()); }
            var view = Build(reopened, Last);
            Volatile.Write(ref _view, view);
            return view;
        }
        finally { _gate.Release(); }
    }

    /// <summary>A view of <paramref name="store"/>'s levels, keeping the cells read by <paramref name="last"/> where a level's layout is unchanged.</summary>
    private static View Build(DggsStore store, View? last)
    {
        var watches = new SortedDictionary<int, StoreWatch>();
        foreach (var (order, level) in store.Levels)
            watches[order] = last is not null && last.Levels.TryGetValue(order, out var w) && w.TryMove(level) ? w : new StoreWatch(level);
        return new View(store, watches);
    }
}
