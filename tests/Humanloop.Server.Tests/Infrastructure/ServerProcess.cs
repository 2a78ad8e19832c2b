using System.Diagnostics;
using Humanloop.Server.Hosting;

namespace Humanloop.Server.Tests.Infrastructure;

/// <summary>
/// The server as a separate process (the built Humanloop.Server next to the tests), for what in-process servers
/// cannot show: several replicas, and a process killed outright.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];

    private ServerProcess(Process process)
    {
        _process = process;
    }

    public string ApiUrl { get; private set; } = "";

    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join(Environment.NewLine, _output);
            }
        }
    }

    /// <summary>Starts the server with these arguments (and the test key) and waits for its ready line.</summary>
    public static async Task<ServerProcess> StartAsync(params string[] args)
    {
        var info = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "Humanloop.Server.exe" : "Humanloop.Server"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args.Prepend("http://127.0.0.1:0").Prepend("--urls"))
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["HUMANLOOP_SERVER_API_KEYS"] = TestServers.ApiKey;
        info.Environment.Remove("HUMANLOOP_SERVER_DATABASE");
        info.Environment.Remove("HUMANLOOP_SERVER_DATA");

        var server = new ServerProcess(Process.Start(info)!);
        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        server._process.OutputDataReceived += (_, e) => server.Record(e.Data, ready);
        server._process.ErrorDataReceived += (_, e) => server.Record(e.Data, null);
        server._process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("The server exited before it was ready:\n" + server.Output));
        server._process.EnableRaisingEvents = true;
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        try
        {
            server.ApiUrl = await ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>Runs the server binary to completion (a subcommand) and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        var info = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "Humanloop.Server.exe" : "Humanloop.Server"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Remove("HUMANLOOP_SERVER_DATABASE");
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>Kills the process at once (no shutdown): what a crash or <c>kill -9</c> does.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private void Record(string? line, TaskCompletionSource<string>? ready)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
        }

        if (ready is not null && line.StartsWith(ServerHost.ReadyPrefix, StringComparison.Ordinal))
        {
            ready.TrySetResult(line[ServerHost.ReadyPrefix.Length..]);
        }
    }
}
