using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Zagg.Messaging.Sqs;
using Zagg.ServiceDefaults;
using Zagg.ServiceDefaults.Hosting;

namespace Zagg.Messaging;

/// <summary>
/// What a service's Program.cs calls to run it as its own process against a broker:
/// <c>--rabbitmq amqp://127.0.0.1</c> (or ZAGG_RABBITMQ), or SQS: <c>--transport sqs --sqs-prefix P</c> (or
/// ZAGG_TRANSPORT, ZAGG_SQS_PREFIX; the endpoint from AWS_ENDPOINT_URL_SQS or the region; <c>--sqs-visibility S</c> and
/// <c>--sqs-wait S</c> in seconds), <c>--max-workers N</c> for workers,
/// <c>--health-port P</c> (default: a free port) for /health and /alive on 127.0.0.1. Stops on Ctrl+C or SIGTERM.
/// </summary>
public static class ServiceHost
{
    /// <summary>Runs the service until it is stopped.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="serviceName">The service's name (logs, telemetry).</param>
    /// <param name="consumers">Registers the service's consumers.</param>
    /// <param name="services">More services to register; null for none.</param>
    /// <param name="sqsHandlers">Registers the service's SQS handlers (the same run-library calls as its consumers); null: no SQS.</param>
    /// <returns>0 after a clean stop; 1 when the bus could not start; 2 for a wrong option (the message names it).</returns>
    public static async Task<int> RunAsync(string[] args, string serviceName, Action<IBusRegistrationConfigurator> consumers, Action<IServiceCollection>? services = null,
        Action<SqsHandlerRegistry>? sqsHandlers = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ApplicationName = serviceName });
        // ZAGG_RABBITMQ, ZAGG_TRANSPORT; the command line still wins.
        builder.Configuration.AddEnvironmentVariables("ZAGG_");
        builder.Configuration.AddCommandLine(args);
        MessagingOptions messaging;
        int health;
        try
        {
            var c = builder.Configuration;
            messaging = MessagingOptions.Parse(c["transport"] ?? "rabbitmq", c["rabbitmq"], c["sqs-prefix"] ?? c["sqs_prefix"]);
            if (!messaging.IsDistributed) throw new ArgumentException("a service on its own needs a broker: --transport rabbitmq or sqs (the in-memory transport is for zagg run, all in one process)");
            if (messaging.IsSqs && sqsHandlers is null) throw new ArgumentException($"{serviceName} has no SQS handlers");
            messaging = messaging with
            {
                WorkerConcurrency = ReadInt(c, "max-workers", Environment.ProcessorCount, 1),
                SqsVisibilityTimeout = TimeSpan.FromSeconds(ReadInt(c, "sqs-visibility", (int)messaging.SqsVisibilityTimeout.TotalSeconds, 3)),
                SqsWaitTime = TimeSpan.FromSeconds(ReadInt(c, "sqs-wait", (int)messaging.SqsWaitTime.TotalSeconds, 0)),
            };
            health = ReadInt(builder.Configuration, "health-port", 0, 0);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"{serviceName}: {e.Message}").ConfigureAwait(false);
            return 2;
        }
        builder.WebHost.UseUrls($"http://127.0.0.1:{health}");
        builder.AddZaggServiceDefaults(serviceName);
        // A failed start is reported once, below, without the host's stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        services?.Invoke(builder.Services);
        if (messaging.IsSqs) builder.Services.AddZaggSqs(messaging, sqsHandlers!);
        else builder.Services.AddZaggBus(messaging, consumers);
        var app = builder.Build();
        app.MapZaggHealth();
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(serviceName);
        try
        {
            await app.StartAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // An SqsUnavailableException says where already ("SQS at URL (queues P-zagg-*): reason").
            if (e is SqsUnavailableException) log.LogError("{Service} could not start: {Reason}", serviceName, e.Message);
            else log.LogError("{Service} could not start against {Broker}: {Reason}", serviceName, messaging.BrokerForDisplay, e.Message);
            return 1;
        }
        log.LogInformation("{Service} {Version} (pid {Pid}) consuming from {Broker}; health at {Urls}/health",
            serviceName, ServiceIdentity.Version, Environment.ProcessId, messaging.BrokerForDisplay, string.Join(", ", app.Urls));
        await app.WaitForShutdownAsync().ConfigureAwait(false);
        return 0;
    }

    private static int ReadInt(IConfiguration c, string key, int fallback, int min)
    {
        string? text = c[key] ?? c[key.Replace('-', '_')];
        if (text is null) return fallback;
        if (!int.TryParse(text, out int v) || v < min) throw new ArgumentException($"--{key} must be a whole number ≥ {min}, not '{text}'");
        return v;
    }
}
