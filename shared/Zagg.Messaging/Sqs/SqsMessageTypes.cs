using System.Collections.Frozen;
using MassTransit;
using Zagg.Contracts;

namespace Zagg.Messaging.Sqs;

/// <summary>
/// A message type the SQS transport carries: its MassTransit message URN, the type its JSON is read as, where a
/// publish of it goes (a service's queue, <see cref="Queues"/>; null when only a run's follower reads it), and whether
/// a run's follower (zagg run) receives it too.
/// </summary>
/// <param name="Urn">The message URN, <c>urn:message:Namespace:Name</c> (MassTransit's form, so a fault is <c>urn:message:MassTransit:Fault[[Zagg.Contracts:AggregateCell]]</c>).</param>
/// <param name="ClrType">The type the JSON is read as (<see cref="SqsFault{T}"/> for a fault).</param>
/// <param name="Name">The contract's short name, for messages.</param>
/// <param name="Queue">The service queue a publish goes to (one of <see cref="Queues"/>), or null.</param>
/// <param name="Followed">A run's follower receives it too.</param>
/// <param name="RunId">The message's run id.</param>
public sealed record SqsMessageType(string Urn, Type ClrType, string Name, string? Queue, bool Followed, Func<object, Guid> RunId);

/// <summary>
/// The routing of the SQS transport, in one place. SQS has no exchanges: a publish is a send to the queue of the one
/// service that consumes the type (the flow of docs/messages.md), plus the run's follow queue for the events zagg run shows.
/// </summary>
public static class SqsMessageTypes
{
    private static readonly SqsMessageType[] All =
    [
        Contract<RunRequested>(Queues.Catalog, followed: false, m => m.RunId),
        Contract<CatalogReady>(Queues.Template, followed: false, m => m.RunId),
        Contract<TemplateReady>(Queues.Dispatcher, followed: false, m => m.RunId),
        Contract<AggregateCell>(Queues.Worker, followed: false, m => m.RunId),
        Contract<CellsDispatched>(Queues.Consolidation, followed: true, m => m.RunId),
        Contract<CellAggregated>(Queues.Consolidation, followed: true, m => m.RunId),
        Contract<RunCompleted>(null, followed: true, m => m.RunId),
        FaultOf<RunRequested>(Queues.Consolidation, followed: false, m => m.RunId),
        FaultOf<CatalogReady>(Queues.Consolidation, followed: false, m => m.RunId),
        FaultOf<TemplateReady>(Queues.Consolidation, followed: false, m => m.RunId),
        FaultOf<AggregateCell>(Queues.Consolidation, followed: true, m => m.RunId),
        // Consolidation gave up on one of these: only the run's follower can tell (the run cannot complete).
        FaultOf<CellsDispatched>(null, followed: true, m => m.RunId),
        FaultOf<CellAggregated>(null, followed: true, m => m.RunId),
        new(MessageUrn.ForTypeString(typeof(Fault<Fault<AggregateCell>>)), typeof(SqsFault<SqsFault<AggregateCell>>), "Fault<Fault<AggregateCell>>",
            null, true, m => ((SqsFault<SqsFault<AggregateCell>>)m).Message.Message.RunId),
    ];

    private static readonly FrozenDictionary<string, SqsMessageType> ByUrn = All.ToFrozenDictionary(t => t.Urn, StringComparer.Ordinal);
    private static readonly FrozenDictionary<Type, SqsMessageType> ByType = All.ToFrozenDictionary(t => t.ClrType);

    /// <summary>Every type the transport carries.</summary>
    public static IReadOnlyList<SqsMessageType> Types => All;

    /// <summary>The type a URN names, or null.</summary>
    public static SqsMessageType? Find(string urn) => ByUrn.GetValueOrDefault(urn);

    /// <summary>The entry of <paramref name="type"/> (a contract, or an <see cref="SqsFault{T}"/>).</summary>
    /// <exception cref="ArgumentException">The transport does not carry <paramref name="type"/>.</exception>
    public static SqsMessageType Of(Type type) =>
        ByType.GetValueOrDefault(type) ?? throw new ArgumentException($"the SQS transport does not carry {type.Name}", nameof(type));

    private static SqsMessageType Contract<T>(string? queue, bool followed, Func<T, Guid> runId) where T : class =>
        new(MessageUrn.ForTypeString(typeof(T)), typeof(T), typeof(T).Name, queue, followed, m => runId((T)m));

    private static SqsMessageType FaultOf<T>(string? queue, bool followed, Func<T, Guid> runId) where T : class =>
        new(MessageUrn.ForTypeString(typeof(Fault<T>)), typeof(SqsFault<T>), $"Fault<{typeof(T).Name}>", queue, followed, m => runId(((SqsFault<T>)m).Message));
}
