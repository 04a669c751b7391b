using Zagg.Cli.Commands;

return ZaggCli.Run(args, Console.In, Console.Out, Console.Error);
