using MassTransit;

namespace Zagg.Messaging;

/// <summary>
/// The worker id of MassTransit's <see cref="NewId"/> (its message, conversation and temporary endpoints' ids: a
/// timestamp, a 6-byte worker id, the process id and a sequence). MassTransit's default worker id is a network interface's
/// address, found by listing the machine's interfaces the first time an id is made (NetworkAddressWorkerIdProvider:
/// ≈ 40 ms of a short run's start, in a dotnet-trace of zagg run). Zagg's hosts use 6 random bytes drawn once per process
/// instead (from <see cref="Guid.NewGuid"/>, the operating system's random source): with the process id and the
/// timestamp beside them, ids stay unique across the processes and machines of a run, and nothing asks the network.
/// </summary>
public static class ProcessWorkerId
{
    private static readonly Lock Gate = new();
    private static bool _used;

    /// <summary>
    /// Makes this process's <see cref="NewId"/> use the random worker id. Call it before the first id is made (a host's
    /// bus does: <see cref="ZaggBus.AddZaggBus"/>); a later call, or a second one, changes nothing.
    /// </summary>
    public static void Use()
    {
        lock (Gate)
        {
            if (_used) return;
            NewId.SetWorkerIdProvider(new RandomWorkerId());
            _used = true;
        }
    }

    /// <summary>6 random bytes, the same for every generator of the process.</summary>
    private sealed class RandomWorkerId : IWorkerIdProvider
    {
        // A version-4 GUID's first six bytes are random (its version and variant bits lie in bytes 7 and 8).
        private readonly byte[] _id = Guid.NewGuid().ToByteArray()[..6];

        public byte[] GetWorkerId(int index) => (byte[])_id.Clone();
    }
}
