using Humanloop.Server.Hosting;
using Npgsql;

namespace Humanloop.Server.Tests.Infrastructure;

/// <summary>Starts real Kestrel servers on 127.0.0.1 port 0, in-process.</summary>
internal static class TestServers
{
    public const string ApiKey = "test-key-0123456789";

    /// <summary>
    /// A server of its own for a test: in-memory SQLite, or, when <c>HUMANLOOP_TEST_DATABASE</c> names a PostgreSQL
    /// database, a fresh schema of it (see <see cref="TestDatabases"/>), so the same suite runs on both engines.
    /// </summary>
    public static ServerOptions InMemory(bool faults = false, int? seed = 1234, int mockTokenDelayMs = 0) => new()
    {
        Urls = ["http://127.0.0.1:0"],
        InMemory = TestDatabases.Postgres is null,
        Database = TestDatabases.Postgres is null ? null : TestDatabases.NewPostgresSchema(),
        ApiKeys = [ApiKey],
        EnableFaults = faults,
        Seed = seed,
        MockTokenDelayMs = mockTokenDelayMs,
        Output = TextWriter.Null,
        // A line per request would bury the test output; OperatorTests turns them on where it checks them.
        RequestLogs = false,
    };

    /// <summary>In-memory SQLite whatever the suite's engine: for what only that mode does (a fresh key each start).</summary>
    public static ServerOptions SqliteInMemory() => InMemory() with { InMemory = true, Database = null };

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

/// <summary>The engine the suite runs on: PostgreSQL when <c>HUMANLOOP_TEST_DATABASE</c> holds a connection string.</summary>
internal static class TestDatabases
{
    public static string? Postgres { get; } = Environment.GetEnvironmentVariable("HUMANLOOP_TEST_DATABASE") is { Length: > 0 } text ? text : null;

    /// <summary>The suite runs on PostgreSQL.</summary>
    public static bool IsPostgres => Postgres is not null;

    /// <summary>A connection string to a schema of the test database no one used yet (the server creates it).</summary>
    public static string NewPostgresSchema() =>
        new NpgsqlConnectionStringBuilder(Postgres) { SearchPath = "hltest_" + Guid.NewGuid().ToString("N") }.ConnectionString;
}
