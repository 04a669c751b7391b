using System.CommandLine;
using System.Globalization;
using System.Text;
using Zagg.Hdf5;
using Zagg.Hdf5.IO;

namespace Zagg.Cli.Commands;

/// <summary><c>zagg h5 …</c>: look into HDF5 files, local or remote, reading only what is asked.</summary>
internal static class H5Commands
{
    public static Command Build(CliConsole console)
    {
        var h5 = new Command("h5", "Inspect and extract HDF5 files (local paths, file://, s3://, http(s):// with Range requests; Earthdata credentials as for zagg auth).");
        h5.Subcommands.Add(List(console));
        h5.Subcommands.Add(Read(console));
        return h5;
    }

    private static Argument<string> FileArgument() => new("FILE") { Description = "A path, file://, s3://bucket/key or http(s):// URL (ranged reads; the Earthdata token goes to Earthdata hosts only)." };

    private static Option<bool> VerboseOption() => new("--verbose", "-v") { Description = "Also print requests and bytes fetched." };

    private static Command List(CliConsole console)
    {
        var file = FileArgument();
        var attributes = new Option<bool>("--attributes", "-a") { Description = "List each object's attributes too." };
        var verbose = VerboseOption();
        var cmd = new Command("ls", "The tree of groups and datasets, with each dataset's shape, dtype, layout, chunk shape, index and filters.") { file, attributes, verbose };
        cmd.SetAction((parse, ct) => Reporting(async () =>
        {
            await using var h5 = await OpenAsync(parse.GetValue(file)!, ct);
            var o = console.Out;
            await Walk(h5.Root, async obj =>
            {
                if (obj is Hdf5Dataset d)
                {
                    var parts = new List<string> { d.Datatype.ToString(), d.IsNull ? "null" : Shape(d.Shape), d.Layout };
                    if (d.ChunkShape is { } cs) parts.Add($"chunks {Shape(cs)} ({d.ChunkIndex})");
                    if (d.Filters.Count > 0) parts.Add(string.Join("+", d.Filters));
                    if (d.MaxShape is { } m && !m.SequenceEqual(d.Shape)) parts.Add("max " + Shape(m).Replace("-1", "unlimited"));
                    o.WriteLine($"{d.Path}  {string.Join("  ", parts)}");
                }
                else o.WriteLine(obj.Path == "/" ? "/" : obj.Path + "/");
                if (parse.GetValue(attributes))
                    foreach (var a in await obj.AttributesAsync(ct))
                        o.WriteLine($"    @{a.Name} = {await AttributeText(a, ct)}");
            }, ct);
            if (parse.GetValue(verbose)) Stats(console, h5);
            return 0;
        }));
        return cmd;
    }

    private static Command Read(CliConsole console)
    {
        var file = FileArgument();
        var datasets = new Argument<string[]>("DATASET") { Description = "Dataset paths (default: every dataset in the file).", Arity = ArgumentArity.ZeroOrMore };
        var slice = new Option<string?>("--slice") { Description = "Rows START:STOP of the first dimension (either may be empty; negative counts from the end).", HelpName = "START:STOP" };
        var outDir = new Option<string>("--out", "-o") { Description = "Folder for the .npy files (DIR/<dataset path>.npy).", HelpName = "DIR", Required = true };
        var verbose = VerboseOption();
        var cmd = new Command("read", "Writes datasets as NumPy .npy files (exact dtype and byte order; strings as fixed-width bytes).") { file, datasets, slice, outDir, verbose };
        cmd.SetAction((parse, ct) => Reporting(async () =>
        {
            await using var h5 = await OpenAsync(parse.GetValue(file)!, ct);
            var targets = new List<Hdf5Dataset>();
            string[] names = parse.GetValue(datasets) ?? [];
            if (names.Length == 0)
                await Walk(h5.Root, obj => { if (obj is Hdf5Dataset d) targets.Add(d); return Task.CompletedTask; }, ct);
            else
                foreach (string n in names)
                {
                    // A dataset named explicitly must be read; one that cannot be is an error before anything is written.
                    var d = await h5.GetDatasetAsync(n.StartsWith('/') ? n : "/" + n, ct);
                    if (!d.Datatype.IsSupported) throw new CliException($"{h5.Name}: {d.Path}: datatype {d.Datatype} is not supported");
                    targets.Add(d);
                }
            string dir = parse.GetValue(outDir)!;
            try { Directory.CreateDirectory(dir); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new CliException($"cannot create {dir}: {e.Message}"); }
            // The files appear together, once every dataset is read: a read that fails writes no .npy file (nor replaces one).
            var staged = new List<(OutputFile File, string Line)>();
            try
            {
                foreach (var d in targets)
                    if (await StageAsync(d) is { } file) staged.Add(file);
                foreach (var (output, line) in staged)
                {
                    output.Commit();
                    console.Out.WriteLine(line);
                }
            }
            finally
            {
                foreach (var (output, _) in staged) output.Dispose();
            }
            if (parse.GetValue(verbose)) Stats(console, h5);
            return 0;

            async Task<(OutputFile, string)?> StageAsync(Hdf5Dataset d)
            {
                if (!d.Datatype.IsSupported)
                {
                    console.Error.WriteLine($"zagg: skipping {d.Path}: datatype {d.Datatype} is not supported");
                    return null;
                }
                if (d.IsNull)
                {
                    // A null dataspace has no elements and no shape: there is no array to write (h5py reads h5py.Empty).
                    console.Error.WriteLine($"zagg: skipping {d.Path}: null dataspace (no data)");
                    return null;
                }
                long rows = d.Shape.Length == 0 ? 1 : d.Shape[0];
                var (start, stop) = ParseSlice(parse.GetValue(slice), rows, d.Shape.Length == 0);
                var shape = (long[])d.Shape.Clone();
                if (shape.Length > 0) shape[0] = stop - start;
                string descr;
                byte[] data;
                if (d.Datatype.IsVariableLengthString)
                {
                    var strings = await d.ReadStringsAsync(start, stop, ct);
                    var encoded = strings.Select(Encoding.UTF8.GetBytes).ToArray();
                    int width = Math.Max(1, encoded.Length == 0 ? 1 : encoded.Max(b => b.Length));
                    data = new byte[encoded.Length * width];
                    for (int i = 0; i < encoded.Length; i++) encoded[i].CopyTo(data, i * width);
                    descr = $"|S{width}";
                }
                else
                {
                    data = await d.ReadBytesAsync(start, stop, ct);
                    // Fixed-length strings as h5py reads them: null-padded whatever their padding in the file.
                    if (d.Datatype.Class == Hdf5TypeClass.String) d.Datatype.ToNullPadded(data);
                    descr = d.Datatype.NumpyDescr;
                }
                string path = Path.Combine(dir, d.Path.TrimStart('/') + ".npy");
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                var output = new OutputFile(path);
                try { Npy.Write(output.Stream, descr, shape, data); }
                catch
                {
                    output.Dispose();
                    throw;
                }
                return (output, $"{d.Path} -> {path}  {descr} {Shape(shape)}");
            }
        }));
        return cmd;
    }

    /// <summary>
    /// Runs a command's work, turning every reader error (at open, during a listing walk, during reads: a damaged,
    /// truncated or unsupported file, a source that fails) into one line naming the file and what was wrong.
    /// </summary>
    private static async Task<int> Reporting(Func<Task<int>> work)
    {
        try { return await work(); }
        catch (Hdf5Exception e) { throw new CliException(e.Message); }
    }

    private static async Task<Hdf5File> OpenAsync(string location, CancellationToken ct)
    {
        var source = await ByteSources.OpenAsync(location, AuthCommands.RemoteAccess, ct);
        return await Hdf5File.OpenAsync(source, ownsSource: true, ct);
    }

    private static async Task Walk(Hdf5Group group, Func<Hdf5Object, Task> visit, CancellationToken ct)
    {
        await visit(group);
        foreach (var child in await group.ChildrenAsync(ct))
        {
            if (child is Hdf5Group g) await Walk(g, visit, ct);
            else await visit(child);
        }
    }

    internal static (long Start, long Stop) ParseSlice(string? text, long rows, bool scalar)
    {
        if (string.IsNullOrWhiteSpace(text)) return (0, rows);
        if (scalar) throw new CliException("--slice does not apply to a scalar dataset");
        var parts = text.Split(':');
        if (parts.Length != 2) throw new CliException($"--slice '{text}' should be START:STOP, e.g. 100:200 or :-10");
        long Bound(string s, long fallback)
        {
            if (s.Trim().Length == 0) return fallback;
            if (!long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v))
                throw new CliException($"--slice '{text}': '{s}' is not a whole number");
            if (v < 0) v += rows;
            return Math.Clamp(v, 0, rows);
        }
        long start = Bound(parts[0], 0), stop = Bound(parts[1], rows);
        return (start, Math.Max(start, stop));
    }

    private static string Shape(long[] shape) => shape.Length == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape)})";

    /// <summary>A string value in quotes, its control characters (a null inside a value) escaped as Python does: \x00.</summary>
    private static string Quote(string value)
    {
        var b = new StringBuilder(value.Length + 2).Append('"');
        foreach (char c in value)
            if (c < ' ' || c == '\x7f') b.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
            else b.Append(c);
        return b.Append('"').ToString();
    }

    private static async Task<string> AttributeText(Hdf5Attribute a, CancellationToken ct)
    {
        if (a.IsNull) return $"null ({a.Datatype})";
        if (a.ElementCount == 0) return $"[] {Shape(a.Shape)} ({a.Datatype})";
        if (a.Datatype.Class == Hdf5TypeClass.String || a.Datatype.IsVariableLengthString)
        {
            var s = await a.GetStringsAsync(ct);
            return s.Length == 1 ? Quote(s[0]) : "[" + string.Join(", ", s.Select(Quote)) + "]";
        }
        if (a.Datatype.Class is Hdf5TypeClass.FixedPoint or Hdf5TypeClass.FloatingPoint)
        {
            var v = a.GetNumbers<double>().Select(x => x.ToString("R", CultureInfo.InvariantCulture)).ToArray();
            return v.Length == 1 && a.Shape.Length == 0 ? v[0] : $"[{string.Join(", ", v.Take(20))}{(v.Length > 20 ? ", …" : "")}]";
        }
        return $"({a.Datatype})";
    }

    private static void Stats(CliConsole console, Hdf5File h5)
        => console.Error.WriteLine($"fetched {h5.Statistics.Requests} requests, {h5.Statistics.Bytes} bytes ({h5.MetadataStatistics.Requests} requests, {h5.MetadataStatistics.Bytes} bytes of them metadata blocks)");
}
