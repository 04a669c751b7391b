namespace Zagg.Messaging.Sqs;

/// <summary>
/// What becomes of a message whose handler failed, on the SQS transport (<see cref="SqsReceiver"/>) and the in-process one
/// (<see cref="InProcess.InProcessReceiver"/>) alike: tried again after a backoff, or given up on — faulted, and kept as
/// a dead letter — when the failure is permanent or the delivery was the last.
/// </summary>
internal static class FailedDelivery
{
    /// <summary>Whether retrying cannot mend <paramref name="error"/>: a newer contract version, or what the binding's service calls permanent.</summary>
    public static bool IsPermanent(SqsBinding binding, Exception error) => error is Contracts.ContractVersionException || binding.IsPermanent(error);

    /// <summary>Whether delivery <paramref name="receiveCount"/> (1 the first time) was the last: <see cref="MessagingOptions.SqsMaxReceiveCount"/>, the first and the retries.</summary>
    public static bool IsLast(MessagingOptions options, int receiveCount) => receiveCount >= options.SqsMaxReceiveCount;

    /// <summary>The delay before delivery <paramref name="receiveCount"/> + 1: <see cref="MessagingOptions.RetryMin"/> doubling per delivery, at most <see cref="MessagingOptions.RetryMax"/>.</summary>
    public static TimeSpan Backoff(MessagingOptions options, int receiveCount)
    {
        double ms = options.RetryMin.TotalMilliseconds * Math.Pow(2, receiveCount - 1);
        return TimeSpan.FromMilliseconds(Math.Min(ms, options.RetryMax.TotalMilliseconds));
    }
}
