namespace Zagg.Zarr;

/// <summary>A store that cannot be reached or written, or metadata that is not valid Zarr v3; the message names where.</summary>
public class ZarrException(string message, Exception? inner = null) : Exception(message, inner);
