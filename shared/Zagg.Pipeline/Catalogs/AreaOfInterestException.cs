namespace Zagg.Pipeline.Catalogs;

/// <summary>An area of interest that cannot be read or is not one; the message names the file (or argument) and the place in it.</summary>
public sealed class AreaOfInterestException(string message, Exception? inner = null) : Exception(message, inner);
