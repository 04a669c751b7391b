using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Zagg.AppHost;

/// <summary>
/// The AppHost's terminal: the dashboard's login URL, the run resource's output as it comes (its progress and Done line),
/// then either the end (<c>--exit-when-done</c>: the run's exit code) or the dashboard kept up until Ctrl+C.
/// </summary>
internal static class RunConsole
{
    public static async Task<int> RunAsync(DistributedApplication app, AppHostOptions options, string? dashboard, TextWriter output)
    {
        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        var stopping = lifetime.ApplicationStopping;
        await app.StartAsync(stopping).ConfigureAwait(false);
        if (dashboard is not null) output.WriteLine($"dashboard: {dashboard}");

        var model = app.Services.GetRequiredService<DistributedApplicationModel>();
        var runResource = model.Resources.Single(r => r.Name == ZaggModel.Run);
        var logs = app.Services.GetRequiredService<ResourceLoggerService>();
        using var streaming = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var stream = Task.Run(async () =>
        {
            try
            {
                await foreach (var batch in logs.WatchAsync(runResource).WithCancellation(streaming.Token).ConfigureAwait(false))
                    foreach (var line in batch)
                        if (Shown(line.Content) is { } text)
                            lock (output) output.WriteLine(text);
            }
            catch (OperationCanceledException) { }
        }, CancellationToken.None);

        int code;
        try
        {
            var ended = await app.ResourceNotifications.WaitForResourceAsync(
                ZaggModel.Run, e => e.Snapshot.State?.Text is { } s && KnownResourceStates.TerminalStates.Contains(s), stopping).ConfigureAwait(false);
            code = ended.Snapshot.ExitCode ?? 1;
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C before the run ended.
            await StopAsync(app, streaming, stream).ConfigureAwait(false);
            return 130;
        }
        // The last lines (the Done line) arrive a moment after the process ends.
        await Task.Delay(TimeSpan.FromMilliseconds(500), CancellationToken.None).ConfigureAwait(false);
        if (options.ExitWhenDone)
        {
            await StopAsync(app, streaming, stream).ConfigureAwait(false);
            return code;
        }
        lock (output) output.WriteLine($"the run ended with exit code {code}; the dashboard stays up{(dashboard is null ? "" : $" at {dashboard}")} until Ctrl+C");
        await app.WaitForShutdownAsync(CancellationToken.None).ConfigureAwait(false);
        await streaming.CancelAsync().ConfigureAwait(false);
        await stream.ConfigureAwait(false);
        return code;
    }

    /// <summary>A log line as the terminal shows it: without DCP's timestamp, and without its own process notes.</summary>
    internal static string? Shown(string content)
    {
        // "2026-11-29T22:22:38.9870000Z text"
        int space = content.IndexOf(' ', StringComparison.Ordinal);
        if (space > 0 && DateTimeOffset.TryParse(content.AsSpan(0, space), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out _))
            content = content[(space + 1)..];
        if (content.StartsWith("[sys]", StringComparison.Ordinal) || content.StartsWith("No custom certificate authorities", StringComparison.Ordinal)) return null;
        return content;
    }

    private static async Task StopAsync(DistributedApplication app, CancellationTokenSource streaming, Task stream)
    {
        await streaming.CancelAsync().ConfigureAwait(false);
        await stream.ConfigureAwait(false);
        await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
    }
}
