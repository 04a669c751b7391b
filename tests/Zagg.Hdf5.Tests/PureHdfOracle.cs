using System.Runtime.InteropServices;
using PureHDF;

namespace Zagg.Hdf5.Tests;

/// <summary>One dataset as a reader read it: its bytes (little-endian, C order) or its strings.</summary>
internal sealed record DatasetValues(byte[]? Bytes, string[]? Strings)
{
    public bool SameAs(DatasetValues other) =>
        Bytes is not null ? other.Bytes is not null && Bytes.AsSpan().SequenceEqual(other.Bytes)
                          : other.Strings is not null && Strings!.AsSpan().SequenceEqual(other.Strings);

    public override string ToString() => Bytes is not null ? $"{Bytes.Length} bytes" : $"[{string.Join(", ", Strings!)}]";
}

/// <summary>What PureHDF made of a file: the datasets it read, those it refused (and why), or why it was unavailable.</summary>
internal sealed class OracleReading
{
    public Dictionary<string, DatasetValues> Values { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, string> Refused { get; } = new(StringComparer.Ordinal);

    /// <summary>Null when PureHDF answered; else "hung" or the exception it ended with (the oracle is unavailable).</summary>
    public string? Unavailable { get; set; }
}

/// <summary>
/// PureHDF 2.2.0, an independent pure .NET HDF5 reader, used as a second oracle beside the committed libhdf5 truth.
/// It hung on some mutated files and throws many exception types (/work PACKAGES notes), so it runs on its own
/// background thread with a time limit: a hang or a crash is "oracle unavailable", never a failure of Zagg's reader.
/// A thread that hung is abandoned (it cannot be stopped); <see cref="Hangs"/> counts them so a campaign can stop
/// consulting the oracle once too many spin.
/// </summary>
internal static class PureHdfOracle
{
    private static int _hangs;

    /// <summary>How many readings were abandoned because PureHDF did not finish within the limit.</summary>
    public static int Hangs => Volatile.Read(ref _hangs);

    /// <summary>Counts a reading its caller abandoned because PureHDF did not finish within the caller's limit.</summary>
    public static void CountHang() => Interlocked.Increment(ref _hangs);

    /// <summary>Reads the datasets of <paramref name="file"/> (all, or those in <paramref name="only"/>) with PureHDF.</summary>
    public static OracleReading Read(byte[] file, TimeSpan limit, IReadOnlySet<string>? only = null)
    {
        OracleReading? reading = null;
        var thread = new Thread(() => reading = ReadInline(file, only), maxStackSize: 16 << 20) { IsBackground = true, Name = "PureHDF oracle" };
        thread.Start();
        if (!thread.Join(limit))
        {
            CountHang();
            return new OracleReading { Unavailable = "hung" };
        }
        return reading!;
    }

    /// <summary>
    /// Reads on the calling thread, with no time limit: the caller watches the time and abandons the thread if PureHDF
    /// hangs (the fuzz campaign's workers; their stacks are 16 MiB, as PureHDF recurses deeply on some damaged files).
    /// </summary>
    public static OracleReading ReadInline(byte[] file, IReadOnlySet<string>? only = null)
    {
        var reading = new OracleReading();
        try
        {
            using var stream = new MemoryStream(file, writable: false);
            using var h5 = H5File.Open(stream, leaveOpen: true);
            Walk(h5, "", reading, only, depth: 0);
        }
        catch (Exception e)
        {
            reading.Unavailable = $"{e.GetType().Name}: {e.Message}";
        }
        return reading;
    }

    private static void Walk(IH5Group group, string path, OracleReading reading, IReadOnlySet<string>? only, int depth)
    {
        if (depth > 32) return;
        foreach (var child in group.Children())
        {
            string childPath = path + "/" + child.Name;
            if (child is IH5Group g) Walk(g, childPath, reading, only, depth + 1);
            else if (child is IH5Dataset d && (only is null || only.Contains(childPath)))
            {
                try
                {
                    var values = ReadDataset(d);
                    if (values is null) reading.Refused[childPath] = "not a number or string type the test reads";
                    else reading.Values[childPath] = values;
                }
                catch (Exception e)
                {
                    reading.Refused[childPath] = $"{e.GetType().Name}: {e.Message}";
                }
            }
        }
    }

    private static DatasetValues? ReadDataset(IH5Dataset d)
    {
        if (d.Space.Type == H5DataspaceType.Null) return null;
        var type = d.Type;
        switch (type.Class)
        {
            case H5DataTypeClass.FixedPoint:
                bool signed = type.FixedPoint.IsSigned;
                return type.Size switch
                {
                    1 => signed ? Bytes<sbyte>(d) : Bytes<byte>(d),
                    2 => signed ? Bytes<short>(d) : Bytes<ushort>(d),
                    4 => signed ? Bytes<int>(d) : Bytes<uint>(d),
                    8 => signed ? Bytes<long>(d) : Bytes<ulong>(d),
                    _ => null,
                };
            case H5DataTypeClass.FloatingPoint:
                return type.Size switch { 4 => Bytes<float>(d), 8 => Bytes<double>(d), _ => null };
            case H5DataTypeClass.String:
            case H5DataTypeClass.VariableLength: // strings (a sequence of another type is refused by PureHDF's string decoder)
                return new DatasetValues(null, d.Read<string[]>());
            default:
                return null;
        }
    }

    private static DatasetValues Bytes<T>(IH5Dataset d) where T : unmanaged =>
        new(MemoryMarshal.AsBytes(d.Read<T[]>().AsSpan()).ToArray(), null);
}
