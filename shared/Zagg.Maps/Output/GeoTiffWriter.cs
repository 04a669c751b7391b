using System.Buffers.Binary;
using System.Text;
using Zagg.Maps.Projections;

namespace Zagg.Maps.Output;

/// <summary>
/// Writes a float32 raster as a GeoTIFF: baseline TIFF 6.0 (Adobe, 1992: one image file directory, uncompressed
/// strips, little-endian; SampleFormat 3 = IEEE float from the TIFF 6.0 "Data Sample Format" extension §19) with the
/// GeoTIFF 1.1 tags (OGC 19-008r4: ModelPixelScaleTag 33550, ModelTiepointTag 33922, GeoKeyDirectoryTag 34735 with
/// GTModelTypeGeoKey, GTRasterTypeGeoKey = PixelIsArea, and ProjectedCRSGeoKey 3031/3413 or GeodeticCRSGeoKey 4326)
/// and GDAL's nodata tag (42113, "nan"). Our own writer: ImageSharp 2.1's TIFF encoder has no way to add
/// the GeoTIFF tags (its ExifProfile writes only known EXIF tags) nor to write float32 samples.
/// </summary>
public static class GeoTiffWriter
{
    private const ushort Short = 3, Long = 4, Ascii = 2, Double = 12;

    /// <summary>Writes <paramref name="raster"/> (grid.Width × grid.Height, row-major, NaN = no data) to a stream.</summary>
    /// <exception cref="ArgumentException">The raster's length is not Width × Height, or the file would pass 4 GB.</exception>
    public static void Write(Stream output, MapGrid grid, ReadOnlySpan<float> raster)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(grid);
        int w = grid.Width, h = grid.Height;
        if (raster.Length != (long)w * h) throw new ArgumentException($"the raster holds {raster.Length} values, the grid {w}×{h}", nameof(raster));
        long dataBytes = (long)w * h * 4;
        if (dataBytes > uint.MaxValue - (1 << 20)) throw new ArgumentException("a classic TIFF holds at most 4 GB; use a coarser resolution", nameof(raster));
        int rowsPerStrip = Math.Max(1, Math.Min(h, 65536 / Math.Max(1, w * 4)));
        int strips = (h + rowsPerStrip - 1) / rowsPerStrip;

        var tags = new List<Tag>();
        var geographic = grid.Projection.Units == MapUnits.Degrees;
        ushort[] keys = geographic
            ? [1, 1, 1, 4, 1024, 0, 1, 2, 1025, 0, 1, 1, 2048, 0, 1, 4326, 2054, 0, 1, 9102]
            : [1, 1, 1, 4, 1024, 0, 1, 1, 1025, 0, 1, 1, 3072, 0, 1, (ushort)grid.Projection.Epsg, 3076, 0, 1, 9001];
        uint dataOffset = 8;
        var stripOffsets = new uint[strips];
        var stripCounts = new uint[strips];
        for (int s = 0; s < strips; s++)
        {
            int rows = Math.Min(rowsPerStrip, h - s * rowsPerStrip);
            stripOffsets[s] = (uint)(dataOffset + (long)s * rowsPerStrip * w * 4);
            stripCounts[s] = (uint)(rows * w * 4);
        }
        tags.Add(Tag.Longs(256, (uint)w));
        tags.Add(Tag.Longs(257, (uint)h));
        tags.Add(Tag.Shorts(258, 32));
        tags.Add(Tag.Shorts(259, 1));
        tags.Add(Tag.Shorts(262, 1));
        tags.Add(Tag.Longs(273, stripOffsets));
        tags.Add(Tag.Shorts(277, 1));
        tags.Add(Tag.Longs(278, (uint)rowsPerStrip));
        tags.Add(Tag.Longs(279, stripCounts));
        tags.Add(Tag.Shorts(284, 1));
        tags.Add(Tag.Shorts(339, 3));
        tags.Add(Tag.Doubles(33550, grid.PixelSize, grid.PixelSize, 0));
        tags.Add(Tag.Doubles(33922, 0, 0, 0, grid.Left, grid.Top, 0));
        tags.Add(Tag.Shorts(34735, keys));
        tags.Add(Tag.Text(42113, "nan"));

        // Header, pixel data, then the directory and the values that do not fit in its entries.
        long ifdOffset = dataOffset + dataBytes;
        ifdOffset += ifdOffset & 1;
        int entries = tags.Count;
        long extraOffset = ifdOffset + 2 + entries * 12 + 4;
        var directory = new byte[2 + entries * 12 + 4];
        var extra = new MemoryStream();
        BinaryPrimitives.WriteUInt16LittleEndian(directory, (ushort)entries);
        for (int i = 0; i < entries; i++)
        {
            var t = tags[i];
            var e = directory.AsSpan(2 + i * 12, 12);
            BinaryPrimitives.WriteUInt16LittleEndian(e, t.Id);
            BinaryPrimitives.WriteUInt16LittleEndian(e[2..], t.Type);
            BinaryPrimitives.WriteUInt32LittleEndian(e[4..], t.Count);
            if (t.Bytes.Length <= 4) t.Bytes.CopyTo(e[8..]);
            else
            {
                if ((extra.Length & 1) != 0) extra.WriteByte(0);
                BinaryPrimitives.WriteUInt32LittleEndian(e[8..], checked((uint)(extraOffset + extra.Length)));
                extra.Write(t.Bytes);
            }
        }

        Span<byte> header = stackalloc byte[8];
        header[0] = (byte)'I';
        header[1] = (byte)'I';
        BinaryPrimitives.WriteUInt16LittleEndian(header[2..], 42);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], checked((uint)ifdOffset));
        output.Write(header);
        var row = new byte[w * 4];
        for (int r = 0; r < h; r++)
        {
            var src = raster.Slice(r * w, w);
            for (int c = 0; c < w; c++) BinaryPrimitives.WriteSingleLittleEndian(row.AsSpan(c * 4), src[c]);
            output.Write(row);
        }
        if (((dataOffset + dataBytes) & 1) != 0) output.WriteByte(0);
        output.Write(directory);
        extra.Position = 0;
        extra.CopyTo(output);
    }

    private readonly record struct Tag(ushort Id, ushort Type, uint Count, byte[] Bytes)
    {
        public static Tag Shorts(ushort id, params ushort[] v)
        {
            var b = new byte[v.Length * 2];
            for (int i = 0; i < v.Length; i++) BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(i * 2), v[i]);
            return new Tag(id, Short, (uint)v.Length, b);
        }

        public static Tag Longs(ushort id, params uint[] v)
        {
            var b = new byte[v.Length * 4];
            for (int i = 0; i < v.Length; i++) BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(i * 4), v[i]);
            return new Tag(id, Long, (uint)v.Length, b);
        }

        public static Tag Doubles(ushort id, params double[] v)
        {
            var b = new byte[v.Length * 8];
            for (int i = 0; i < v.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(b.AsSpan(i * 8), v[i]);
            return new Tag(id, Double, (uint)v.Length, b);
        }

        public static Tag Text(ushort id, string s)
        {
            var b = Encoding.ASCII.GetBytes(s + "\0");
            return new Tag(id, Ascii, (uint)b.Length, b);
        }
    }
}
