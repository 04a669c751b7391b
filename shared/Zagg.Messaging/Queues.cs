namespace Zagg.Messaging;

/// <summary>
/// The queues of Zagg's services: one per service, named so operators can find them. MassTransit adds
/// <c>QUEUE_error</c> beside each for the messages whose last attempt failed.
/// </summary>
public static class Queues
{
    public const string Catalog = "zagg-catalog";
    public const string Template = "zagg-template";
    public const string Dispatcher = "zagg-dispatcher";
    public const string Worker = "zagg-worker";
    public const string Consolidation = "zagg-consolidation";

    /// <summary>Where the dispatcher sends AggregateCell (a send declares the queue, so no cell is lost before a worker starts).</summary>
    public static readonly Uri WorkerAddress = new($"queue:{Worker}");
}
