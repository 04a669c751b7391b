using Zagg.Contracts;
using Zagg.Pipeline.Catalogs;
using Zagg.Pipeline.Config;

namespace Zagg.Runs;

/// <summary>
/// Which failures of a run's steps retrying cannot mend: the one place that decides it. The messaging layer retries
/// every other failure with backoff, and gives up at once on these (the message then faults and goes to its error queue).
/// </summary>
public static class FailurePolicy
{
    /// <summary>
    /// True for a failure that will fail again however often it is retried: a wrong configuration
    /// (<see cref="ConfigException"/>), a wrong catalog or selection (<see cref="CatalogException"/>), a message of a newer
    /// contract (<see cref="ContractVersionException"/>), a store that exists without overwrite (<see cref="StoreExistsException"/>),
    /// a cell whose granules cannot be aggregated (<see cref="CellFailedException"/> with <see cref="CellFailedException.Permanent"/>),
    /// and a fault in the code itself (<see cref="IsCodeFault"/>): the same message meets the same code again.
    /// Anything else (I/O, the network, an unreachable store, a timeout, cancellation) may mend and is retried.
    /// An <see cref="AggregateException"/> is permanent when every failure it holds is.
    /// </summary>
    /// <param name="e">The failure.</param>
    /// <returns>True when retrying cannot help.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="e"/> is null.</exception>
    public static bool IsPermanent(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e is AggregateException { InnerExceptions.Count: > 0 } all)
        {
            foreach (var inner in all.InnerExceptions)
                if (!IsPermanent(inner)) return false;
            return true;
        }
        return e is ConfigException or CatalogException or ContractVersionException or StoreExistsException or CellFailedException { Permanent: true }
            || IsCodeFault(e);
    }

    /// <summary>
    /// True for the exceptions .NET raises for a mistake in the code rather than in its surroundings (the runtime's
    /// "usage errors": a null dereference, an index out of range, a bad cast, an argument a method refuses, an operation a
    /// type does not support or implement, an arithmetic overflow or division by zero, a text that is not of the expected
    /// format). Retried, such a message would wait through every backoff and fail the same way; permanent, it faults at once
    /// with its reason. Not <see cref="InvalidOperationException"/>: libraries raise it for states that pass (a disposed
    /// connection during a restart).
    /// </summary>
    public static bool IsCodeFault(Exception e)
        => e is NullReferenceException or IndexOutOfRangeException or InvalidCastException or ArgumentException
            or NotSupportedException or NotImplementedException or ArithmeticException or FormatException;
}

/// <summary>A run without overwrite found a store where it would write its own. Permanent: retrying finds it again.</summary>
public sealed class StoreExistsException(string message) : Exception(message);
