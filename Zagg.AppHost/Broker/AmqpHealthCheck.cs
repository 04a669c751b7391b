using System.Net.Sockets;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Zagg.AppHost.Broker;

/// <summary>
/// Healthy when the broker at 127.0.0.1:<paramref name="port"/> answers the AMQP 0-9-1 protocol header with a frame
/// (Connection.Start): the port opens a moment before the broker accepts clients, and WaitFor waits for this.
/// </summary>
internal sealed class AmqpHealthCheck(int port) : IHealthCheck
{
    private static readonly byte[] Header = "AMQP\0\0\u0009\u0001"u8.ToArray();

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port, timeout.Token).ConfigureAwait(false);
            var stream = client.GetStream();
            await stream.WriteAsync(Header, timeout.Token).ConfigureAwait(false);
            var frame = new byte[1];
            int read = await stream.ReadAsync(frame, timeout.Token).ConfigureAwait(false);
            // Frame type 1 (method): the broker's Connection.Start.
            return read == 1 && frame[0] == 1 ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy($"127.0.0.1:{port} does not speak AMQP 0-9-1 yet");
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"no AMQP answer on 127.0.0.1:{port}: {e.Message}");
        }
    }
}
