using System.CommandLine;
using Zagg.Pipeline.Config;

namespace Zagg.Cli.Commands;

/// <summary>
/// <c>zagg config [NAME]</c>: the built-in pipeline configurations a run may name (<c>--config atl06</c>), and the YAML
/// text of one, to start a configuration of one's own from (<c>zagg config atl06 &gt; my.yaml</c>).
/// </summary>
internal static class ConfigCommand
{
    public static Command Build(CliConsole console)
    {
        var name = new Argument<string?>("NAME") { Description = "A built-in configuration to print as YAML (without it: the list).", Arity = ArgumentArity.ZeroOrOne };
        var cmd = new Command("config", "List the built-in pipeline configurations, or print one as YAML to start your own from (zagg config atl06 > my.yaml).") { name };
        cmd.SetAction((parse, ct) =>
        {
            var builtIns = ConfigLoader.BuiltIns;
            if (parse.GetValue(name) is not { } wanted)
            {
                foreach (var b in builtIns) console.Out.WriteLine(b);
                return Task.FromResult(0);
            }
            if (!builtIns.Contains(wanted))
                throw new CliException($"'{wanted}' is not a built-in configuration ({string.Join(", ", builtIns)}); a file of your own is given to zagg run as --config PATH");
            console.Out.Write(ConfigLoader.Find(wanted).Yaml);
            return Task.FromResult(0);
        });
        return cmd;
    }
}
