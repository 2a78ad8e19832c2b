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

    /// <summary>What the startup line says of an in-memory test server's data, on this engine.</summary>
    public static bool IsPostgres => Postgres is not null;

    /// <summary>Creates an empty schema in the test database and returns a connection string whose search path is it.</summary>
    public static string NewPostgresSchema()
    {
        var schema = "hltest_" + Guid.NewGuid().ToString("N");
        using (var connection = new NpgsqlConnection(Postgres))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"CREATE SCHEMA {schema}";
            command.ExecuteNonQuery();
        }

        return new NpgsqlConnectionStringBuilder(Postgres) { SearchPath = schema }.ConnectionString;
    }
}
