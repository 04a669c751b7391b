using Microsoft.Win32.SafeHandles;

namespace Zagg.Hdf5.IO;

/// <summary>A local file read with positional reads (no shared file pointer; safe for concurrent reads).</summary>
public sealed class FileByteSource : IByteSource
{
    private readonly SafeFileHandle _handle;

    public FileByteSource(string path)
    {
        Name = path;
        try
        {
            _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            Length = RandomAccess.GetLength(_handle);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A missing or forbidden file stays so; other IO errors (a flaky disk or network mount) may pass.
            bool transient = e is not (FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException);
            // A folder opens as "access denied" on Linux: name what it is.
            if (Directory.Exists(path)) throw new Hdf5SourceException($"{path}: a folder, not an HDF5 file", transient: false, e);
            throw new Hdf5SourceException($"{path}: cannot be opened: {e.Message}", transient, e);
        }
    }

    public string Name { get; }
    public long Length { get; }
    public ByteSourceStatistics Statistics { get; } = new();

    public bool IsLocal => true;

    /// <remarks>
    /// Local reads are positional reads done synchronously: on Linux .NET runs "async" file reads
    /// as blocking reads on the thread pool anyway, and a read served from the page cache costs
    /// less than the hop to get there.
    /// </remarks>
    public ValueTask ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (offset < 0 || offset + destination.Length > Length)
            throw new Hdf5Exception($"{Name}: read of {destination.Length} bytes at {offset} is past the end of the file ({Length} bytes); the file is truncated or damaged");
        cancellationToken.ThrowIfCancellationRequested();
        int done = 0;
        while (done < destination.Length)
        {
            int n;
            try { n = RandomAccess.Read(_handle, destination.Span[done..], offset + done); }
            catch (IOException e) { throw new Hdf5SourceException($"{Name}: reading bytes at {offset + done} failed: {e.Message}", transient: true, e); }
            if (n == 0) throw new Hdf5Exception($"{Name}: unexpected end of file at {offset + done}");
            done += n;
        }
        Statistics.Record(destination.Length);
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _handle.Dispose();
        return ValueTask.CompletedTask;
    }
}
