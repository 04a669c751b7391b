using System.Diagnostics;
using MassTransit;

namespace Zagg.Messaging.Sqs;

/// <summary>
/// A message's final failure on the SQS transport: MassTransit's <see cref="Fault{T}"/> (the same fields, so its JSON is
/// the one MassTransit writes, and <see cref="Faults"/> reads it as it reads MassTransit's own). Published once per failed
/// message: at once for a permanent failure, else on its last receive before SQS moves it to the dead-letter queue.
/// </summary>
/// <typeparam name="T">The failed message's type.</typeparam>
public sealed class SqsFault<T> : Fault<T> where T : class
{
    public Guid FaultId { get; init; }
    public Guid? FaultedMessageId { get; init; }
    public DateTime Timestamp { get; init; }
    public SqsExceptionInfo[] Exceptions { get; init; } = [];
    public SqsHostInfo Host { get; init; } = new();
    public string[] FaultMessageTypes { get; init; } = [];
    public T Message { get; init; } = null!;

    ExceptionInfo[] Fault.Exceptions => Exceptions;
    HostInfo Fault.Host => Host;

    /// <summary>The fault of <paramref name="message"/> (id <paramref name="messageId"/>) after attempt <paramref name="attempt"/> ended in <paramref name="error"/>.</summary>
    /// <param name="message">The failed message.</param>
    /// <param name="messageId">Its envelope's id.</param>
    /// <param name="error">The failure; its innermost exception is carried, with the outermost message and the attempt (<see cref="Faults.Mark"/>).</param>
    /// <param name="attempt">The attempt that failed (1 for the first; the SQS receive count).</param>
    public static SqsFault<T> Create(T message, Guid messageId, Exception error, int attempt)
    {
        Faults.Mark(error, attempt);
        return new SqsFault<T>
        {
            FaultId = Guid.CreateVersion7(),
            FaultedMessageId = messageId,
            Timestamp = DateTime.UtcNow,
            Exceptions = [SqsExceptionInfo.From(error.GetBaseException())],
            Host = SqsHostInfo.Current,
            FaultMessageTypes = [MessageUrn.ForTypeString(typeof(T))],
            Message = message,
        };
    }
}

/// <summary>An exception as a fault carries it: type, message, source and the data Zagg notes on it; no stack trace.</summary>
public sealed class SqsExceptionInfo : ExceptionInfo
{
    public string ExceptionType { get; init; } = "";
    public SqsExceptionInfo? InnerException { get; init; }
    public string StackTrace { get; init; } = null!;
    public string Message { get; init; } = "";
    public string Source { get; init; } = "";
    public Dictionary<string, object>? Data { get; init; }

    ExceptionInfo ExceptionInfo.InnerException => InnerException!;
    IDictionary<string, object> ExceptionInfo.Data => Data!;

    internal static SqsExceptionInfo From(Exception e)
    {
        Dictionary<string, object>? data = null;
        foreach (System.Collections.DictionaryEntry entry in e.Data)
            if (entry.Key is string key && key.StartsWith("zagg.", StringComparison.Ordinal) && entry.Value is not null)
                (data ??= [])[key] = entry.Value;
        return new SqsExceptionInfo { ExceptionType = e.GetType().FullName ?? e.GetType().Name, Message = e.Message, Source = e.Source ?? "", Data = data };
    }
}

/// <summary>The host that gave up on a message.</summary>
public sealed class SqsHostInfo : HostInfo
{
    public string MachineName { get; init; } = "";
    public string ProcessName { get; init; } = "";
    public int ProcessId { get; init; }
    public string Assembly { get; init; } = "";
    public string AssemblyVersion { get; init; } = "";
    public string FrameworkVersion { get; init; } = "";
    public string MassTransitVersion { get; init; } = "";
    public string OperatingSystemVersion { get; init; } = "";

    internal static readonly SqsHostInfo Current = new()
    {
        MachineName = Environment.MachineName,
        ProcessName = Process.GetCurrentProcess().ProcessName,
        ProcessId = Environment.ProcessId,
        Assembly = System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name ?? "",
        AssemblyVersion = System.Reflection.Assembly.GetEntryAssembly()?.GetName().Version?.ToString() ?? "",
        FrameworkVersion = Environment.Version.ToString(),
        OperatingSystemVersion = Environment.OSVersion.VersionString,
    };
}
