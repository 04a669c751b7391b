using Zagg.Hdf5.Format;

namespace Zagg.Hdf5;

/// <summary>An attribute: a small named value on a group or dataset.</summary>
public sealed class Hdf5Attribute
{
    private readonly Hdf5File _file;
    private readonly byte[] _raw;

    private Hdf5Attribute(Hdf5File file, string name, Hdf5Datatype type, long[] shape, bool isNull, byte[] raw, string owner)
    {
        IsNull = isNull;
        _file = file;
        Name = name;
        Datatype = type;
        Shape = shape;
        _raw = raw;
        Owner = owner;
    }

    public string Name { get; }
    public Hdf5Datatype Datatype { get; }

    /// <summary>Empty for a scalar and for a null dataspace (see <see cref="IsNull"/>).</summary>
    public long[] Shape { get; }

    /// <summary>True for a null dataspace (H5S_NULL, h5py.Empty): no value at all, as opposed to a scalar's one.</summary>
    public bool IsNull { get; }

    public string Owner { get; }

    public long ElementCount => Datatype.Size == 0 ? 0 : _raw.Length / Datatype.Size;

    private string Where => $"{_file.Name}: attribute {Name} of {Owner}";

    public T[] GetNumbers<T>() where T : unmanaged, System.Numerics.INumberBase<T>
    {
        var result = new T[ElementCount];
        ValueDecoder.ToNumbers<T>(_raw, Datatype, result, Where);
        return result;
    }

    public async Task<string[]> GetStringsAsync(CancellationToken ct = default)
    {
        if (Datatype.Class == Hdf5TypeClass.String) return ValueDecoder.FixedStrings(_raw, Datatype);
        if (Datatype.IsVariableLengthString) return await ValueDecoder.VariableStringsAsync(_file, _raw, Datatype.Size, ct).ConfigureAwait(false);
        throw new Hdf5Exception($"{Where}: {Datatype} is not a string type");
    }

    internal static Hdf5Attribute Parse(Hdf5File file, byte[] data, string owner)
    {
        var ctx = file.Context;
        string what = $"{file.Name}: attribute message of {owner}";
        var r = ctx.Reader(data, what);
        byte version = r.U8();
        byte flags = r.U8();
        int nameSize = r.U16(), typeSize = r.U16(), spaceSize = r.U16();
        if (version == 3) r.U8(); // name character set
        else if (version is not (1 or 2)) throw r.Error($"version {version} is not defined");
        if ((flags & 3) != 0) throw new Hdf5UnsupportedException($"{what}: shared datatypes or dataspaces in attributes are not supported");
        int Pad(int n) => version == 1 ? (n + 7) & ~7 : n;
        var nameBytes = r.Bytes(Pad(nameSize));
        int end = nameBytes[..nameSize].IndexOf((byte)0);
        string name = System.Text.Encoding.UTF8.GetString(end < 0 ? nameBytes[..nameSize] : nameBytes[..end]);
        var tr = ctx.Reader(r.Bytes(Pad(typeSize)), $"{what} '{name}' datatype");
        var type = Hdf5Datatype.Parse(ref tr);
        var sr = ctx.Reader(r.Bytes(Pad(spaceSize)), $"{what} '{name}' dataspace");
        var space = Dataspace.Parse(ref sr);
        ulong count = space.ElementCount;
        ulong bytes = count * (ulong)type.Size;
        if (bytes > (ulong)r.Remaining) throw r.Error($"'{name}' needs {bytes} bytes of data, {r.Remaining} present");
        var raw = r.Bytes((int)bytes).ToArray();
        return new Hdf5Attribute(file, name, type, Array.ConvertAll(space.Dims, d => (long)d), space.IsNull, raw, owner);
    }
}
