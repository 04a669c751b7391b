using MassTransit;
using Zagg.Contracts;

namespace Zagg.Messaging;

/// <summary>
/// The one consume filter of every Zagg endpoint (see <see cref="ZaggConsumerDefinition{TConsumer}"/>): refuses a message
/// written by a newer contract version (<see cref="ContractVersionException"/>, permanent: to the error queue unretried,
/// as a Fault), and marks a failure with the attempt it ended (1 for the first) so that <see cref="Faults.Attempts"/> can
/// read it from the Fault. Messages that are not Zagg contracts (faults) pass unchecked.
/// </summary>
/// <typeparam name="T">The message type.</typeparam>
public sealed class ContractFilter<T> : IFilter<ConsumeContext<T>> where T : class
{
    public async Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        if (ContractVersion.Of(context.Message) is int version)
        {
            try { ContractVersion.Check(version, typeof(T).Name); }
            catch (ContractVersionException e)
            {
                // No consumer ran, so MassTransit would move the message to the error queue without a Fault: publish it here.
                Faults.Mark(e, context.GetRetryAttempt() + 1);
                await context.NotifyFaulted(context, TimeSpan.Zero, nameof(ContractFilter<T>), e).ConfigureAwait(false);
                throw;
            }
        }
        try
        {
            await next.Send(context).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Faults.Mark(e, context.GetRetryAttempt() + 1);
            throw;
        }
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("zaggContract");
}
