using System.Text;
using Zagg.Hdf5.Format;

namespace Zagg.Hdf5;

/// <summary>
/// How a fixed-length string fills its width (HDF5 File Format Specification 3.0, IV.A.2.d, string class bit field
/// bits 0-3; libhdf5's H5T_str_t).
/// </summary>
public enum Hdf5StringPadding
{
    /// <summary>Ends at the first null; the bytes after it are not part of the value (H5T_STR_NULLTERM).</summary>
    NullTerminated = 0,

    /// <summary>Padded with nulls; the value is every byte up to the trailing nulls (H5T_STR_NULLPAD).</summary>
    NullPadded = 1,

    /// <summary>Padded with spaces; trailing spaces are padding (H5T_STR_SPACEPAD, Fortran's strings).</summary>
    SpacePadded = 2,
}

public enum Hdf5TypeClass { FixedPoint = 0, FloatingPoint = 1, Time = 2, String = 3, Bitfield = 4, Opaque = 5, Compound = 6, Reference = 7, Enumerated = 8, VariableLength = 9, Array = 10 }

/// <summary>An HDF5 datatype as far as this reader understands it.</summary>
public sealed record Hdf5Datatype
{
    public required Hdf5TypeClass Class { get; init; }

    /// <summary>Bytes per element as stored in the dataset (for variable-length data, the size of its heap reference).</summary>
    public required int Size { get; init; }

    public bool BigEndian { get; init; }
    public bool Signed { get; init; }

    /// <summary>Variable-length strings: true. Fixed strings are <see cref="Hdf5TypeClass.String"/>.</summary>
    public bool IsVariableLengthString => Class == Hdf5TypeClass.VariableLength && VariableLengthIsString;

    internal bool VariableLengthIsString { get; init; }

    /// <summary>A fixed-length string's padding (<see cref="Hdf5TypeClass.String"/> only; values 3-15 the specification
    /// reserves read as null-padded: the bytes as stored).</summary>
    public Hdf5StringPadding StringPadding { get; init; } = Hdf5StringPadding.NullPadded;

    /// <summary>A string's character set is UTF-8 (else ASCII); both decode as UTF-8, the values are the same bytes.</summary>
    public bool StringIsUtf8 { get; init; }

    /// <summary>
    /// Rewrites fixed-length strings (elements of <see cref="Size"/> bytes) in place as h5py reads them: libhdf5
    /// converts them to h5py's null-padded type of the same width (H5T__conv_s_s): a null-terminated value ends at its
    /// first null, a space-padded one loses its trailing spaces; the rest of the width becomes nulls. Null-padded
    /// strings are left as stored. NumPy's 'S' values are these bytes without their trailing nulls.
    /// </summary>
    /// <exception cref="InvalidOperationException">The type is not a fixed-length string.</exception>
    public void ToNullPadded(Span<byte> values)
    {
        if (Class != Hdf5TypeClass.String) throw new InvalidOperationException($"{this} is not a fixed-length string type");
        if (StringPadding == Hdf5StringPadding.NullPadded) return;
        for (int at = 0; at + Size <= values.Length; at += Size)
        {
            var s = values.Slice(at, Size);
            int length = StringPadding == Hdf5StringPadding.NullTerminated ? s.IndexOf((byte)0) : s.LastIndexOfAnyExcept((byte)' ') + 1;
            if (length >= 0) s[length..].Clear();
        }
    }

    /// <summary>Elements of more than 2 GiB (<see cref="Size"/> then says int.MaxValue): never read.</summary>
    public bool IsOversized => Oversized;

    internal bool Oversized { get; init; }

    /// <summary>Whether the reader can return this type's values.</summary>
    public bool IsSupported => !Oversized && Class is Hdf5TypeClass.FixedPoint or Hdf5TypeClass.FloatingPoint or Hdf5TypeClass.String || IsVariableLengthString;

    /// <summary>NumPy's description: "&lt;f8", "&gt;i4", "|u1", "|S10"; variable-length strings "vlen-str".</summary>
    public string NumpyDescr => Class switch
    {
        Hdf5TypeClass.FixedPoint => $"{Order}{(Signed ? 'i' : 'u')}{Size}",
        Hdf5TypeClass.FloatingPoint => $"{Order}f{Size}",
        _ when Oversized => $"{Class.ToString().ToLowerInvariant()} of over 2 GiB",
        Hdf5TypeClass.String => $"|S{Size}",
        _ when IsVariableLengthString => "vlen-str",
        _ => Class.ToString().ToLowerInvariant(),
    };

    private char Order => Size == 1 ? '|' : BigEndian ? '>' : '<';

    public override string ToString() => NumpyDescr;

    internal static Hdf5Datatype Parse(ref H5Reader r)
    {
        byte classVersion = r.U8();
        var cls = (Hdf5TypeClass)(classVersion & 0x0F);
        int version = classVersion >> 4;
        byte b0 = r.U8(), b1 = r.U8(), b2 = r.U8();
        uint storedSize = r.U32();
        if (version is < 1 or > 5) throw r.Error($"datatype message version {version} is not defined");
        if (storedSize == 0) throw r.Error("datatype of size 0");
        // An element over 2 GiB: libhdf5 opens it (fuzzing, seed 20261121 case 6951: an empty dataset of 4 GiB strings);
        // no array holds one, so it is listed and never read.
        if (storedSize > int.MaxValue) return new Hdf5Datatype { Class = cls, Size = int.MaxValue, Oversized = true };
        int size = (int)storedSize;
        switch (cls)
        {
            case Hdf5TypeClass.FixedPoint:
            {
                int offset = r.U16(), precision = r.U16();
                if (size is not (1 or 2 or 4 or 8) || offset != 0 || precision != size * 8)
                    return new Hdf5Datatype { Class = Hdf5TypeClass.Bitfield, Size = size };
                return new Hdf5Datatype { Class = cls, Size = size, BigEndian = (b0 & 1) != 0, Signed = (b0 & 8) != 0 };
            }
            case Hdf5TypeClass.FloatingPoint:
            {
                // Bit offset, precision, exponent location and size, mantissa location and size, exponent bias: only
                // IEEE 754 binary32/binary64 layouts (with an implied mantissa bit and the sign at the top) decode
                // as floats; any other layout is a float this reader does not have, listed but never misread.
                int offset = r.U16(), precision = r.U16();
                int exponentAt = r.U8(), exponentBits = r.U8(), mantissaAt = r.U8(), mantissaBits = r.U8();
                uint bias = r.U32();
                bool vax = (b0 & 0x40) != 0;
                bool ieee = (b0 >> 4 & 3) == 2 && offset == 0 && mantissaAt == 0 && (size, precision, exponentAt, exponentBits, mantissaBits, bias, (int)b1) switch
                {
                    (4, 32, 23, 8, 23, 127, 31) => true,
                    (8, 64, 52, 11, 52, 1023, 63) => true,
                    _ => false,
                };
                if (!ieee || vax) return new Hdf5Datatype { Class = Hdf5TypeClass.Opaque, Size = size };
                return new Hdf5Datatype { Class = cls, Size = size, BigEndian = (b0 & 1) != 0, Signed = true };
            }
            case Hdf5TypeClass.String:
            {
                int padding = b0 & 0x0F;
                return new Hdf5Datatype
                {
                    Class = cls, Size = size, StringIsUtf8 = (b0 >> 4) == 1,
                    StringPadding = padding <= 2 ? (Hdf5StringPadding)padding : Hdf5StringPadding.NullPadded,
                };
            }
            case Hdf5TypeClass.VariableLength:
            {
                bool isString = (b0 & 0x0F) == 1;
                if (size != 8 + r.OffsetSize) throw r.Error($"variable-length type of {size} bytes; references take {8 + r.OffsetSize}");
                Parse(ref r); // base type
                return new Hdf5Datatype { Class = cls, Size = size, VariableLengthIsString = isString };
            }
            default:
                // Known classes this reader does not decode: remember the size so the object can still be listed.
                return new Hdf5Datatype { Class = cls, Size = size };
        }
    }
}
