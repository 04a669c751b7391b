namespace Zagg.Hdf5.Format;

/// <summary>When libhdf5 writes the fill value into a dataset's storage (H5D_fill_time_t).</summary>
internal enum FillTime : byte { OnAllocation = 0, Never = 1, IfSet = 2 }

/// <summary>Whether a dataset defines a fill value (H5D_fill_value_t): none, the default (zeros), or a user's.</summary>
internal enum FillStatus : byte { Undefined, Default, UserDefined }

/// <summary>
/// A dataset's fill value properties, from its fill value message (type 5, versions 1–3) or, when it has none, the
/// old fill value message (type 4) (HDF5 File Format Specification 3.0, IV.A.2.e and IV.A.2.f), and what elements
/// never written read as. libhdf5 1.10 (H5D__read, H5D__chunk_read; verified by tools/fixtures/hdf5_fill.py) reads:
/// <list type="bullet">
/// <item>storage never allocated (a contiguous dataset without an address, a chunked one without a chunk index), fill
/// value undefined and write time not "never": an error, "dataset doesn't exist, no data can be read";</item>
/// <item>otherwise elements of unallocated storage and of chunks never written: the fill value when it is the user's
/// and the write time is not "never"; else libhdf5 leaves the caller's buffer untouched, which h5py allocated with
/// zeros: this reader returns zeros (<see cref="Unwritten"/> null).</item>
/// </list>
/// Allocated storage is read as stored, whatever the fill value properties say.
/// </summary>
internal sealed class FillValueMessage
{
    private FillValueMessage(FillStatus status, FillTime time, byte[]? value)
    {
        Status = status;
        Time = time;
        Value = value;
    }

    public FillStatus Status { get; }
    public FillTime Time { get; }

    /// <summary>The user's fill value, element-sized, in the dataset's byte order; null unless <see cref="FillStatus.UserDefined"/>.</summary>
    public byte[]? Value { get; }

    /// <summary>What an element never written reads as: the user's fill value, or null for zeros.</summary>
    public byte[]? Unwritten => Time != FillTime.Never ? Value : null;

    /// <summary>True when libhdf5 refuses to read a dataset whose storage was never allocated.</summary>
    public bool RefusesUnallocated => Status == FillStatus.Undefined && Time != FillTime.Never;

    /// <summary>
    /// The properties from the new message, else the old one, else libhdf5's default for a dataset with neither:
    /// write time "if set", value undefined (libhdf5 maps the old message's size 0, and a missing message, to undefined).
    /// </summary>
    /// <exception cref="Hdf5Exception">A message of an undefined version, with undefined flag bits or write time, or a
    /// value whose size is not the element's.</exception>
    public static FillValueMessage Parse(ObjectHeader header, H5Context ctx, int elementSize, string where)
    {
        if (header.First(MessageType.FillValue) is { } fv)
            return ParseNew(ctx.Reader(fv.Data, $"{where}: fill value"), elementSize);
        if (header.First(MessageType.FillValueOld) is { } old && old.Data.Length >= 4)
        {
            var r = ctx.Reader(old.Data, $"{where}: old fill value");
            int size = (int)r.U32();
            // A size other than the element's was ignored before (libhdf5 converts it through the datatype); kept so.
            if (size > 0 && size == elementSize && r.Remaining >= size)
                return new FillValueMessage(FillStatus.UserDefined, FillTime.IfSet, r.Bytes(size).ToArray());
        }
        return new FillValueMessage(FillStatus.Undefined, FillTime.IfSet, null);
    }

    private static FillValueMessage ParseNew(H5Reader r, int elementSize)
    {
        byte version = r.U8();
        FillTime time;
        bool defined;
        if (version is 1 or 2)
        {
            r.Skip(1); // space allocation time: how storage was allocated when written; reads do not depend on it
            time = WriteTime(ref r, r.U8());
            defined = r.U8() != 0;
            // Version 1 always has the size field, version 2 only for a defined value; libhdf5 reads it only then.
            if (!defined) return new FillValueMessage(FillStatus.Undefined, time, null);
            if (r.Remaining < 4) return new FillValueMessage(FillStatus.Default, time, null);
        }
        else if (version == 3)
        {
            // Bits 0-1 allocation time, 2-3 fill write time, 4 "undefined", 5 "value stored"; libhdf5
            // (H5O__fill_new_decode) refuses a message with any other bit set, and one claiming both.
            byte flags = r.U8();
            if ((flags & ~0x3F) != 0) throw r.Error($"unknown flag bits 0x{flags & ~0x3F:X2} in fill value message; the file is damaged");
            if ((flags & 0x30) == 0x30) throw r.Error("fill value message says both 'undefined' and 'value stored'; the file is damaged");
            time = WriteTime(ref r, (byte)((flags >> 2) & 3));
            if ((flags & 0x10) != 0) return new FillValueMessage(FillStatus.Undefined, time, null);
            if ((flags & 0x20) == 0) return new FillValueMessage(FillStatus.Default, time, null);
        }
        else throw r.Error($"fill value message version {version} is not defined");
        int size = (int)r.U32();
        if (size == 0) return new FillValueMessage(FillStatus.Default, time, null);
        if (size != elementSize) throw r.Error($"fill value has {size} bytes, elements {elementSize}");
        return new FillValueMessage(FillStatus.UserDefined, time, r.Bytes(size).ToArray());
    }

    private static FillTime WriteTime(ref H5Reader r, byte value)
        => value <= (byte)FillTime.IfSet ? (FillTime)value : throw r.Error($"fill value write time {value} is not defined; the file is damaged");
}
