using Zagg.Cli.Commands;

int code = ZaggCli.Run(args, Console.In, Console.Out, Console.Error);
Zagg.Cli.Running.PhaseProbe.Mark("exit");
return code;
