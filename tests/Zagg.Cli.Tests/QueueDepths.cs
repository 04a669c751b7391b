using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Zagg.Messaging;

namespace Zagg.Cli.Tests;

/// <summary>Messages waiting in each of Zagg's queues on the broker (a passive declare: reads, never creates).</summary>
public sealed class QueueDepths(MessagingOptions messaging) : IAsyncDisposable
{
    public static readonly string[] Names = [Queues.Catalog, Queues.Template, Queues.Dispatcher, Queues.Worker, Queues.Consolidation, Queues.Worker + "_error", Queues.Consolidation + "_error"];

    private IConnection? _connection;
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Depth per queue (null when the queue does not exist yet), or an empty map with the in-memory transport.</summary>
    public async Task<Dictionary<string, long?>> ReadAsync(CancellationToken ct = default)
    {
        var depths = new Dictionary<string, long?>();
        if (!messaging.IsRabbitMq) return depths;
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            _connection ??= await new ConnectionFactory { Uri = messaging.RabbitMq, ClientProvidedName = "zagg tests" }.CreateConnectionAsync(ct).ConfigureAwait(false);
            foreach (string name in Names)
            {
                // A passive declare of a missing queue closes the channel: one channel per queue.
                await using var channel = await _connection.CreateChannelAsync(cancellationToken: ct).ConfigureAwait(false);
                try { depths[name] = (await channel.QueueDeclarePassiveAsync(name, ct).ConfigureAwait(false)).MessageCount; }
                catch (OperationInterruptedException) { depths[name] = null; }
            }
        }
        catch (Exception e) when (e is BrokerUnreachableException or AlreadyClosedException or IOException)
        {
            _connection = null;
        }
        finally { _gate.Release(); }
        return depths;
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null) await _connection.DisposeAsync().ConfigureAwait(false);
    }
}
