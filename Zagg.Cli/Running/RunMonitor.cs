using System.Collections.Concurrent;
using System.Diagnostics;
using MassTransit;
using Zagg.Contracts;
using Zagg.Messaging;
using Zagg.Messaging.Sqs;
using Zagg.Runs;

namespace Zagg.Cli.Running;

/// <summary>What zagg run knows of its run, from the messages: for the progress line and the failed cells it lists at the end.</summary>
public sealed class RunMonitor(Guid runId)
{
    public Guid RunId { get; } = runId;
    /// <summary>Time since the run was published (<see cref="Started"/>): the rate on the progress line is over it, as the Done line's duration is.</summary>
    public Stopwatch Clock { get; } = Stopwatch.StartNew();

    /// <summary>The run is being published now: what came before (a broker, the bus, worker processes) is not the run's time.</summary>
    public void Started() => Clock.Restart();
    public int Planned => Volatile.Read(ref _planned);

    /// <summary>Cells aggregated.</summary>
    public int Done => Volatile.Read(ref _done);

    /// <summary>Cells whose last attempt failed (and that no later success replaced).</summary>
    public int Failed => Volatile.Read(ref _failed);

    public long Observations => Interlocked.Read(ref _observations);
    public bool Dispatched => Volatile.Read(ref _dispatched);

    /// <summary>Cells processed per worker (host:pid).</summary>
    public ConcurrentDictionary<string, int> Workers { get; } = new();

    /// <summary>The failed cells, in catalog order.</summary>
    public IReadOnlyList<CellRecord> Failures
    {
        get
        {
            lock (_gate) return _cells.Values.Where(c => !c.Succeeded).OrderBy(c => c.CatalogIndex).ToList();
        }
    }

    public Task<RunCompleted> Completion => _completion.Task;

    /// <summary>Called (on some thread) after each change.</summary>
    public event Action? Changed;

    private readonly TaskCompletionSource<RunCompleted> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // Each cell's record so far: a redelivered cell counts once, and a success after a failure replaces it (CellRecord.Replaces).
    private readonly Dictionary<long, CellRecord> _cells = [];
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
        On(CellRecord.From(m));
    }

    internal void On(CellRecord record)
    {
        lock (_gate)
        {
            _cells.TryGetValue(record.CatalogIndex, out var known);
            if (!record.Replaces(known)) return;
            if (known is not null) Count(known, -1);
            Count(record, +1);
            _cells[record.CatalogIndex] = record;
        }
        Changed?.Invoke();
    }

    private void Count(CellRecord r, int sign)
    {
        if (r.Succeeded)
        {
            Interlocked.Add(ref _done, sign);
            Interlocked.Add(ref _observations, sign * r.Observations);
        }
        else Interlocked.Add(ref _failed, sign);
    }

    internal void On(RunCompleted m)
    {
        _completion.TrySetResult(m);
        Changed?.Invoke();
    }

    /// <summary>Ends the wait with an error (every worker gone, the bus down).</summary>
    public void Abort(Exception e) => _completion.TrySetException(e);
}

/// <summary>Feeds zagg run's monitor from the run's events (on a temporary queue of its own).</summary>
public sealed class RunObserver(RunMonitor monitor) :
    IConsumer<CellsDispatched>, IConsumer<CellAggregated>, IConsumer<Fault<AggregateCell>>, IConsumer<RunCompleted>,
    IConsumer<Fault<CellsDispatched>>, IConsumer<Fault<CellAggregated>>, IConsumer<Fault<Fault<AggregateCell>>>
{
    // Consolidation gave up on a message of this run (its store unreachable, say): RunCompleted will not come.
    public Task Consume(ConsumeContext<Fault<CellsDispatched>> context) => Abort(context.Message.Message.RunId, context.Message);

    public Task Consume(ConsumeContext<Fault<CellAggregated>> context) => Abort(context.Message.Message.RunId, context.Message);

    public Task Consume(ConsumeContext<Fault<Fault<AggregateCell>>> context) => Abort(context.Message.Message.Message.RunId, context.Message);

    private Task Abort(Guid runId, Fault fault)
    {
        if (runId == monitor.RunId)
            monitor.Abort(new OrchestrationException($"consolidation failed, the run cannot complete: {Faults.Reason(fault)}"));
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

    public Task Consume(ConsumeContext<Fault<AggregateCell>> context)
    {
        var fault = context.Message;
        if (fault.Message.RunId == monitor.RunId)
            monitor.On(CellRecord.Failed(fault.Message, Faults.Reason(fault), Faults.Attempts(fault), Faults.Host(fault)));
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<RunCompleted> context)
    {
        if (context.Message.RunId == monitor.RunId) monitor.On(context.Message);
        return Task.CompletedTask;
    }
}

/// <summary>The same, on SQS: feeds zagg run's monitor from the run's follow queue (<see cref="SqsQueueNames.Follow"/>).</summary>
public sealed class RunFollower(RunMonitor monitor) :
    ISqsHandler<CellsDispatched>, ISqsHandler<CellAggregated>, ISqsHandler<SqsFault<AggregateCell>>, ISqsHandler<RunCompleted>,
    ISqsHandler<SqsFault<CellsDispatched>>, ISqsHandler<SqsFault<CellAggregated>>, ISqsHandler<SqsFault<SqsFault<AggregateCell>>>
{
    /// <summary>Handles every event of the run on <paramref name="followQueue"/>.</summary>
    public static void Register(SqsHandlerRegistry x, string followQueue) =>
        x.Follow<CellsDispatched, RunFollower>(followQueue).Follow<CellAggregated, RunFollower>(followQueue)
            .Follow<SqsFault<AggregateCell>, RunFollower>(followQueue).Follow<RunCompleted, RunFollower>(followQueue)
            .Follow<SqsFault<CellsDispatched>, RunFollower>(followQueue).Follow<SqsFault<CellAggregated>, RunFollower>(followQueue)
            .Follow<SqsFault<SqsFault<AggregateCell>>, RunFollower>(followQueue);

    public Task HandleAsync(CellsDispatched message, SqsHandlerContext context) => On(message.RunId, () => monitor.On(message));

    public Task HandleAsync(CellAggregated message, SqsHandlerContext context) => On(message.RunId, () => monitor.On(message));

    public Task HandleAsync(SqsFault<AggregateCell> message, SqsHandlerContext context) =>
        On(message.Message.RunId, () => monitor.On(CellRecord.Failed(message.Message, Faults.Reason(message), Faults.Attempts(message), Faults.Host(message))));

    public Task HandleAsync(RunCompleted message, SqsHandlerContext context) => On(message.RunId, () => monitor.On(message));

    public Task HandleAsync(SqsFault<CellsDispatched> message, SqsHandlerContext context) => Abort(message.Message.RunId, message);

    public Task HandleAsync(SqsFault<CellAggregated> message, SqsHandlerContext context) => Abort(message.Message.RunId, message);

    public Task HandleAsync(SqsFault<SqsFault<AggregateCell>> message, SqsHandlerContext context) => Abort(message.Message.Message.RunId, message);

    private Task On(Guid runId, Action update)
    {
        if (runId == monitor.RunId) update();
        return Task.CompletedTask;
    }

    // Consolidation gave up on a message of this run (its store unreachable, say): RunCompleted will not come.
    private Task Abort(Guid runId, Fault fault) => On(runId, () =>
        monitor.Abort(new OrchestrationException($"consolidation failed, the run cannot complete: {Faults.Reason(fault)}")));
}
