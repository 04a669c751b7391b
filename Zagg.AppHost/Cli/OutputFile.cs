namespace Zagg.AppHost.Cli;

/// <summary>
/// Output that appears whole or not at all: written to a temporary file beside the target and
/// renamed over it only when <see cref="Commit"/> is called.
/// </summary>
public sealed class OutputFile : IDisposable
{
    private readonly string _path;
    private readonly string _temp;
    private bool _committed;

    public OutputFile(string path)
    {
        _path = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(_path)!;
        if (!Directory.Exists(dir)) throw new CliException($"cannot write {path}: folder {dir} does not exist");
        _temp = Path.Combine(dir, $".{Path.GetFileName(_path)}.{Environment.ProcessId}.tmp");
        try { Writer = new StreamWriter(_temp, append: false, new System.Text.UTF8Encoding(false), 1 << 16); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot write {path}: {e.Message}");
        }
    }

    public TextWriter Writer { get; }

    public void Commit()
    {
        Writer.Flush();
        Writer.Dispose();
        File.Move(_temp, _path, overwrite: true);
        _committed = true;
    }

    public void Dispose()
    {
        if (_committed) return;
        Writer.Dispose();
        try { File.Delete(_temp); } catch (IOException) { }
    }
}
