using Humanloop.Server.Hosting;

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
    // Typically the port is taken: one line that says so, instead of a stack trace.
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
