using System.Buffers.Binary;
using Zagg.Pipeline.Config;
using Zagg.Zarr;

namespace Zagg.Pipeline.Aggregation;

/// <summary>
/// A variable's float64 results per child written as its chunk, in its dtype: chosen once per variable.
/// Floats are written directly; integers and bool go through the one range-checked conversion,
/// <see cref="ZarrDataTypes.Encode"/> (truncating as NumPy's astype, and refusing what does not fit).
/// A child without points, and a non-finite result for a non-float dtype, keep the fill value.
/// </summary>
internal sealed class OutputCast(VariableConfig variable)
{
    private readonly ZarrDataType _type = variable.DataType;
    private readonly int _size = variable.DataType.Size();
    private readonly byte[] _fill = variable.Fill;
    private readonly string _where = $"aggregation.variables.{variable.Name}";

    public string Name { get; } = variable.Name;

    /// <summary>Bytes per element of the chunk (the variable's dtype).</summary>
    public int ItemSize => _size;

    /// <summary>
    /// The chunk: one element per child, <paramref name="perChild"/>[c] where child c has points, else the fill; from
    /// <see cref="Output.ChunkBuffers"/> (given back by <see cref="CellAggregation.ReleaseChunks"/> once written).
    /// </summary>
    /// <param name="perChild">The results, one per child.</param>
    /// <param name="start">Child c's points are [start[c], start[c + 1]): a child without points keeps the fill.</param>
    /// <param name="cell">What a refusal calls the one cell a single-element chunk holds (a merged level's "cell 8 of order 0"),
    /// else null: it names the child by its index in the chunk.</param>
    /// <param name="order">The order of the chunk's cells when it is a coarser level's ("child 48 at order 9"), else null.</param>
    /// <exception cref="ZarrException">A result does not fit the integer dtype; the message names the variable and the child.</exception>
    public byte[] Write(ReadOnlySpan<double> perChild, ReadOnlySpan<int> start, string? cell = null, int? order = null)
    {
        int children = start.Length - 1;
        var chunk = Output.ChunkBuffers.Rent(children * _size);
        var bytes = chunk.AsSpan();
        ZarrDataTypes.Fill(_fill, bytes);
        switch (_type)
        {
            case ZarrDataType.Float32:
                for (int c = 0; c < children; c++)
                    if (start[c + 1] > start[c]) BinaryPrimitives.WriteSingleLittleEndian(bytes[(4 * c)..], (float)perChild[c]);
                break;
            case ZarrDataType.Float64:
                for (int c = 0; c < children; c++)
                    if (start[c + 1] > start[c]) BinaryPrimitives.WriteDoubleLittleEndian(bytes[(8 * c)..], perChild[c]);
                break;
            default:
                for (int c = 0; c < children; c++)
                {
                    if (start[c + 1] == start[c] || !double.IsFinite(perChild[c])) continue;
                    var element = bytes.Slice(c * _size, _size);
                    try { _type.Encode(perChild[c], element, _where); }
                    catch (ZarrException) // the same refusal, naming the cell
                    {
                        _type.Encode(perChild[c], element, $"{_where} ({cell ?? (order is null ? $"child {c}" : $"child {c} at order {order}")})");
                    }
                }
                break;
        }
        return chunk;
    }
}
