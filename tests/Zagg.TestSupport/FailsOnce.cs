using Zagg.Hdf5.IO;

namespace Zagg.TestSupport;

/// <summary>
/// A byte source whose read throws an IOException ("NAME: REASON at OFFSET") when <paramref name="failNow"/> says so, and
/// otherwise reads <paramref name="inner"/>: a transient failure for retry tests.
/// </summary>
public sealed class FailsOnce(IByteSource inner, Func<bool> failNow, string reason = "failed once") : IByteSource
{
    public string Name => inner.Name;
    public long Length => inner.Length;
    public ByteSourceStatistics Statistics => inner.Statistics;
    public bool IsLocal => true;

    public ValueTask ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken = default)
        => failNow() ? throw new IOException($"{Name}: {reason} at {offset}") : inner.ReadAsync(offset, destination, cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
