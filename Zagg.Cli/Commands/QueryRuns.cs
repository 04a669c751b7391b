using System.CommandLine;
using System.Globalization;
using Zagg.Cli.Running;
using Zagg.Contracts;
using Zagg.Pipeline.Catalogs;
using Zagg.Pipeline.Config;
using Zagg.Runs;
using Zagg.Zarr;
using Zagg.Zarr.Stores;

namespace Zagg.Cli.Commands;

/// <summary>
/// <c>zagg run</c> with the query options of <c>zagg catalog</c> instead of <c>--catalog</c>: the run's message carries the
/// query (<see cref="RunSpec.Query"/>) and the catalog service builds the catalog with zagg catalog's code, writing it beside
/// the run's ledger in the store (<see cref="RunLedger.CatalogLocation"/>); this command shows that step's paging and
/// summary, read from the run's ledger (<see cref="CatalogProgress"/>), before the cells' progress.
/// </summary>
internal static class QueryRuns
{
    /// <summary>
    /// The run's catalog file, or its query: exactly one of <c>--catalog</c> and the query options (without either, the
    /// config's catalog).
    /// </summary>
    /// <exception cref="CliException">Both, neither with no catalog in the config, or a wrong query option: one line.</exception>
    public static (string? CatalogPath, ParsedQuery? Query) CatalogOrQuery(ParseResult parse, Option<string?> catalog, QueryOptions query, PipelineConfig config)
    {
        string? file = parse.GetValue(catalog);
        if (QueryOptions.FirstGiven(parse, query.All) is { } given)
        {
            if (file is not null) throw new CliException($"give --catalog FILE or a query ({given.Name} …), not both: with a query the catalog service builds the run's catalog");
            return (null, query.Parse(parse, config, "--catalog FILE"));
        }
        return (file ?? config.Catalog ?? throw new CliException("no catalog: give --catalog FILE, a query (--cycle N or --start-date/--end-date, as zagg catalog takes them), or set catalog: in the config"), null);
    }

    /// <summary>A query run's dry run: the catalog searched and mapped in this process (nothing written) so the cells can be shown.</summary>
    /// <exception cref="CliException">The search failed or found no cell.</exception>
    public static Task<GranuleCatalog> BuildHereAsync(CliConsole console, ParsedQuery query, PipelineConfig config, CancellationToken ct)
        => CatalogCommand.SearchAsync(console, query, config.Grid.Latitude, "nothing to run", ct);

    /// <summary>
    /// Follows a query run's catalog step through its ledger: a progress bar while paging (on a terminal), then one line
    /// "catalog built: N granules, M cells …" with where the catalog is; <see cref="IsShown"/> once that is said (or the
    /// step's progress cannot be read), so the cells' progress comes after it.
    /// </summary>
    internal sealed class CatalogStepFeed(CliConsole console, RunRequested request, RunMonitor monitor, bool terminal)
    {
        private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);
        private volatile bool _shown;

        /// <summary>The catalog step's summary is shown (or will not be): the cells' progress may follow.</summary>
        public bool IsShown => _shown;

        /// <summary>Raised once, when <see cref="IsShown"/> becomes true.</summary>
        public event Action? Finished;

        /// <summary>Starts following; disposing stops it (and waits for the follower to end).</summary>
        public IDisposable Start(CancellationToken ct)
        {
            var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var task = Task.Run(() => FollowAsync(cts.Token), CancellationToken.None);
            return new Stop(cts, task);
        }

        private sealed class Stop(CancellationTokenSource cts, Task task) : IDisposable
        {
            public void Dispose()
            {
                cts.Cancel();
                try { task.Wait(TimeSpan.FromSeconds(5)); }
                catch (AggregateException) { }
                cts.Dispose();
            }
        }

        private async Task FollowAsync(CancellationToken ct)
        {
            var bar = new CatalogCommand.ProgressBar(terminal, console.Error);
            try
            {
                var ledger = new RunLedger(ZarrStores.Open(request.Spec.Store), request.RunId);
                int pages = 0;
                string? waiting = null;
                while (!ct.IsCancellationRequested)
                {
                    // Read before looking at the run's state: a step that ended now still shows its summary.
                    bool ended = monitor.Dispatched || monitor.Completion.IsCompleted;
                    var p = await ledger.ReadCatalogProgressAsync(ct).ConfigureAwait(false);
                    if (p is { Built: true })
                    {
                        bar.End();
                        Summary(p);
                        return;
                    }
                    if (p?.Waiting is { } w && w != waiting)
                    {
                        waiting = w;
                        bar.Report(p.ToSearchProgress());
                    }
                    if (p is not null && p.Pages > pages)
                    {
                        pages = p.Pages;
                        bar.Report(p.ToSearchProgress() with { Notice = null });
                    }
                    if (ended) return;
                    await Task.Delay(Poll, ct).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) { }
            // The store cannot be read from here (a --submit run's store may be the services' only): the cells' progress still shows.
            catch (Exception e) when (e is ZarrException or IOException or System.Text.Json.JsonException) { }
            finally
            {
                bar.End();
                _shown = true;
                Finished?.Invoke();
            }
        }

        private void Summary(CatalogProgress p)
        {
            console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"catalog built: {p.GranulesListed} of the {p.GranulesFound} granules found meet the area, {p.Cells} cells of order {p.ParentOrder} (query {p.QuerySeconds:F2} s, {p.Pages} page(s); mapping {p.MappingSeconds:F2} s) -> {p.Catalog}"));
            if (p.WithoutFootprint > 0) console.Error.WriteLine($"zagg: warning: {p.WithoutFootprint} granule(s) have no footprint in their record and are in no cell");
            if (p.WithoutDataLink > 0) console.Error.WriteLine($"zagg: warning: {p.WithoutDataLink} granule(s) have no s3:// or https:// link to a data file; the catalog lists them by name");
        }
    }
}
