using Zagg.Cli.Commands;

Zagg.Cli.Running.PhaseProbe.Mark("runtime-to-main");
int code = ZaggCli.Run(args, Console.In, Console.Out, Console.Error);
Zagg.Cli.Running.PhaseProbe.Mark("exit");
return code;
