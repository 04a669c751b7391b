using Zagg.Zarr.Stores;

namespace Zagg.Zarr.Tests;

/// <summary>A local store in a fresh temporary folder, deleted at the end.</summary>
public sealed class TempStore : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("zagg-dggs").FullName;
    public LocalStore Store => new(Dir);
    public void Dispose() { try { Directory.Delete(Dir, true); } catch (IOException) { } }
}
