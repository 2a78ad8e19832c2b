using Humanloop.Server.Hosting;

namespace Humanloop.Server.Tests.Infrastructure;

/// <summary>Starts real Kestrel servers on 127.0.0.1 port 0, in-process.</summary>
internal static class TestServers
{
    public const string ApiKey = "test-key-0123456789";

    public static ServerOptions InMemory(bool faults = false, int? seed = 1234, int mockTokenDelayMs = 0) => new()
    {
        Urls = ["http://127.0.0.1:0"],
        InMemory = true,
        ApiKeys = [ApiKey],
        EnableFaults = faults,
        Seed = seed,
        MockTokenDelayMs = mockTokenDelayMs,
        Output = TextWriter.Null,
        // A line per request would bury the test output; OperatorTests turns them on where it checks them.
        RequestLogs = false,
    };

    public static Task<RunningServer> StartAsync(ServerOptions options) => ServerHost.StartAsync(options, CancellationToken.None);
}

/// <summary>One in-memory server shared by a test class; tests isolate themselves with unique project names.</summary>
public sealed class InMemoryServerFixture : IAsyncLifetime
{
    public RunningServer Server { get; private set; } = null!;

    public ApiClient Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await TestServers.StartAsync(TestServers.InMemory());
        Api = new ApiClient(Server, TestServers.ApiKey);
    }

    public async Task DisposeAsync()
    {
        Api.Dispose();
        await Server.DisposeAsync();
    }
}
