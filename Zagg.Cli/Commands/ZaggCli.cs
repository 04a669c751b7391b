using System.CommandLine;
using Zagg.ServiceDefaults;

namespace Zagg.Cli.Commands;

/// <summary>The <c>zagg</c> command line: verbs, parsing, and how failures reach the user.</summary>
public static class ZaggCli
{
    /// <summary>Exit code for a run that failed on its input or its work.</summary>
    public const int Failure = 1;

    /// <summary>Exit code for a command line that does not parse.</summary>
    public const int Usage = 2;

    /// <summary>Exit code of a command stopped by Ctrl-C, as a shell reports SIGINT (128 + 2).</summary>
    public const int Cancelled = 130;

    public static RootCommand Build(CliConsole console)
    {
        var root = new RootCommand(
            $"{ServiceIdentity.Product} {ServiceIdentity.Version}: aggregates satellite point observations into HEALPix grids stored as Zarr v3 (DGGS convention).");
        root.Subcommands.Add(PipelineCommands.Demo(console));
        root.Subcommands.Add(PipelineCommands.Run(console));
        root.Subcommands.Add(ConfigCommand.Build(console));
        root.Subcommands.Add(CatalogCommand.Create(console));
        root.Subcommands.Add(GridCommands.Build(console));
        root.Subcommands.Add(H5Commands.Build(console));
        root.Subcommands.Add(InspectCommand.Build(console));
        root.Subcommands.Add(RenderCommand.Build(console));
        root.Subcommands.Add(ViewCommand.Build(console));
        root.Subcommands.Add(AuthCommands.Build(console));
        foreach (var option in root.Options)
            if (option is VersionOption version) version.Action = new PrintVersion(console);
        OptionValues.Install(root);
        return root;
    }

    public static int Run(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        var console = new CliConsole(stdin, stdout, stderr);
        var root = Build(console);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // A value an option cannot read (--order x) is wrong input, not wrong usage: one line, exit 1.
            foreach (var e in parse.Errors)
                if (OptionValues.IsValueError(e))
                {
                    stderr.WriteLine($"zagg: error: {TerminalText.OneLine(e.Message)}");
                    return Failure;
                }
            // One line and the hint: the error about the first word not understood, if any (an unknown option's value would
            // be a second "unrecognized" line, and a verb missing beside it a less telling one), else the first error.
            var shown = parse.UnmatchedTokens.Count > 0
                ? parse.Errors.FirstOrDefault(e => e.Message.Contains($"'{parse.UnmatchedTokens[0]}'", StringComparison.Ordinal)) ?? parse.Errors[0]
                : parse.Errors[0];
            stderr.WriteLine($"zagg: {TerminalText.OneLine(shown.Message)}");
            stderr.WriteLine($"Try '{HelpFor(parse.CommandResult)}'.");
            return Usage;
        }
        try
        {
            // Ctrl-C cancels the command's token and waits for it to stop: System.CommandLine's 2 s ran out on a loaded
            // machine (CI), and the process ended with 130 but without its "cancelled" line. A command stops within a
            // moment of its token; 10 s is the bound for one that does not.
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = TimeSpan.FromSeconds(10) });
        }
        catch (CliException e)
        {
            stderr.WriteLine($"zagg: error: {TerminalText.OneLine(e.Message)}");
            return e.ExitCode;
        }
        catch (OperationCanceledException)
        {
            // Ctrl-C (SIGINT/SIGTERM cancel the command's token) while a command waits, e.g. on a search's retries: what
            // it was writing is not written (outputs are written whole, at the end).
            stderr.WriteLine("zagg: cancelled");
            return Cancelled;
        }
    }

    /// <summary>The help of the verb the command line reached ("zagg grid cell --help"), or zagg's own.</summary>
    private static string HelpFor(System.CommandLine.Parsing.CommandResult command)
    {
        var names = new List<string>();
        for (var c = command; c.Parent is System.CommandLine.Parsing.CommandResult parent; c = parent) names.Insert(0, c.Command.Name);
        return names.Count == 0 ? "zagg --help" : $"zagg {string.Join(' ', names)} --help";
    }
}

/// <summary>`zagg --version`: the product, its version and the runtime.</summary>
internal sealed class PrintVersion(CliConsole console) : System.CommandLine.Invocation.SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        console.Out.WriteLine($"{ServiceIdentity.Product} {ServiceIdentity.Version} ({ServiceIdentity.Runtime})");
        return 0;
    }
}

/// <summary>A failure to report to the user as one clear message, without a stack trace.</summary>
public sealed class CliException(string message, int exitCode = ZaggCli.Failure) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>The streams a command works with (the process's own, or a test's).</summary>
public sealed record CliConsole(TextReader In, TextWriter Out, TextWriter Error);
