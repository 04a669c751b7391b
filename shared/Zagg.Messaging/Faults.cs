using System.Globalization;
using System.Text.Json;
using MassTransit;

namespace Zagg.Messaging;

/// <summary>
/// What a MassTransit <see cref="Fault"/> says about the failure, as Zagg reports it: the reason, the attempts, the host.
/// A fault carries the innermost exception (<see cref="Exception.GetBaseException"/>); <see cref="ContractFilter{T}"/>
/// writes the attempt count and the outermost message into that exception's <see cref="Exception.Data"/>, which the
/// fault keeps.
/// </summary>
public static class Faults
{
    private const string AttemptKey = "zagg.attempt";
    private const string ReasonKey = "zagg.reason";

    /// <summary>Notes on <paramref name="e"/> (as a fault will carry it) that it ended attempt <paramref name="attempt"/>.</summary>
    internal static void Mark(Exception e, int attempt)
    {
        var carried = e.GetBaseException();
        carried.Data[AttemptKey] = attempt;
        if (!ReferenceEquals(carried, e)) carried.Data[ReasonKey] = e.Message;
    }

    /// <summary>The failure as the code that threw it said it (the outermost exception's message).</summary>
    /// <param name="fault">A fault published by a Zagg endpoint.</param>
    public static string Reason(Fault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        var info = fault.Exceptions.FirstOrDefault();
        if (info is null) return "unknown error";
        return Read(info, ReasonKey) is { } reason ? reason : info.Message;
    }

    /// <summary>How many times the message was tried before the fault (1 when the failure was permanent); 1 when unknown.</summary>
    /// <param name="fault">A fault published by a Zagg endpoint.</param>
    public static int Attempts(Fault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        var info = fault.Exceptions.FirstOrDefault();
        return info is not null && int.TryParse(Read(info, AttemptKey), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : 1;
    }

    /// <summary>The host that gave up: "machine:process id" (the form of the worker's identity in results).</summary>
    /// <param name="fault">A fault.</param>
    public static string Host(Fault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        return $"{fault.Host?.MachineName}:{fault.Host?.ProcessId}";
    }

    private static string? Read(ExceptionInfo info, string key) =>
        info.Data is { } data && data.TryGetValue(key, out object? value) ? value switch
        {
            null => null,
            JsonElement { ValueKind: JsonValueKind.String } s => s.GetString(),
            JsonElement j => j.GetRawText(),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString(),
        } : null;
}
