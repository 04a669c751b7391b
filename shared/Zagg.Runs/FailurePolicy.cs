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
    /// a cell whose granules cannot be aggregated (<see cref="CellFailedException"/> with <see cref="CellFailedException.Permanent"/>).
    /// Anything else (I/O, the network, an unreachable store, cancellation) may mend and is retried.
    /// </summary>
    /// <param name="e">The failure.</param>
    /// <returns>True when retrying cannot help.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="e"/> is null.</exception>
    public static bool IsPermanent(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e is ConfigException or CatalogException or ContractVersionException or StoreExistsException or CellFailedException { Permanent: true };
    }
}

/// <summary>A run without overwrite found a store where it would write its own. Permanent: retrying finds it again.</summary>
public sealed class StoreExistsException(string message) : Exception(message);
