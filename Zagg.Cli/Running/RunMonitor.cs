using System.Collections.Concurrent;
using System.Diagnostics;
using MassTransit;
using Zagg.Contracts;

namespace Zagg.Cli.Running;

/// <summary>What zagg run knows of its run, from the messages: for the progress line.</summary>
public sealed class RunMonitor(Guid runId)
{
    public Guid RunId { get; } = runId;
    public Stopwatch Clock { get; } = Stopwatch.StartNew();
    public int Planned => Volatile.Read(ref _planned);
    public int Done => Volatile.Read(ref _done);
    public int Failed => Volatile.Read(ref _failed);
    public long Observations => Interlocked.Read(ref _observations);
    public bool Dispatched => Volatile.Read(ref _dispatched);

    /// <summary>Cells processed per worker (host:pid).</summary>
    public ConcurrentDictionary<string, int> Workers { get; } = new();

    public ConcurrentQueue<CellFailed> Failures { get; } = new();

    public Task<RunCompleted> Completion => _completion.Task;

    /// <summary>Called (on some thread) after each change.</summary>
    public event Action? Changed;

    private readonly TaskCompletionSource<RunCompleted> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // Each cell's last word (true: aggregated), so a redelivered cell counts once and a success after a failure replaces it.
    private readonly Dictionary<long, bool> _seen = [];
    private readonly Lock _gate = new();
    private int _planned, _done, _failed;
    private long _observations;
    private bool _dispatched;

    internal void On(CellsDispatched m)
    {
        Volatile.Write(ref _planned, m.Cells);
        Volatile.Write(ref _dispatched, true);
        Changed?.Invoke();
    }

    internal void On(CellAggregated m)
    {
        Workers.AddOrUpdate(m.Worker, 1, (_, n) => n + 1);
        lock (_gate)
        {
            bool known = _seen.TryGetValue(m.ChunkIndex, out bool succeeded);
            if (!known || !succeeded)
            {
                _seen[m.ChunkIndex] = true;
                if (known) Interlocked.Decrement(ref _failed);
                Interlocked.Increment(ref _done);
                Interlocked.Add(ref _observations, m.Observations);
            }
        }
        Changed?.Invoke();
    }

    internal void On(CellFailed m)
    {
        lock (_gate)
        {
            if (_seen.TryAdd(m.ChunkIndex, false))
            {
                Interlocked.Increment(ref _failed);
                Failures.Enqueue(m);
            }
        }
        Changed?.Invoke();
    }

    internal void On(RunCompleted m)
    {
        _completion.TrySetResult(m);
        Changed?.Invoke();
    }

    /// <summary>Ends the wait with an error (every worker gone, the bus down).</summary>
    public void Abort(Exception e) => _completion.TrySetException(e);
}

/// <summary>Feeds the AppHost's monitor from the run's events (on a temporary queue of its own).</summary>
public sealed class RunObserver(RunMonitor monitor) :
    IConsumer<CellsDispatched>, IConsumer<CellAggregated>, IConsumer<CellFailed>, IConsumer<RunCompleted>,
    IConsumer<Fault<CellsDispatched>>, IConsumer<Fault<CellAggregated>>, IConsumer<Fault<CellFailed>>
{
    // Consolidation gave up on a message of this run (its store unreachable, say): RunCompleted will not come.
    public Task Consume(ConsumeContext<Fault<CellsDispatched>> context) => Abort(context.Message.Message.RunId, context.Message);

    public Task Consume(ConsumeContext<Fault<CellAggregated>> context) => Abort(context.Message.Message.RunId, context.Message);

    public Task Consume(ConsumeContext<Fault<CellFailed>> context) => Abort(context.Message.Message.RunId, context.Message);

    private Task Abort(Guid runId, Fault fault)
    {
        if (runId == monitor.RunId)
            monitor.Abort(new OrchestrationException($"consolidation failed, the run cannot complete: {fault.Exceptions.FirstOrDefault()?.Message ?? "unknown error"}"));
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<CellsDispatched> context)
    {
        if (context.Message.RunId == monitor.RunId) monitor.On(context.Message);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<CellAggregated> context)
    {
        if (context.Message.RunId == monitor.RunId) monitor.On(context.Message);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<CellFailed> context)
    {
        if (context.Message.RunId == monitor.RunId) monitor.On(context.Message);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<RunCompleted> context)
    {
        if (context.Message.RunId == monitor.RunId) monitor.On(context.Message);
        return Task.CompletedTask;
    }
}
