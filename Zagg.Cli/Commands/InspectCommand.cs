using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Zagg.Zarr;
using Zagg.Pipeline.Output;
using Zagg.Zarr.Stores;

namespace Zagg.Cli.Commands;

/// <summary><c>zagg inspect STORE</c>: what a DGGS store holds and how much of it is written.</summary>
internal static class InspectCommand
{
    public static Command Build(CliConsole console)
    {
        var store = new Argument<string>("STORE") { Description = "A store: a path, file://… or s3://bucket/prefix." };
        var cmd = new Command("inspect", "Groups, arrays, shapes, codecs, DGGS attributes, chunks written/expected, and per-variable min/max/mean over written cells.") { store };
        cmd.SetAction(async (parse, ct) =>
        {
            // Damaged metadata or chunks found past the opening (a level's arrays, a chunk outside its shape) end the same way.
            try { return await InspectAsync(console.Out, parse.GetValue(store)!, ct); }
            catch (ZarrException e) { throw new CliException(e.Message); }
        });
        return cmd;
    }

    private static async Task<int> InspectAsync(TextWriter o, string location, CancellationToken ct)
    {
        var dggs = await DggsStore.OpenAsync(ZarrStores.Open(location), ct);
        bool consolidated = (await ZarrHierarchy.ReadNodeAsync(dggs.Store, "", ct))?["consolidated_metadata"] is not null;
        o.WriteLine($"store       {dggs.Store.Name}{(consolidated ? " (consolidated)" : " (not consolidated)")}");
        if (dggs.Levels.Count > 1)
            o.WriteLine($"levels      orders {string.Join(", ", dggs.Levels.Keys)} (multiscales in the root group)");
        bool first = true;
        // Finest first: a one-order store prints as it always did.
        foreach (var level in dggs.Levels.Values.Reverse())
        {
            if (!first) o.WriteLine();
            first = false;
            await PrintLevelAsync(o, level, ct);
        }
        return 0;
    }

    private static async Task PrintLevelAsync(TextWriter o, DggsStore dggs, CancellationToken ct)
    {
        var t = dggs.Template;
        o.WriteLine($"group       {t.GroupPath}/  HEALPix nested, parent order {t.ParentOrder}, child order {t.ChildOrder}, {t.Layout.ToString().ToLowerInvariant()} layout, {Zagg.Grid.LatitudeConventionNames.ToName(t.Latitude)} latitude");
        if (t.Layout == DggsLayout.Compact) o.WriteLine($"cells       {t.ParentCellCount} parent cells × {t.ChunkLength} children");
        var attrs = await DggsInspection.DggsAttributesAsync(dggs, ct);
        o.WriteLine($"dggs        {attrs?.ToJsonString(new JsonSerializerOptions { WriteIndented = false })}");
        o.WriteLine();
        o.WriteLine($"{"array",-14} {"dtype",-8} {"shape",-12} {"chunk",-7} {"codecs",-26} {"fill",-6} {"chunks written",-15} {"min",12} {"max",12} {"mean",12}");
        foreach (var s in await DggsInspection.SummarizeAsync(dggs, ct))
        {
            string N(double? v) => v is null ? "-" : v.Value.ToString("G7", CultureInfo.InvariantCulture);
            string name = s.Path[(t.GroupPath.Length + 1)..];
            string note = dggs.Arrays[name].Metadata.Attributes["zagg"] is JsonObject z && z["exact"]?.GetValue<bool>() == false
                ? z["rank_error_bound"] is { } b ? $"  (sketch, rank error ≤ {b.GetValue<double>().ToString("P2", CultureInfo.InvariantCulture)})" : "  (not merged)"
                : "";
            o.WriteLine($"{name,-14} {s.DataType.Name(),-8} {string.Join("×", s.Shape),-12} {string.Join("×", s.ChunkShape),-7} {s.Codecs,-26} {s.FillValue,-6} {$"{s.ChunksWritten}/{s.ChunksExpected}",-15} {N(s.Min),12} {N(s.Max),12} {N(s.Mean),12}{note}");
        }
    }
}
