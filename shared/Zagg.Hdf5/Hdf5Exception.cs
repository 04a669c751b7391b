namespace Zagg.Hdf5;

/// <summary>
/// A file that is not valid HDF5, is damaged, or uses a feature this reader does not have.
/// The message names the source, the object path where known, and what was wrong.
/// </summary>
/// <remarks>
/// Two kinds are told apart by type, because a caller treats them differently:
/// <see cref="Hdf5NotFoundException"/> (the file is fine, the asked-for object is not in it) and
/// <see cref="Hdf5SourceException"/> (the bytes could not be fetched at all).
/// </remarks>
public class Hdf5Exception(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A valid HDF5 feature this reader does not implement; never silently misread.</summary>
public sealed class Hdf5UnsupportedException(string message) : Hdf5Exception(message);

/// <summary>The file is readable but holds no object (dataset or group) at the path asked for.</summary>
public sealed class Hdf5NotFoundException(string message, string path) : Hdf5Exception(message)
{
    /// <summary>The object path that is missing, as asked for (e.g. "/gt1l/land_ice_segments/h_li").</summary>
    public string ObjectPath { get; } = path;
}

/// <summary>
/// The byte source could not deliver bytes: a local read failed, an HTTP request or an S3 call
/// did not complete, or the server refused. Says nothing about the file's format.
/// </summary>
/// <param name="message">Names the source (never credentials) and what failed.</param>
/// <param name="transient">
/// True when a later attempt may succeed (transport errors, timeouts, HTTP 5xx and 429, S3
/// throttling); false when it cannot (no such file or object, access denied).
/// </param>
/// <param name="inner">The transport's own exception.</param>
public sealed class Hdf5SourceException(string message, bool transient, Exception? inner = null) : Hdf5Exception(message, inner)
{
    /// <summary>True when retrying the read may succeed.</summary>
    public bool IsTransient { get; } = transient;
}
