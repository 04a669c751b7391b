using System.Threading.Channels;

namespace Zagg.TestSupport.Lambda;

/// <summary>An event source of events given by the test (any JSON): for tests of the runtime loop itself.</summary>
public sealed class EventList : ILambdaEventSource
{
    private readonly Channel<LambdaEventBatch> _events = Channel.CreateUnbounded<LambdaEventBatch>();

    /// <summary>Queues an event, invoked once.</summary>
    public void Add(string json) => _events.Writer.TryWrite(new LambdaEventBatch(System.Text.Encoding.UTF8.GetBytes(json), new Dictionary<string, string>()));

    public async Task<LambdaEventBatch> ReceiveAsync(CancellationToken ct) => await _events.Reader.ReadAsync(ct);

    public Task CompleteAsync(LambdaEventBatch batch, IReadOnlySet<string> failed, CancellationToken ct) => Task.CompletedTask;

    public Task AbandonAsync(LambdaEventBatch batch, CancellationToken ct) => Task.CompletedTask;
}
