using Humanloop.Server.Hosting;

if (args.Length > 0 && args[0] == MigrateCommand.Name)
{
    return MigrateCommand.Run(args[1..], Environment.GetEnvironmentVariable, Console.Out, Console.Error);
}

var parsed = ServerOptionsParser.Parse(args, Environment.GetEnvironmentVariable);
if (parsed.ShowHelp)
{
    Console.WriteLine(ServerOptionsParser.Usage);
    return 0;
}

if (parsed.Error is not null)
{
    Console.Error.WriteLine(parsed.Error);
    Console.Error.WriteLine(ServerOptionsParser.Usage);
    return 2;
}

RunningServer server;
try
{
    server = await ServerHost.StartAsync(parsed.Options!, CancellationToken.None);
}
catch (Exception ex) when (ServerHost.DescribeStartFailure(ex, parsed.Options!.Urls) is { } reason)
{
    // The port is taken, the data folder is in use, the database is unreachable: one line that says so, not a stack trace.
    Console.Error.WriteLine(reason);
    return 1;
}

await using (server)
{
    // Ctrl+C and SIGTERM stop the host (the standard console lifetime); then everything is disposed.
    await server.WaitForShutdownAsync();
}

Console.WriteLine("Humanloop server stopped.");
return 0;
