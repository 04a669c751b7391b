using Zagg.AppHost.Cli;

return ZaggCli.Run(args, Console.In, Console.Out, Console.Error);
