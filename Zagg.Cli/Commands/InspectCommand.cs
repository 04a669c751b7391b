using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Zagg.Grid;
using Zagg.Zarr;
using Zagg.Pipeline.Output;
using Zagg.Runs;
using Zagg.Zarr.Stores;

namespace Zagg.Cli.Commands;

/// <summary>
/// <c>zagg inspect STORE</c>: what a DGGS store holds and how much of it is written; <c>--cell WORD</c> or
/// <c>--nested ID [--order K]</c>: one cell's ids, parent cell and every variable's value (<see cref="DggsCellReader"/>).
/// </summary>
internal static class InspectCommand
{
    public static Command Build(CliConsole console)
    {
        var store = new Argument<string>("STORE") { Description = "A store: a path, file://… or s3://bucket/prefix." };
        var cell = new Option<string?>("--cell")
        {
            Description = "Print one cell given by its morton word (its order picks the level), e.g. --cell=-6134114: its ids, parent cell and every variable's value (fill shown as \"fill\").",
            HelpName = "WORD",
        };
        var nested = new Option<long?>("--nested") { Description = "Print one cell given by its NESTED id at --order (default the store's finest order).", HelpName = "ID" };
        var order = new Option<int?>("--order", "-k") { Description = "The level (HEALPix order) of --nested; with --cell, must be the word's order.", HelpName = "K" };
        var cmd = new Command("inspect", "Groups, arrays, shapes, codecs, DGGS attributes, chunks written/expected, and per-variable min/max/mean over written cells; or one cell's values (--cell WORD, or --nested ID [--order K]).")
        {
            store, cell, nested, order,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            // Damaged metadata or chunks found past the opening (a level's arrays, a chunk outside its shape) end the same way.
            try
            {
                string location = parse.GetValue(store)!;
                string? word = parse.GetValue(cell);
                long? id = parse.GetValue(nested);
                int? k = parse.GetValue(order);
                if (word is null && id is null)
                {
                    if (k is not null) throw new CliException("--order goes with --cell or --nested");
                    return await InspectAsync(console.Out, location, ct);
                }
                return await InspectCellAsync(console.Out, location, word, id, k, ct);
            }
            catch (ZarrException e) { throw new CliException(e.Message); }
        });
        return cmd;
    }

    private static async Task<int> InspectAsync(TextWriter o, string location, CancellationToken ct)
    {
        var dggs = await DggsStore.OpenAsync(ZarrStores.Open(location), ct);
        bool consolidated = (await ZarrHierarchy.ReadNodeAsync(dggs.Store, "", ct))?["consolidated_metadata"] is not null;
        o.WriteLine($"store       {dggs.Store.Name}{(consolidated ? " (consolidated)" : " (not consolidated)")}");
        await PrintRunsAsync(o, dggs.Store, ct);
        if (dggs.Levels.Count > 1)
            o.WriteLine($"levels      orders {string.Join(", ", dggs.Levels.Keys)} (multiscales in the root group)");
        bool first = true;
        // Finest first: a one-order store prints as it always did.
        foreach (var level in dggs.Levels.Values.Reverse())
        {
            if (!first) o.WriteLine();
            first = false;
            await PrintLevelAsync(o, level, dggs.Template, ct);
        }
        return 0;
    }

    /// <summary>Failed cells named per run before the rest are counted.</summary>
    private const int FailuresShown = 5;

    /// <summary>
    /// What each run that wrote the store ended with (its ledger, <see cref="RunLedger"/>): the summary line zagg run
    /// printed, and the first failed cells by parent morton word and reason — a consolidated store may hold no cell at all.
    /// </summary>
    private static async Task PrintRunsAsync(TextWriter o, IZarrStore store, CancellationToken ct)
    {
        foreach (var id in await RunLedger.ListRunsAsync(store, ct))
        {
            var ledger = new RunLedger(store, id);
            var completed = await ledger.ReadCompletedAsync(ct);
            if (completed is null)
            {
                var plan = await ledger.ReadPlanAsync(ct);
                int recorded = (await ledger.ReadCellsAsync(ct)).Count;
                o.WriteLine($"run         {id:N}: not completed ({recorded} of {(plan is null ? "?" : plan.Cells.Count.ToString(CultureInfo.InvariantCulture))} cells recorded)");
                continue;
            }
            o.WriteLine($"run         {id:N}: {(completed.Error is { } error ? $"stopped: {error}" : completed.Summary)}");
            if (completed.Errors == 0) continue;
            var failed = (await ledger.ReadCellsAsync(ct)).Values.Where(c => !c.Succeeded).OrderBy(c => c.CatalogIndex).ToList();
            foreach (var c in failed.Take(FailuresShown))
                o.WriteLine($"  failed    parent {c.ParentMorton.ToString(CultureInfo.InvariantCulture)}: {TerminalText.OneLine(c.Reason)}");
            if (failed.Count > FailuresShown)
                o.WriteLine($"  failed    … and {(failed.Count - FailuresShown).ToString(CultureInfo.InvariantCulture)} more (every one in {completed.Report ?? RunReport.LocationOf(store.Name)})");
        }
    }

    /// <summary>One cell: a morton word (its order) or a NESTED id at an order (default the finest level).</summary>
    private static async Task<int> InspectCellAsync(TextWriter o, string location, string? word, long? id, int? order, CancellationToken ct)
    {
        if (word is not null && id is not null) throw new CliException("give either --cell WORD or --nested ID, not both");
        long nested;
        int? k = order;
        if (word is not null)
        {
            long w;
            try { w = Morton.Parse(word); }
            catch (FormatException e) { throw new CliException($"--cell: {e.Message}"); }
            nested = Morton.ToNested(w, out int wordOrder);
            if (k is not null && k != wordOrder) throw new CliException($"--cell {w} is a cell of order {wordOrder}, not of --order {k}");
            k = wordOrder;
        }
        else nested = id!.Value;
        var dggs = await DggsStore.OpenAsync(ZarrStores.Open(location), ct);
        int level = k ?? dggs.Template.ChildOrder;
        if (!dggs.Levels.TryGetValue(level, out var store))
            throw new CliException($"{dggs.Store.Name}: no level of order {level} (the store has orders {string.Join(", ", dggs.Levels.Keys)})");
        if ((ulong)nested >= (ulong)HealpixNested.CellCount(level))
            throw new CliException($"--nested {nested} is not a cell of order {level}: NESTED ids run 0–{HealpixNested.CellCount(level) - 1}");
        var c = await new DggsCellReader(store).ReadAsync(nested, ct);
        var t = store.Template;
        bool merged = dggs.Template.IsMergedLevel(level);
        if (c is null)
            throw new CliException(merged
                ? $"{dggs.Store.Name}: cell {nested} (order {level}) was not written: no parent cell of order {dggs.Template.ParentOrder} inside it has data, or one of them failed or was left out of the run by --max-cells or --morton-cell (zagg inspect {dggs.Store.Name} lists the run's failed cells)"
                : $"{dggs.Store.Name}: cell {nested} (order {level}) lies in parent cell {nested >> (2 * t.Depth)} (order {t.ParentOrder}), which the store has not written");
        var inv = CultureInfo.InvariantCulture;
        o.WriteLine($"morton      {(c.Morton is { } m ? m.ToString(inv) : "(none at this order)")}");
        o.WriteLine($"nested      {c.Nested.ToString(inv)}");
        o.WriteLine($"order       {c.Order.ToString(inv)}");
        if (merged)
            o.WriteLine($"merged      from the parent cells of order {dggs.Template.ParentOrder.ToString(inv)} inside it, chunk {c.Chunk.ToString(inv)} of {t.GroupPath}/");
        else
        {
            string parentWord = c.ParentOrder is >= Morton.MinOrder and <= Morton.MaxOrder ? $", morton {Morton.FromNested(c.Parent, c.ParentOrder).ToString(inv)}" : "";
            o.WriteLine($"parent      {c.Parent.ToString(inv)} (order {c.ParentOrder.ToString(inv)}{parentWord}), chunk {c.Chunk.ToString(inv)} of {t.GroupPath}/");
        }
        // A run stopped part-way (Ctrl-C, a killed process) may have written some of the cell's arrays and not others.
        foreach (var run in await RunLedger.ListRunsAsync(dggs.Store, ct))
            if (await new RunLedger(dggs.Store, run).ReadCompletedAsync(ct) is null)
                o.WriteLine($"note        run {run:N} did not complete: the cell's values may be partly written (zagg run --overwrite writes them again)");
        o.WriteLine();
        foreach (var v in c.Values) o.WriteLine($"{v.Variable,-14} {v.Text}{(merged ? InexactNote(store, v.Variable) : "")}");
        return 0;
    }

    /// <param name="root">The store's own template (its parent and child orders): a level coarser than the parent order was
    /// merged from the parent cells' states, one between them holds a chunk of coarser cells per parent cell.</param>
    private static async Task PrintLevelAsync(TextWriter o, DggsStore dggs, DggsTemplate root, CancellationToken ct)
    {
        var t = dggs.Template;
        string layout = $"{t.Layout.ToString().ToLowerInvariant()} layout, {Zagg.Grid.LatitudeConventionNames.ToName(t.Latitude)} latitude";
        bool compact = t.Layout == DggsLayout.Compact;
        if (root.IsMergedLevel(t.ChildOrder))
        {
            o.WriteLine($"group       {t.GroupPath}/  HEALPix nested, order {t.ChildOrder}, merged from the parent cells of order {root.ParentOrder} at consolidation, {layout}");
            if (compact) o.WriteLine($"cells       {t.ParentCellCount} cells, one a chunk");
        }
        else if (t.ChildOrder == root.ChildOrder)
        {
            o.WriteLine($"group       {t.GroupPath}/  HEALPix nested, parent order {t.ParentOrder}, child order {t.ChildOrder}, {layout}");
            if (compact) o.WriteLine($"cells       {t.ParentCellCount} parent cells × {t.ChunkLength} children");
        }
        else if (t.ChildOrder == t.ParentOrder)
        {
            o.WriteLine($"group       {t.GroupPath}/  HEALPix nested, order {t.ChildOrder}, the parent cells, {layout}");
            if (compact) o.WriteLine($"cells       {t.ParentCellCount} parent cells, one a chunk");
        }
        else
        {
            o.WriteLine($"group       {t.GroupPath}/  HEALPix nested, order {t.ChildOrder}, {t.ChunkLength} cells a chunk under each parent cell of order {t.ParentOrder}, {layout}");
            if (compact) o.WriteLine($"cells       {t.ParentCellCount} parent cells × {t.ChunkLength} cells of order {t.ChildOrder}");
        }
        var attrs = await DggsInspection.DggsAttributesAsync(dggs, ct);
        o.WriteLine($"dggs        {attrs?.ToJsonString(new JsonSerializerOptions { WriteIndented = false })}");
        o.WriteLine();
        o.WriteLine($"{"array",-14} {"dtype",-8} {"shape",-12} {"chunk",-7} {"codecs",-26} {"fill",-6} {"chunks written",-15} {"min",12} {"max",12} {"mean",12}");
        foreach (var s in await DggsInspection.SummarizeAsync(dggs, ct))
        {
            string N(double? v) => v is null ? "-" : v.Value.ToString("G7", CultureInfo.InvariantCulture);
            string name = s.Path[(t.GroupPath.Length + 1)..];
            o.WriteLine($"{name,-14} {s.DataType.Name(),-8} {string.Join("×", s.Shape),-12} {string.Join("×", s.ChunkShape),-7} {s.Codecs,-26} {s.FillValue,-6} {$"{s.ChunksWritten}/{(s.ChunksExpected is { } e ? e.ToString(CultureInfo.InvariantCulture) : "?")}",-15} {N(s.Min),12} {N(s.Max),12} {N(s.Mean),12}{(s.ChunksWritten > 0 ? InexactNote(dggs, name) : "")}");
        }
    }

    /// <summary>
    /// "  (sketch, rank error ≤ …)" for a variable a level holds as a sketch's estimate, "  (not merged)" for one it could
    /// not merge, "" for an exact one: from the array's <c>zagg</c> attributes (<see cref="DggsPyramid"/>).
    /// </summary>
    private static string InexactNote(DggsStore level, string name)
        => level.Arrays.TryGetValue(name, out var array) && array.Metadata.Attributes["zagg"] is JsonObject z && z["exact"]?.GetValue<bool>() == false
            ? z["rank_error_bound"] is { } b ? $"  (sketch, rank error ≤ {b.GetValue<double>().ToString("P2", CultureInfo.InvariantCulture)})" : "  (not merged)"
            : "";
}
