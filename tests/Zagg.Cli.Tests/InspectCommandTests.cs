using Xunit;
using Zagg.Grid;
using Zagg.Zarr;
using Zagg.Pipeline.Output;
using Zagg.Zarr.Stores;

namespace Zagg.Cli.Tests;

public class InspectCommandTests
{
    [Fact]
    public async Task Inspect_reports_layout_attributes_chunks_and_statistics()
    {
        string dir = Directory.CreateTempSubdirectory("zagg-inspect").FullName;
        try
        {
            long[] parents = [GeoGrid.Locate(-75, 10, 3), GeoGrid.Locate(-80, 100, 3), GeoGrid.Locate(-70, -50, 3)];
            var store = await DggsStore.CreateAsync(new LocalStore(dir), new DggsTemplate
            {
                ParentOrder = 3, ChildOrder = 5, ParentCellCount = 3,
                Variables = [new("count", ZarrDataType.Int32), new("h_mean", ZarrDataType.Float32)],
            });
            var values = new List<float>();
            foreach (int i in new[] { 0, 2 })
            {
                var count = new byte[16 * 4];
                var mean = new byte[16 * 4];
                for (int k = 0; k < 16; k++)
                {
                    bool empty = k % 3 == 0;
                    BitConverter.TryWriteBytes(count.AsSpan(k * 4), empty ? 0 : k + i);
                    float v = empty ? float.NaN : 1000f + 10 * k + i;
                    BitConverter.TryWriteBytes(mean.AsSpan(k * 4), v);
                    if (!empty) values.Add(v);
                }
                await store.WriteCellAsync(parents[i], i, new Dictionary<string, byte[]> { ["count"] = count, ["h_mean"] = mean });
            }
            await store.ConsolidateAsync();

            var r = CliRunner.Run("inspect", dir);
            Assert.Equal(0, r.ExitCode);
            Assert.Contains("(consolidated)", r.Out);
            Assert.Contains("parent order 3, child order 5, compact layout, authalic latitude", r.Out);
            Assert.Contains("3 parent cells × 16 children", r.Out);
            Assert.Contains("\"semi_major_axis\":6378137", r.Out);
            var line = r.Out.Split('\n').Single(l => l.StartsWith("h_mean "));
            Assert.Contains("2/3", line);
            Assert.Contains(values.Min().ToString("G7", System.Globalization.CultureInfo.InvariantCulture), line);
            Assert.Contains(values.Max().ToString("G7", System.Globalization.CultureInfo.InvariantCulture), line);
            Assert.Contains(values.Average(v => (double)v).ToString("G7", System.Globalization.CultureInfo.InvariantCulture), line);
            Assert.Contains("cell_ids", r.Out);
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>
    /// A store whose run failed in every cell is consolidated and holds no chunk: inspect names the run's end and its
    /// failed cells (the first five, then a count) from the run's ledger, as zagg run printed them.
    /// </summary>
    [Fact]
    public async Task Inspect_names_the_failed_cells_of_the_runs_that_wrote_the_store()
    {
        string dir = Directory.CreateTempSubdirectory("zagg-inspect-failed").FullName;
        try
        {
            var local = new LocalStore(dir);
            var store = await DggsStore.CreateAsync(local, new DggsTemplate
            {
                ParentOrder = 3, ChildOrder = 5, ParentCellCount = 7,
                Variables = [new("count", ZarrDataType.Int32)],
            });
            await store.ConsolidateAsync();
            var done = Guid.NewGuid();
            var ledger = new Zagg.Runs.RunLedger(local, done);
            for (int i = 0; i < 7; i++)
                await ledger.RecordAsync(new Zagg.Runs.CellRecord
                {
                    CatalogIndex = i, ParentMorton = -311 - i, Succeeded = false, Attempts = 2, Message = $"g{i}.h5: truncated",
                });
            await ledger.MarkCompletedAsync(new Zagg.Contracts.RunCompleted
            {
                RunId = done, Store = dir, Cells = 7, ParentCellsWithData = 0, Observations = 0, Errors = 7, DurationSeconds = 1.5,
                Report = dir + ".report.json",
            });
            var unfinished = Guid.NewGuid();
            await new Zagg.Runs.RunLedger(local, unfinished).RecordAsync(new Zagg.Runs.CellRecord { CatalogIndex = 0, ParentMorton = -311, Succeeded = true });

            var r = CliRunner.Run("inspect", dir);
            Assert.Equal(0, r.ExitCode);
            Assert.Contains($"run         {done:N}: Done: 0 cells with data, 0 obs, 7 errors, 1.5 s", r.Out);
            Assert.Contains("  failed    parent -311: failed after 2 attempt(s): g0.h5: truncated", r.Out);
            Assert.Contains("  failed    parent -315: failed after 2 attempt(s): g4.h5: truncated", r.Out);
            Assert.DoesNotContain("parent -316:", r.Out);
            Assert.Contains($"… and 2 more (every one in {dir}.report.json)", r.Out);
            Assert.Contains($"run         {unfinished:N}: not completed (1 of ? cells recorded)", r.Out);
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>
    /// A two-level store (orders 4 and 5 over parent order 3, parents 0 and 2 of 3 written, children k % 3 == 0 left as
    /// fill): <c>--cell WORD</c> and <c>--nested ID [--order K]</c> print the values read straight from the chunk files
    /// (bytes codec: little-endian elements, read here without Zagg's reader).
    /// </summary>
    [Fact]
    public async Task Inspect_cell_prints_a_cells_ids_parent_and_the_chunks_values()
    {
        string dir = Directory.CreateTempSubdirectory("zagg-inspect-cell").FullName;
        try
        {
            long[] parents = [GeoGrid.Locate(-75, 10, 3), GeoGrid.Locate(-80, 100, 3), GeoGrid.Locate(-70, -50, 3)];
            var store = await DggsStore.CreateAsync(new LocalStore(dir), new DggsTemplate
            {
                ParentOrder = 3, ChildOrder = 5, ParentCellCount = 3, Orders = [4, 5],
                Variables = [new("count", ZarrDataType.Int32), new("h_mean", ZarrDataType.Float32)],
            });
            static Dictionary<string, byte[]> Chunk(int n, int i)
            {
                var count = new byte[n * 4];
                var mean = new byte[n * 4];
                for (int k = 0; k < n; k++)
                {
                    bool empty = k % 3 == 0;
                    BitConverter.TryWriteBytes(count.AsSpan(k * 4), empty ? 0 : k + i + n);
                    BitConverter.TryWriteBytes(mean.AsSpan(k * 4), empty ? float.NaN : 1000.25f + 10 * k + i + n);
                }
                return new Dictionary<string, byte[]> { ["count"] = count, ["h_mean"] = mean };
            }
            foreach (int i in new[] { 0, 2 })
                await store.WriteCellAsync(parents[i], i, Chunk(16, i), new Dictionary<int, IReadOnlyDictionary<string, byte[]>> { [4] = Chunk(4, i) });
            var files = Zagg.TestSupport.StoreChunks.Read(dir);
            string Stored(int order, string variable, int chunk, int k)
            {
                var b = files[Path.Combine(order.ToString(System.Globalization.CultureInfo.InvariantCulture), variable, "c", chunk.ToString(System.Globalization.CultureInfo.InvariantCulture))];
                return variable == "count"
                    ? BitConverter.ToInt32(b, k * 4).ToString(System.Globalization.CultureInfo.InvariantCulture)
                    : BitConverter.ToSingle(b, k * 4).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
            }
            string[] Lines(CliResult r) => r.Out.Split('\n', StringSplitOptions.TrimEntries);

            // Child 5 of parent 2 at the finest order, by NESTED id and by morton word: the same text.
            long cell = (parents[2] << 4) + 5;
            var byId = CliRunner.Run("inspect", dir, "--nested", cell.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(byId.ExitCode == 0, byId.Error);
            long word = Morton.FromNested(cell, 5);
            var byWord = CliRunner.Run("inspect", dir, $"--cell={word}");
            Assert.True(byWord.ExitCode == 0, byWord.Error);
            Assert.Equal(byId.Out, byWord.Out);
            var lines = Lines(byId);
            Assert.Contains($"morton      {word}", lines);
            Assert.Contains($"nested      {cell}", lines);
            Assert.Contains("order       5", lines);
            Assert.Contains($"parent      {parents[2]} (order 3, morton {Morton.FromNested(parents[2], 3)}), chunk 2 of 5/", lines);
            Assert.Equal("1068.25", Stored(5, "h_mean", 2, 5)); // 1000.25 + 10·5 + 2 + 16, as written
            Assert.Contains($"count          {Stored(5, "count", 2, 5)}", lines);
            Assert.Contains($"h_mean         {Stored(5, "h_mean", 2, 5)}", lines);
            Assert.DoesNotContain(lines, l => l.StartsWith("note ", StringComparison.Ordinal));

            // A child left as fill; a cell of the coarser level (--order 4).
            lines = Lines(CliRunner.Run("inspect", dir, "--nested", ((parents[0] << 4) + 3).ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.Contains("count          fill", lines);
            Assert.Contains("h_mean         fill", lines);
            var coarse = CliRunner.Run("inspect", dir, "--nested", ((parents[0] << 2) + 2).ToString(System.Globalization.CultureInfo.InvariantCulture), "--order", "4");
            Assert.True(coarse.ExitCode == 0, coarse.Error);
            lines = Lines(coarse);
            Assert.Contains("order       4", lines);
            Assert.Contains($"parent      {parents[0]} (order 3, morton {Morton.FromNested(parents[0], 3)}), chunk 0 of 4/", lines);
            Assert.Contains($"count          {Stored(4, "count", 0, 2)}", lines);
            Assert.Contains($"h_mean         {Stored(4, "h_mean", 0, 2)}", lines);

            // A run that did not complete (Ctrl-C) is named: the cell's arrays may be written in part.
            var stopped = Guid.NewGuid();
            await new Zagg.Runs.RunLedger(ZarrStores.Open(dir), stopped).RecordAsync(new Zagg.Runs.CellRecord { CatalogIndex = 2, ParentMorton = -3111, Succeeded = true });
            Assert.Contains($"note        run {stopped:N} did not complete: the cell's values may be partly written (zagg run --overwrite writes them again)",
                Lines(CliRunner.Run("inspect", dir, "--nested", cell.ToString(System.Globalization.CultureInfo.InvariantCulture))));

            // Wrong input: one line each, exit 1.
            foreach (var (args, message) in new (string[], string)[]
            {
                (["--nested", ((parents[1] << 4) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)], $"lies in parent cell {parents[1]} (order 3), which the store has not written"),
                (["--nested", "12288"], "--nested 12288 is not a cell of order 5: NESTED ids run 0–12287"),
                (["--nested", "-1"], "--nested -1 is not a cell of order 5"),
                (["--cell", "1234567"], "--cell: morton word 1234567 has digit 5 at level 4"),
                (["--cell", "12x"], "--cell: '12x' is not a morton word"),
                (["--nested", "5", "--order", "7"], "no level of order 7 (the store has orders 4, 5)"),
                ([$"--cell={word}", "--order", "4"], $"--cell {word} is a cell of order 5, not of --order 4"),
                (["--nested", "5", $"--cell={word}"], "give either --cell WORD or --nested ID, not both"),
                (["--order", "4"], "--order goes with --cell or --nested"),
            })
            {
                var r = CliRunner.Run(["inspect", dir, .. args]);
                Assert.True(r.ExitCode == 1, $"{string.Join(' ', args)}: exit {r.ExitCode}, {r.Error}");
                Assert.Equal("", r.Out);
                Assert.Single(r.Error.Trim().Split('\n'));
                Assert.StartsWith("zagg: error: ", r.Error);
                Assert.Contains(message, r.Error);
            }
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Inspect_of_something_that_is_not_a_store_says_so()
    {
        var r = CliRunner.Run("inspect", "/nonexistent/out.zarr");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("/nonexistent/out.zarr: no Zarr store here (no zarr.json)", r.Error);
    }
}
