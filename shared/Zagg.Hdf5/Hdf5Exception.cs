namespace Zagg.Hdf5;

/// <summary>
/// A file that is not valid HDF5, is damaged, or uses a feature this reader does not have.
/// The message names the source, the object path where known, and what was wrong.
/// </summary>
public class Hdf5Exception(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A valid HDF5 feature this reader does not implement; never silently misread.</summary>
public sealed class Hdf5UnsupportedException(string message) : Hdf5Exception(message);
