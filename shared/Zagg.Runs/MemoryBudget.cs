namespace Zagg.Runs;

/// <summary>
/// The memory a worker process lets its cells' per-child arrays hold at once (<see cref="Pipeline.Aggregation.CellAggregator.ChildArraysBytes"/>:
/// results, chunks, coordinates; 4^(child − parent) of each). A cell reserves its estimate before it is aggregated and
/// gives it back once written; while the others hold too much, it waits its turn (first come, first served). Cells of
/// the usual depths (~800 KB at 6 orders below the parent) never wait; at deep child orders (~13 GB at 13 orders) they
/// run one after another instead of together out of memory. A cell that alone needs more than the budget is refused
/// before it allocates anything (<see cref="Fits"/>).
/// </summary>
/// <param name="bytes">The budget.</param>
internal sealed class MemoryBudget(long bytes)
{
    private readonly object _gate = new();
    private readonly LinkedList<(long Bytes, TaskCompletionSource Ready)> _waiting = new();
    private long _free = bytes;

    /// <summary>The budget of this process: three quarters of the memory the GC may use (a container's limit and <c>GCHeapHardLimit</c> included).</summary>
    public static MemoryBudget ForProcess() => new(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4 * 3);

    /// <summary>The budget, in bytes.</summary>
    public long Bytes { get; } = bytes;

    /// <summary>Whether <paramref name="bytes"/> can ever be reserved.</summary>
    public bool Fits(long bytes) => bytes <= Bytes;

    /// <summary>Reserves <paramref name="bytes"/>, waiting until that much is free; dispose the result to give it back.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bytes"/> is negative or more than the budget (<see cref="Fits"/>).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled while waiting.</exception>
    public async Task<IDisposable> ReserveAsync(long bytes, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bytes, Bytes);
        LinkedListNode<(long Bytes, TaskCompletionSource Ready)> node;
        lock (_gate)
        {
            if (_waiting.Count == 0 && bytes <= _free)
            {
                _free -= bytes;
                return new Reservation(this, bytes);
            }
            node = _waiting.AddLast((bytes, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)));
        }
        using (ct.Register(() =>
        {
            lock (_gate)
            {
                if (node.List is null) return; // granted meanwhile
                _waiting.Remove(node);
            }
            node.Value.Ready.TrySetCanceled(ct);
        }))
            await node.Value.Ready.Task.ConfigureAwait(false);
        return new Reservation(this, bytes);
    }

    private void Release(long bytes)
    {
        var granted = new List<TaskCompletionSource>();
        lock (_gate)
        {
            _free += bytes;
            while (_waiting.First is { } first && first.Value.Bytes <= _free)
            {
                _free -= first.Value.Bytes;
                _waiting.RemoveFirst();
                granted.Add(first.Value.Ready);
            }
        }
        foreach (var ready in granted) ready.TrySetResult();
    }

    private sealed class Reservation(MemoryBudget budget, long bytes) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) budget.Release(bytes);
        }
    }
}
