using Zagg.Zarr;
using System.Text.Json.Nodes;

namespace Zagg.Pipeline.Output;

/// <summary>What a DGGS store holds: its arrays, how many chunks are written, and summary statistics of written cells.</summary>
/// <param name="Path">The array's path in the store, e.g. "12/h_mean".</param>
/// <param name="DataType">Its Zarr data type.</param>
/// <param name="Shape">Its shape (one dimension, cells).</param>
/// <param name="ChunkShape">Its chunk shape (4^(child−parent) cells).</param>
/// <param name="Codecs">The codec chain, e.g. "bytes → gzip".</param>
/// <param name="FillValue">The fill value in its JSON form.</param>
/// <param name="ChunksWritten">Chunks present in the store.</param>
/// <param name="ChunksExpected">Chunks a complete compact store holds (its parent cells); null for the full layout, whose arrays
/// cover every cell of the sphere and do not record which parent cells the catalog has.</param>
/// <param name="ValuesCounted">Values that are neither the fill value nor NaN, over written chunks.</param>
/// <param name="Min">Their minimum, or null when none.</param>
/// <param name="Max">Their maximum, or null when none.</param>
/// <param name="Mean">Their mean, or null when none.</param>
public sealed record ArraySummary(string Path, ZarrDataType DataType, long[] Shape, int[] ChunkShape, string Codecs, string FillValue,
    long ChunksWritten, long? ChunksExpected, long ValuesCounted, double? Min, double? Max, double? Mean);

/// <summary>Reads back what a DGGS store holds (the <c>zagg inspect</c> command's data).</summary>
public static class DggsInspection
{
    /// <summary>Summaries of every array, in name order; statistics skip fill values and NaN, over written chunks only.</summary>
    /// <exception cref="StoreException">The store cannot be listed or read.</exception>
    /// <exception cref="ZarrException">A chunk cannot be decoded or lies outside its array's shape.</exception>
    public static async Task<IReadOnlyList<ArraySummary>> SummarizeAsync(DggsStore store, CancellationToken ct = default)
    {
        var result = new List<ArraySummary>();
        foreach (var (name, array) in store.Arrays.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            var meta = array.Metadata;
            long[] written = await DggsCellValues.WrittenChunksAsync(store, name, ct).ConfigureAwait(false);
            long? expected = store.Template.Layout == DggsLayout.Compact ? array.ChunkCount : null;
            double min = double.PositiveInfinity, max = double.NegativeInfinity, sum = 0;
            long n = 0;
            foreach (long c in written)
            {
                byte[] data = await array.ReadChunkAsync([c], ct).ConfigureAwait(false);
                int size = meta.DataType.Size();
                for (int i = 0; i < data.Length; i += size)
                {
                    var v = data.AsSpan(i, size);
                    if (v.SequenceEqual(meta.FillValue)) continue;
                    double d = meta.DataType.ToDouble(v);
                    if (double.IsNaN(d)) continue;
                    min = Math.Min(min, d);
                    max = Math.Max(max, d);
                    sum += d;
                    n++;
                }
            }
            result.Add(new ArraySummary(array.Path, meta.DataType, meta.Shape, meta.ChunkShape,
                string.Join(" → ", meta.Codecs.Select(c => c.Name)), meta.DataType.FillToJson(meta.FillValue).ToJsonString(),
                written.Length, expected, n, n > 0 ? min : null, n > 0 ? max : null, n > 0 ? sum / n : null));
        }
        return result;
    }

    /// <summary>The group's "dggs" attributes (the DGGS convention v1, https://github.com/zarr-conventions/dggs/blob/v1/README.md), as stored; null when absent.</summary>
    /// <exception cref="ZarrException">The store cannot be read or its zarr.json is not valid.</exception>
    public static async Task<JsonObject?> DggsAttributesAsync(DggsStore store, CancellationToken ct = default)
        => (await ZarrHierarchy.ReadNodeAsync(store.Store, store.Template.GroupPath, ct).ConfigureAwait(false))?["attributes"]?["dggs"] as JsonObject;
}
