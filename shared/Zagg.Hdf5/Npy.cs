using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Zagg.Hdf5;

/// <summary>The NumPy .npy format, version 1.0: a header naming dtype and shape, then the raw C-order data.</summary>
public static partial class Npy
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Writes an array: <paramref name="descr"/> like "&lt;f8", "&gt;i2", "|S10"; data in that byte order.</summary>
    public static void Write(Stream stream, string descr, ReadOnlySpan<long> shape, ReadOnlySpan<byte> data)
    {
        var dims = new StringBuilder();
        foreach (long d in shape) dims.Append(d.ToString(CultureInfo.InvariantCulture)).Append(", ");
        string shapeText = shape.Length == 1 ? $"({shape[0]},)" : shape.Length == 0 ? "()" : $"({dims.ToString().TrimEnd(' ', ',')})";
        string header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shapeText}, }}";
        int total = Magic.Length + 4 + header.Length + 1;
        int pad = (64 - total % 64) % 64;
        header = header + new string(' ', pad) + "\n";
        if (header.Length > ushort.MaxValue) throw new ArgumentException("npy header too long");
        stream.Write(Magic);
        stream.WriteByte(1);
        stream.WriteByte(0);
        stream.WriteByte((byte)(header.Length & 0xFF));
        stream.WriteByte((byte)(header.Length >> 8));
        stream.Write(Encoding.ASCII.GetBytes(header));
        stream.Write(data);
    }

    /// <summary>Reads an array written by NumPy (versions 1–3 of the format, C order).</summary>
    public static (string Descr, long[] Shape, byte[] Data) Read(Stream stream)
    {
        using var ms = new MemoryStream();
        stream.CopyTo(ms);
        var all = ms.GetBuffer().AsSpan(0, (int)ms.Length);
        if (all.Length < 10 || !all[..6].SequenceEqual(Magic)) throw new FormatException("not a .npy file");
        int major = all[6];
        int headerLength = major == 1 ? all[8] | (all[9] << 8) : BitConverter.ToInt32(all[8..12]);
        int start = major == 1 ? 10 : 12;
        string header = Encoding.Latin1.GetString(all.Slice(start, headerLength));
        var descr = DescrPattern().Match(header);
        var shape = ShapePattern().Match(header);
        if (!descr.Success || !shape.Success) throw new FormatException($"unreadable .npy header: {header}");
        if (header.Contains("'fortran_order': True")) throw new FormatException("Fortran-order .npy files are not supported");
        long[] dims = shape.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        return (descr.Groups[1].Value, dims, all[(start + headerLength)..].ToArray());
    }

    [GeneratedRegex(@"'descr':\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
