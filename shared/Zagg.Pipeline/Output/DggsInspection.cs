using Zagg.Zarr;
using System.Text.Json.Nodes;

namespace Zagg.Pipeline.Output;

/// <summary>What a DGGS store holds: its arrays, how many chunks are written, and summary statistics of written cells.</summary>
public sealed record ArraySummary(string Path, ZarrDataType DataType, long[] Shape, int[] ChunkShape, string Codecs, string FillValue,
    long ChunksWritten, long ChunksExpected, long ValuesCounted, double? Min, double? Max, double? Mean);

public static class DggsInspection
{
    /// <summary>Summaries of every array; statistics skip fill values and NaN, over written chunks only.</summary>
    public static async Task<IReadOnlyList<ArraySummary>> SummarizeAsync(DggsStore store, CancellationToken ct = default)
    {
        var result = new List<ArraySummary>();
        foreach (var (name, array) in store.Arrays.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            var meta = array.Metadata;
            var written = new HashSet<long>();
            string prefix = array.Path + "/c" + meta.Separator;
            await foreach (string key in store.Store.ListAsync(prefix, ct).ConfigureAwait(false))
                if (long.TryParse(key[prefix.Length..], out long c)) written.Add(c);
            long expected = store.Template.Layout == DggsLayout.Compact ? array.ChunkCount : written.Count;
            double min = double.PositiveInfinity, max = double.NegativeInfinity, sum = 0;
            long n = 0;
            foreach (long c in written.Order())
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
                written.Count, expected, n, n > 0 ? min : null, n > 0 ? max : null, n > 0 ? sum / n : null));
        }
        return result;
    }

    /// <summary>The group's DGGS attributes, as stored.</summary>
    public static async Task<JsonObject?> DggsAttributesAsync(DggsStore store, CancellationToken ct = default)
        => (await ZarrHierarchy.ReadNodeAsync(store.Store, store.Template.GroupPath, ct).ConfigureAwait(false))?["attributes"]?["dggs"] as JsonObject;
}
