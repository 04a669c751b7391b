using MassTransit;

namespace Zagg.Messaging;

/// <summary>
/// A Zagg consumer's definition: its queue, and the middleware every Zagg endpoint has, written once here:
/// <list type="number">
/// <item>the retry policy: exponential backoff (<see cref="MessagingOptions.Retries"/> retries between
/// <see cref="MessagingOptions.RetryMin"/> and <see cref="MessagingOptions.RetryMax"/>), nothing retried that
/// <c>isPermanent</c> calls permanent (the run library's <c>FailurePolicy.IsPermanent</c>);</item>
/// <item>inside it, <see cref="ContractFilter{T}"/>: refuses a message of a newer contract version and notes which attempt failed.</item>
/// </list>
/// After the last attempt (or the first, for a permanent failure) MassTransit publishes <c>Fault&lt;T&gt;</c> and moves the
/// message to <c>QUEUE_error</c>.
/// </summary>
/// <typeparam name="TConsumer">The consumer.</typeparam>
public abstract class ZaggConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer> where TConsumer : class, IConsumer
{
    private readonly Func<Exception, bool> _isPermanent;

    /// <param name="options">The retry settings.</param>
    /// <param name="queue">The endpoint's queue (one of <see cref="Queues"/>).</param>
    /// <param name="isPermanent">True for a failure that retrying cannot mend.</param>
    protected ZaggConsumerDefinition(MessagingOptions options, string queue, Func<Exception, bool> isPermanent)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(isPermanent);
        Options = options;
        _isPermanent = isPermanent;
        EndpointName = queue;
    }

    protected MessagingOptions Options { get; }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<TConsumer> consumer, IRegistrationContext context)
    {
        endpoint.UseMessageRetry(r =>
        {
            r.Exponential(Options.Retries, Options.RetryMin, Options.RetryMax, Options.RetryMin);
            r.Ignore<Exception>(e => e is Zagg.Contracts.ContractVersionException || _isPermanent(e));
        });
        endpoint.UseConsumeFilter(typeof(ContractFilter<>), context);
    }
}
