namespace Zagg.Cli.Commands;

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
        // Through a symbolic link to the file it names, as a shell's redirection writes: the rename replaces that file, not the link.
        _path = Zagg.Cloud.SymbolicLinks.FinalTarget(Path.GetFullPath(path)) ?? throw new CliException($"cannot write {path}: a loop of symbolic links");
        string dir = Path.GetDirectoryName(_path)!;
        if (!Directory.Exists(dir)) throw new CliException($"cannot write {path}: folder {dir} does not exist");
        _temp = Path.Combine(dir, $".{Path.GetFileName(_path)}.{Environment.ProcessId}.tmp");
        try { Stream = new FileStream(_temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot write {path}: {e.Message}");
        }
    }

    /// <summary>The file's bytes, for binary output.</summary>
    public Stream Stream { get; }

    /// <summary>The file as text (UTF-8, no BOM).</summary>
    public TextWriter Writer => _writer ??= new StreamWriter(Stream, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true);

    private StreamWriter? _writer;

    public void Commit()
    {
        _writer?.Flush();
        Stream.Dispose();
        File.Move(_temp, _path, overwrite: true);
        _committed = true;
    }

    public void Dispose()
    {
        if (_committed) return;
        Stream.Dispose();
        try { File.Delete(_temp); } catch (IOException) { }
    }
}
