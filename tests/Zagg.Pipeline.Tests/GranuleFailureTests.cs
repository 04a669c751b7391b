using Zagg.TestSupport;
using System.Text.Json;
using Xunit;
using Zagg.Hdf5.IO;
using Zagg.Pipeline.Aggregation;
using Zagg.Pipeline.Config;

namespace Zagg.Pipeline.Tests;

/// <summary>
/// Reading a granule fails in kinds a caller acts on differently: a dataset the config names is
/// missing (permanent), the file is damaged (permanent), the bytes did not arrive (transient).
/// Each with a real granule from demo/atl06.
/// </summary>
public class GranuleFailureTests
{
    private static string Dir => DemoTestSet.Dir;
    private static string[] Granules => DemoTestSet.Granules;
    private static long Parent => DemoTestSet.Parent;
    private static PipelineConfig Atl06(Func<string, string>? edit = null) => DemoTestSet.Atl06(edit);

    [Fact]
    public async Task A_dataset_the_config_names_but_the_granule_lacks_is_a_permanent_missing_dataset()
    {
        var config = Atl06(y => y.Replace("land_ice_segments/h_li_sigma\"", "land_ice_segments/h_li_sigma_typo\""));
        await using var aggregator = new CellAggregator(config, parentOrder: 6);
        var r = (await aggregator.AggregateAsync(Parent, Granules)).Result;
        Assert.Equal(CellOutcome.GranulesFailed, r.Outcome);
        Assert.True(r.IsFailure);
        Assert.True(r.IsPermanentFailure);
        Assert.NotEmpty(r.GranuleFailures);
        Assert.All(r.GranuleFailures, f => Assert.Equal(GranuleFailureKind.MissingDataset, f.Kind));
        Assert.All(r.GranuleFailures, f => Assert.Contains("h_li_sigma_typo", f.Message));
        Assert.True(r.FilesProcessed < Granules.Length);
    }

    [Fact]
    public async Task A_truncated_granule_is_a_permanent_damaged_file()
    {
        string dir = Directory.CreateTempSubdirectory("zagg-truncated").FullName;
        try
        {
            var bytes = await File.ReadAllBytesAsync(Granules[0]);
            string truncated = Path.Combine(dir, Path.GetFileName(Granules[0]));
            await File.WriteAllBytesAsync(truncated, bytes.AsMemory(0, bytes.Length * 6 / 10).ToArray());
            await using var aggregator = new CellAggregator(Atl06(), parentOrder: 6);
            var r = (await aggregator.AggregateAsync(Parent, [truncated, .. Granules[1..]])).Result;
            Assert.Equal(CellOutcome.GranulesFailed, r.Outcome);
            var failure = Assert.Single(r.GranuleFailures);
            Assert.Equal(GranuleFailureKind.Damaged, failure.Kind);
            Assert.StartsWith(truncated, failure.Message);
            Assert.True(r.IsPermanentFailure);
            Assert.Equal(Granules.Length - 1, r.FilesProcessed);
            Assert.Null(r.Error); // some granules were read: the report lists the failures instead
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task A_granule_that_does_not_exist_is_permanently_unavailable()
    {
        await using var aggregator = new CellAggregator(Atl06(), parentOrder: 6);
        string missing = Path.Combine(Dir, "no-such-granule.h5");
        var r = (await aggregator.AggregateAsync(Parent, [missing])).Result;
        Assert.Equal(GranuleFailureKind.Unavailable, Assert.Single(r.GranuleFailures).Kind);
        Assert.True(r.IsPermanentFailure);
    }

    [Fact]
    public async Task A_read_that_fails_once_is_transient_and_the_retry_gives_the_clean_result()
    {
        var config = Atl06();
        await using var clean = new CellAggregator(config, parentOrder: 6);
        var expected = await clean.AggregateAsync(Parent, Granules);
        Assert.Equal(CellOutcome.Aggregated, expected.Result.Outcome);

        int reads = 0;
        await using var flaky = new CellAggregator(config, parentOrder: 6,
            (url, ct) => Task.FromResult<IByteSource>(new FailsOnce(new FileByteSource(url), () => Interlocked.Increment(ref reads) == 6, "the disk hiccuped")));
        var first = (await flaky.AggregateAsync(Parent, Granules)).Result;
        Assert.Equal(CellOutcome.GranulesFailed, first.Outcome);
        Assert.Equal(GranuleFailureKind.Transient, Assert.Single(first.GranuleFailures).Kind);
        Assert.False(first.IsPermanentFailure);
        Assert.Contains("the disk hiccuped", first.GranuleFailures[0].Message);

        var retry = await flaky.AggregateAsync(Parent, Granules);
        Assert.True(CellOutcome.Aggregated == retry.Result.Outcome, string.Join("; ", retry.Result.GranuleErrors));
        Assert.Empty(retry.Result.GranuleFailures);
        Assert.Equal(expected.Result.TotalObs, retry.Result.TotalObs);
        foreach (var (name, chunk) in expected.Chunks) Assert.Equal(chunk, retry.Chunks[name]);
    }

    [Fact]
    public async Task No_granules_and_no_data_keep_the_report_texts_and_are_not_failures()
    {
        await using var aggregator = new CellAggregator(Atl06(), parentOrder: 6);
        var none = (await aggregator.AggregateAsync(Parent, [])).Result;
        Assert.Equal(CellOutcome.NoGranules, none.Outcome);
        Assert.Equal("No granules found", none.Error);
        Assert.False(none.IsFailure);
        var filtered = await new CellAggregator(Atl06(y => y.Replace("\n    value: 0\n", "\n    value: 12345\n")), parentOrder: 6).AggregateAsync(Parent, Granules);
        Assert.Equal(CellOutcome.NoDataAfterFiltering, filtered.Result.Outcome);
        Assert.Equal("No data after filtering", filtered.Result.Error);
        Assert.False(filtered.Result.IsFailure);
    }
}
