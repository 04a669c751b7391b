using MassTransit;

namespace Zagg.ServiceDefaults.Messaging;

/// <summary>Where a consumer is in the retry policy.</summary>
public static class Attempts
{
    /// <summary>1 for the first try, 2 for the first retry, …</summary>
    public static int Of(ConsumeContext context) => context.GetRetryAttempt() + 1;

    /// <summary>True when a failure now is final: the error is permanent, or this was the last retry.</summary>
    public static bool IsFinal(ConsumeContext context, MessagingOptions options, Exception e, IReadOnlyCollection<Type> permanent) =>
        e is not OperationCanceledException && (permanent.Any(t => t.IsInstanceOfType(e)) || context.GetRetryAttempt() >= options.Retries);
}
