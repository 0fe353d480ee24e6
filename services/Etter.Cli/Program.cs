using Etter.Cli;

return await EtterCli.RunAsync(args, Console.Out, Console.Error);
