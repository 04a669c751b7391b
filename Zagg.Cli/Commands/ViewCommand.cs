using System.CommandLine;
using Zagg.Cli.Viewing;
using Zagg.Pipeline.Output;
using Zagg.Zarr;
using Zagg.Zarr.Stores;

namespace Zagg.Cli.Commands;

/// <summary><c>zagg view STORE</c>: a web page on 127.0.0.1 that draws the store's cells and fills in while a run writes.</summary>
internal static class ViewCommand
{
    public static Command Build(CliConsole console)
    {
        var store = new Argument<string>("STORE") { Description = "A store: a path, file://… or s3://bucket/prefix (it must hold its template: a run writes it first)." };
        var port = new Option<int>("--port") { Description = "The port on 127.0.0.1 (default 0: any free port).", DefaultValueFactory = _ => 0, HelpName = "P" };
        var wait = new Option<bool>("--wait") { Description = "Wait for the store's template (a run about to start writes it) instead of failing when there is no store yet." };
        var cmd = new Command("view", "Serve a viewer of the store on 127.0.0.1: cells in a polar projection (or plate carrée), pan and zoom, variables, hover for a cell's values; new parent cells appear as their chunks land.") { store, port, wait };
        cmd.SetAction(async (parse, ct) =>
        {
            int p = parse.GetValue(port);
            if (p is < 0 or > 65535) throw new CliException($"--port {p}: not a port (0–65535)");
            DggsStore dggs;
            bool said = false;
            while (true)
            {
                try
                {
                    dggs = await DggsStore.OpenAsync(ZarrStores.Open(parse.GetValue(store)!), ct);
                    break;
                }
                catch (Exception e) when (e is ZarrException or ArgumentException)
                {
                    if (!parse.GetValue(wait) || e is ArgumentException) throw new CliException(e.Message);
                    if (!said) console.Out.WriteLine($"zagg view: waiting for {parse.GetValue(store)} to hold a store ({e.Message})");
                    said = true;
                    await Task.Delay(500, ct);
                }
            }
            ViewerServer server;
            try { server = await ViewerServer.StartAsync(dggs, p, ct); }
            catch (IOException e) { throw new CliException($"--port {p}: cannot listen on 127.0.0.1:{p}: {e.Message}"); }
            await using (server)
            {
                console.Out.WriteLine($"zagg view: {dggs.Store.Name} at {server.Url} (Ctrl+C to stop)");
                console.Out.Flush();
                try { await server.WaitAsync(ct); }
                catch (OperationCanceledException) { }
            }
            return 0;
        });
        return cmd;
    }
}
